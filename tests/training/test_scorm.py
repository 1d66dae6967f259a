"""The SCORM 1.2 export: manifest structure, every referenced file present and self-contained, via the command."""

from __future__ import annotations

import re
import zipfile
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from defusedxml import ElementTree as SafeET
from django.core.management import call_command
from django.core.management.base import CommandError

from attkit.training import content_loader, course

CP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
NS = {"cp": CP, "adlcp": ADLCP}


class _Links(HTMLParser):
    """Every src and href of a page, and the visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.text: list[str] = []
        self.lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.urls.append(value)
            if tag == "html" and name == "lang":
                self.lang = value or ""

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture(scope="module", params=["en", "es"])
def package(request, tmp_path_factory) -> tuple[str, zipfile.ZipFile]:
    out = tmp_path_factory.mktemp("scorm") / f"att-{request.param}.zip"
    stdout = StringIO()
    call_command("training", "export-scorm", "--lang", request.param, "--out", str(out), stdout=stdout)
    assert "SCORM 1.2" in stdout.getvalue()
    return request.param, zipfile.ZipFile(out)


def test_manifest_structure(package):
    lang, archive = package
    root = SafeET.fromstring(archive.read("imsmanifest.xml"))
    assert root.tag == f"{{{CP}}}manifest"
    assert root.get("identifier") and root.get("version")
    assert root.findtext("cp:metadata/cp:schema", namespaces=NS) == "ADL SCORM"
    assert root.findtext("cp:metadata/cp:schemaversion", namespaces=NS) == "1.2"
    organizations = root.find("cp:organizations", NS)
    default = organizations.get("default")
    organization = organizations.find("cp:organization", NS)
    assert organization.get("identifier") == default
    assert organization.findtext("cp:title", namespaces=NS)
    resources = {r.get("identifier"): r for r in root.findall("cp:resources/cp:resource", NS)}
    identifiers = [e.get("identifier") for e in root.iter() if e.get("identifier")]
    assert len(identifiers) == len(set(identifiers)), "identifiers must be unique"
    assert all(re.fullmatch(r"[A-Za-z_][\w.\-]*", i) for i in identifiers)
    names = set(archive.namelist())
    # every item that points somewhere points at a resource; every module has its overview, lessons and quiz
    modules = organization.findall("cp:item", NS)
    active = course.course(lang)
    assert len(modules) == len(active.modules)
    leaves = 0
    for module_item, module in zip(modules, active.modules, strict=True):
        assert module.title in module_item.findtext("cp:title", namespaces=NS)
        children = module_item.findall("cp:item", NS)
        assert len(children) == len(module.lessons) + 2
        for item in children:
            ref = item.get("identifierref")
            assert ref in resources, ref
            assert item.findtext("cp:title", namespaces=NS)
            leaves += 1
        quiz = children[-1]
        assert quiz.findtext("adlcp:masteryscore", namespaces=NS) == str(round(module.passing_score * 100))
    assert leaves == sum(len(m.lessons) + 2 for m in active.modules)
    # every resource: a SCORM type, an href among its files, every file and dependency present
    for identifier, resource in resources.items():
        kind = resource.get(f"{{{ADLCP}}}scormtype")
        assert kind in ("sco", "asset"), identifier
        assert resource.get("type") == "webcontent"
        files = [f.get("href") for f in resource.findall("cp:file", NS)]
        assert files and all(f in names for f in files), identifier
        if kind == "sco":
            assert resource.get("href") in files
        for dependency in resource.findall("cp:dependency", NS):
            assert dependency.get("identifierref") in resources
    listed = {f.get("href") for f in root.iter(f"{{{CP}}}file")}
    assert names - listed == {"imsmanifest.xml"}, "every file of the package is declared"


def test_every_resource_opens_and_is_self_contained(package):
    lang, archive = package
    for name in archive.namelist():
        data = archive.read(name)
        assert data, name
        if not name.endswith(".html"):
            continue
        parser = _Links()
        parser.feed(data.decode("utf-8"))
        assert parser.lang == lang, name
        for url in parser.urls:
            assert not re.match(r"^(?:[a-z]+:)?//", url, re.I), f"{name} refers outside the package: {url}"
            assert not url.startswith(("javascript:", "data:")), name
            target = str(Path(name).parent / url).replace("\\", "/")
            target = re.sub(r"[^/]+/\.\./", "", target)
            assert target in archive.namelist(), f"{name} refers to a missing {url}"
    js = archive.read("shared/scorm.js").decode()
    for call in ("LMSInitialize", "LMSSetValue", "cmi.core.score.raw", "cmi.core.lesson_status", "LMSFinish"):
        assert call in js


def test_quizzes_hold_every_question_with_its_answer_and_explanation(package):
    lang, archive = package
    module = course.course(lang).modules[2]
    html = archive.read(f"{module.id}/quiz.html").decode()
    for question in module.quiz.questions:
        assert f'data-question="{question.id}"' in html
    assert html.count('class="feedback" hidden') == len(module.quiz.questions)
    assert 'data-mastery="70"' in html


def test_spanish_package_is_in_spanish(tmp_path):
    out = tmp_path / "es.zip"
    call_command("training", "export-scorm", "--lang", "es", "--out", str(out), stdout=StringIO())
    archive = zipfile.ZipFile(out)
    root = SafeET.fromstring(archive.read("imsmanifest.xml"))
    assert root.findtext("cp:organizations/cp:organization/cp:title", namespaces=NS).startswith("El curso")
    lesson = archive.read("m01/01-treaty-categories.html").decode()
    assert "Objetivos de aprendizaje" in lesson


def test_bad_arguments(tmp_path):
    with pytest.raises(CommandError):
        call_command("training", "export-scorm", "--lang", "es", "--out", str(tmp_path / "missing" / "x.zip"))
    with pytest.raises(CommandError):
        call_command("training", "export-scorm", "--lang", "fr", "--out", str(tmp_path / "x.zip"))


def test_the_export_is_reproducible(tmp_path):
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    for out in (first, second):
        call_command("training", "export-scorm", "--lang", "en", "--out", str(out), stdout=StringIO())
    assert first.read_bytes() == second.read_bytes()
    assert content_loader.LANGUAGES == ("en", "es")
