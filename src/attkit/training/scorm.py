"""The course as a SCORM 1.2 package for Moodle and other LMSs: a manifest, self-contained HTML pages, one script.

Each module is an item of the organization with, as children, its overview, its lessons and its quiz; every
page is a SCO. Lessons report "completed" when opened; a quiz is graded in the browser (the whole question
bank of the module, with its explanations) and reports cmi.core.score.raw and "passed" or "failed" through
the SCORM 1.2 runtime API (LMSInitialize, LMSSetValue, LMSCommit, LMSFinish). Nothing is fetched from the
network: the pages use only the package's own stylesheet and script.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from django.template.loader import render_to_string
from django.utils import translation

from attkit.training import content_loader as loader
from attkit.training import markup

NS_CP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
NS_ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
ASSETS = Path(__file__).resolve().parent / "scorm_assets"
SHARED_FILES = ("shared/course.css", "shared/scorm.js")
ORGANIZATION = "ORG-ATT-COURSE"
SHARED_RESOURCE = "RES-SHARED"
# Fixed timestamps make two exports of the same content byte-identical.
ZIP_DATE = (2026, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Page:
    """One SCO: its manifest identifiers, title, path in the package and HTML."""

    item: str
    resource: str
    title: str
    href: str
    html: str
    mastery: int | None = None


def _cp(tag: str) -> str:
    return f"{{{NS_CP}}}{tag}"


def _adlcp(tag: str) -> str:
    return f"{{{NS_ADLCP}}}{tag}"


def _render(template: str, context: dict[str, Any]) -> str:
    return render_to_string(f"training/scorm/{template}", context)


def _article(ref: str) -> str:
    from django.utils.translation import gettext as _

    return _("Preamble") if ref == "preamble" else _("Art. %(ref)s") % {"ref": ref}


def _module_pages(module: loader.Module, course_title: str) -> Iterator[Page]:
    base = module.id
    yield Page(
        item=f"ITEM-{base}-overview",
        resource=f"RES-{base}-overview",
        title=module.title,
        href=f"{base}/index.html",
        html=_render(
            "module.html",
            {"module": module, "body": markup.render(module.body), "course_title": course_title, "root": "../"},
        ),
    )
    for lesson in module.lessons:
        yield Page(
            item=f"ITEM-{lesson.id}",
            resource=f"RES-{lesson.id}",
            title=lesson.title,
            href=f"{base}/{lesson.slug}.html",
            html=_render(
                "lesson.html",
                {
                    "module": module,
                    "lesson": lesson,
                    "body": markup.render(lesson.body),
                    "articles": [_article(a) for a in lesson.articles],
                    "course_title": course_title,
                    "root": "../",
                },
            ),
        )
    mastery = round(module.passing_score * 100)
    yield Page(
        item=f"ITEM-{base}-quiz",
        resource=f"RES-{base}-quiz",
        title=module.title,
        href=f"{base}/quiz.html",
        html=_render(
            "quiz.html",
            {
                "module": module,
                "questions": [
                    {"number": n, "q": q, "articles": [_article(a) for a in q.articles]}
                    for n, q in enumerate(module.quiz.questions, start=1)
                ],
                "mastery": mastery,
                "course_title": course_title,
                "root": "../",
            },
        ),
        mastery=mastery,
    )


def pages(course: loader.Course) -> list[tuple[loader.Module, list[Page]]]:
    """Every page of the package, by module, rendered in the course's language."""
    from django.utils.translation import gettext as _

    with translation.override(course.lang):
        title = _("The Arms Trade Treaty implementation course")
        return [(module, list(_module_pages(module, title))) for module in course.modules]


def manifest(course: loader.Course, modules: list[tuple[loader.Module, list[Page]]]) -> bytes:
    """imsmanifest.xml (IMS Content Packaging 1.1.2 with the ADL SCORM 1.2 extensions)."""
    from django.utils.translation import gettext as _

    ET.register_namespace("", NS_CP)
    ET.register_namespace("adlcp", NS_ADLCP)
    root = ET.Element(_cp("manifest"), {"identifier": f"ATTKIT-ATT-COURSE-{course.lang.upper()}", "version": "1.0"})
    metadata = ET.SubElement(root, _cp("metadata"))
    ET.SubElement(metadata, _cp("schema")).text = "ADL SCORM"
    ET.SubElement(metadata, _cp("schemaversion")).text = "1.2"
    organizations = ET.SubElement(root, _cp("organizations"), {"default": ORGANIZATION})
    organization = ET.SubElement(organizations, _cp("organization"), {"identifier": ORGANIZATION})
    resources = ET.SubElement(root, _cp("resources"))
    with translation.override(course.lang):
        ET.SubElement(organization, _cp("title")).text = _("The Arms Trade Treaty implementation course")
        quiz_label = _("Quiz")
        overview_label = _("Overview")
        for module, module_pages in modules:
            module_item = ET.SubElement(organization, _cp("item"), {"identifier": f"ITEM-{module.id}"})
            ET.SubElement(module_item, _cp("title")).text = f"{module.order}. {module.title}"
            for page in module_pages:
                item = ET.SubElement(
                    module_item, _cp("item"), {"identifier": page.item, "identifierref": page.resource}
                )
                if page.href.endswith("/index.html"):
                    title = f"{overview_label}: {module.title}"
                elif page.mastery is not None:
                    title = f"{quiz_label}: {module.title}"
                else:
                    title = page.title
                ET.SubElement(item, _cp("title")).text = title
                if page.mastery is not None:
                    ET.SubElement(item, _adlcp("masteryscore")).text = str(page.mastery)
                resource = ET.SubElement(
                    resources,
                    _cp("resource"),
                    {"identifier": page.resource, "type": "webcontent", _adlcp("scormtype"): "sco", "href": page.href},
                )
                ET.SubElement(resource, _cp("file"), {"href": page.href})
                ET.SubElement(resource, _cp("dependency"), {"identifierref": SHARED_RESOURCE})
    shared = ET.SubElement(
        resources, _cp("resource"), {"identifier": SHARED_RESOURCE, "type": "webcontent", _adlcp("scormtype"): "asset"}
    )
    for name in SHARED_FILES:
        ET.SubElement(shared, _cp("file"), {"href": name})
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _write(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def build(course: loader.Course) -> bytes:
    """The package as zip bytes: imsmanifest.xml at the root, then the shared files and the module folders."""
    modules = pages(course)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _write(archive, "imsmanifest.xml", manifest(course, modules))
        for name in SHARED_FILES:
            _write(archive, name, (ASSETS / Path(name).name).read_bytes())
        for _module, module_pages in modules:
            for page in module_pages:
                _write(archive, page.href, page.html.encode("utf-8"))
    return buffer.getvalue()


def export(lang: str, out: Path) -> int:
    """Write the package for one language; returns the number of SCOs."""
    course = loader.load_course(lang)
    data = build(course)
    out.write_bytes(data)
    return sum(len(m.lessons) + 2 for m in course.modules)
