"""The SCORM 1.2 export in a real runtime: every SCO of both packages launched in Debian's Chromium under
scorm-again's SCORM 1.2 API (tests/fixtures/scorm_runtime), and every manifest validated against the SCORM 1.2
schema files (tests/fixtures/scorm12_xsd).

The harness page plays the LMS: it holds window.API and opens the SCO in a frame, as Moodle's player does;
it logs every runtime call with its result and LMSGetLastError. The package is served from the exported zip
through Playwright's routing (no server, no network): a request for anything else is recorded and fails.
"""

from __future__ import annotations

import mimetypes
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest
from defusedxml import ElementTree as SafeET
from django.core.management import call_command
from lxml import etree

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
HARNESS = FIXTURES / "scorm_runtime"
XSD = FIXTURES / "scorm12_xsd"
CP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
NS = {"cp": CP, "adlcp": ADLCP}
LMS = "http://lms.test"
CHROMIUM = os.environ.get("ATTKIT_CHROMIUM", "/usr/bin/chromium")
LANGS = ("en", "es")


@dataclass(frozen=True)
class Sco:
    item: str
    href: str
    mastery: str | None


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, zipfile.ZipFile]:
    folder = tmp_path_factory.mktemp("scorm-runtime")
    result = {}
    for lang in LANGS:
        out = folder / f"att-{lang}.zip"
        call_command("training", "export-scorm", "--lang", lang, "--out", str(out), stdout=StringIO())
        result[lang] = zipfile.ZipFile(out)
    return result


def scos(archive: zipfile.ZipFile) -> list[Sco]:
    """The SCOs in the organization's order, with the resource each item launches and its mastery score."""
    root = SafeET.fromstring(archive.read("imsmanifest.xml"))
    resources = {r.get("identifier"): r for r in root.findall("cp:resources/cp:resource", NS)}
    found = []
    for item in root.iter(f"{{{CP}}}item"):
        ref = item.get("identifierref")
        if not ref:
            continue
        resource = resources[ref]
        assert resource.get(f"{{{ADLCP}}}scormtype") == "sco"
        found.append(
            Sco(item.get("identifier"), resource.get("href"), item.findtext("adlcp:masteryscore", namespaces=NS))
        )
    return found


# --- the manifest against the SCORM 1.2 schema files ---------------------------------------------------------


def _schema() -> etree.XMLSchema:
    # imscp_rootv1p1p2.xsd imports ims_xml.xsd; adlcp_rootv1p2.xsd imports imscp: one schema that imports both
    wrapper = (
        '<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">'
        f'<xsd:import namespace="{CP}" schemaLocation="imscp_rootv1p1p2.xsd"/>'
        f'<xsd:import namespace="{ADLCP}" schemaLocation="adlcp_rootv1p2.xsd"/>'
        "</xsd:schema>"
    )
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.fromstring(wrapper.encode(), parser, base_url=str(XSD / "wrapper.xsd")))


def _validate(schema: etree.XMLSchema, data: bytes) -> list[str]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    document = etree.fromstring(data, parser)
    return [] if schema.validate(document) else [str(e) for e in schema.error_log]


@pytest.mark.parametrize("lang", LANGS)
def test_manifest_is_valid_against_the_scorm12_schemas(packages, lang):
    assert _validate(_schema(), packages[lang].read("imsmanifest.xml")) == []


@pytest.mark.parametrize(
    ("original", "broken"),
    [
        (b'adlcp:scormtype="sco"', b'adlcp:scormtype="lesson"'),  # not sco or asset
        (b' type="webcontent"', b""),  # a resource's type is required
        (b"<schema>ADL SCORM</schema>", b"<schema>ADL SCORM</schema><adlcp:unknown/>"),  # undeclared extension
        (b"<resources>", b"<resources><resource/>"),  # a resource without identifier and type
    ],
)
def test_the_schema_check_refuses_a_broken_manifest(packages, original, broken):
    data = packages["en"].read("imsmanifest.xml")
    assert original in data
    assert _validate(_schema(), data.replace(original, broken, 1))


# --- every SCO in the runtime ------------------------------------------------------------------------------


class Player:
    """One Chromium page playing the LMS; `launch` opens a SCO with a fresh runtime, `close` unloads it."""

    def __init__(self, page: Any, packages: dict[str, zipfile.ZipFile]) -> None:
        self.page = page
        self.packages = packages
        self.errors: list[str] = []
        self.refused: list[str] = []
        self._listen(page)
        page.context.on("page", self._listen)  # a SCO opened in a new window
        page.context.route("**/*", self._refuse)
        page.context.route(f"{LMS}/**", self._serve)

    def _listen(self, page: Any) -> None:
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        page.on("console", self._console)

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.errors.append(f"console {message.type}: {message.text}")

    def _refuse(self, route: Any, request: Any) -> None:
        self.refused.append(request.url)
        route.abort()

    def _serve(self, route: Any, request: Any) -> None:
        path = unquote(urlparse(request.url).path)
        body = None
        if path.startswith("/player/") and "/" not in path[len("/player/") :]:
            file = HARNESS / path[len("/player/") :]
            body = file.read_bytes() if file.is_file() else None
        elif path.startswith("/content/"):
            lang, _, name = path[len("/content/") :].partition("/")
            archive = self.packages.get(lang)
            if archive is not None and name in archive.namelist():
                body = archive.read(name)
        if body is None:
            self.refused.append(request.url)
            route.fulfill(status=404, body="")
            return
        kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
        if kind.startswith("text/"):
            kind += "; charset=utf-8"
        route.fulfill(status=200, body=body, content_type=kind)

    def launch(self, lang: str, sco: Sco, cmi: dict[str, Any] | None = None) -> Any:
        data = dict(cmi or {})
        if sco.mastery is not None:
            data.setdefault("student_data", {"mastery_score": sco.mastery})
        if self.page.url == "about:blank":
            self.page.goto(f"{LMS}/player/harness.html")
        self.page.evaluate("([href, cmi]) => harness.launch(href, cmi)", [f"/content/{lang}/{sco.href}", data])
        self.page.wait_for_function("harness.log.some(e => e.call === 'LMSInitialize')")
        frame = self.page.frame(name="sco")
        frame.wait_for_load_state()
        return frame

    def close(self, finished: bool = True) -> list[dict[str, Any]]:
        self.page.evaluate("harness.unload()")
        if finished:
            self.page.wait_for_function("harness.log.some(e => e.call === 'LMSFinish')")
        log: list[dict[str, Any]] = self.page.evaluate("harness.log")
        return log

    def cmi(self, element: str) -> str:
        return self.page.evaluate("path => String(path.split('.').reduce((o, k) => o[k], harness.api.cmi))", element)


@pytest.fixture(scope="module")
def browser(playwright_instance: Any) -> Iterator[Any]:
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"], headless=True
    )
    yield browser
    browser.close()


@pytest.fixture
def player(browser: Any, packages: dict[str, zipfile.ZipFile]) -> Iterator[Player]:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10000)
    player = Player(page, packages)
    yield player
    context.close()
    assert player.errors == [], "no JavaScript error, no runtime error logged"
    assert player.refused == [], "every request is for a file of the package or the player"


ANSWER = """right => {
  for (const fieldset of document.querySelectorAll('fieldset.question')) {
    if (fieldset.dataset.type === 'matching') {
      for (const select of fieldset.querySelectorAll('select')) {
        const other = [...select.options].map(o => o.value).find(v => v && v !== select.dataset.answer);
        select.value = right ? select.dataset.answer : other;
      }
    } else {
      const inputs = [...fieldset.querySelectorAll('input[type=radio]')];
      const input = inputs.find(i => (i.value === fieldset.dataset.answer) === right);
      input.checked = true;
    }
  }
}"""


def _calls(log: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [entry for entry in log if entry["call"] == name]


def _set_values(log: list[dict[str, Any]], element: str) -> list[str]:
    return [entry["args"][1] for entry in _calls(log, "LMSSetValue") if entry["args"][0] == element]


def _check_session(log: list[dict[str, Any]], where: str) -> None:
    """One session: LMSInitialize first, LMSFinish last, every call succeeded with no LMS error code."""
    assert log[0]["call"] == "LMSInitialize" and log[0]["result"] == "true", where
    assert log[-1]["call"] == "LMSFinish" and log[-1]["result"] == "true", where
    assert len(_calls(log, "LMSInitialize")) == len(_calls(log, "LMSFinish")) == 1, where
    for entry in log:
        assert entry["error"] == "0", f"{where}: {entry}"
        if entry["call"] != "LMSGetValue":
            assert entry["result"] == "true", f"{where}: {entry}"
    assert _calls(log, "LMSCommit"), where
    times = _set_values(log, "cmi.core.session_time")
    assert len(times) == 1, where


@pytest.mark.parametrize("lang", LANGS)
def test_every_sco_runs_in_a_scorm12_runtime(player, packages, lang):
    found = scos(packages[lang])
    lessons = [s for s in found if s.mastery is None]
    quizzes = [s for s in found if s.mastery is not None]
    assert len(quizzes) == 8 and len(lessons) == len(found) - 8
    for sco in lessons:
        player.launch(lang, sco)
        log = player.close()
        _check_session(log, sco.href)
        assert _set_values(log, "cmi.core.lesson_status") == ["completed"], sco.href
        assert player.cmi("core.lesson_status") == "completed", sco.href
    for sco in quizzes:
        for right, score, status in ((True, "100", "passed"), (False, "0", "failed")):
            frame = player.launch(lang, sco)
            assert player.cmi("core.lesson_status") == "incomplete", sco.href
            frame.evaluate(ANSWER, right)
            frame.click("form#quiz button[type=submit]")
            assert frame.locator("#result .score").inner_text() == f"{score} %"
            log = player.close()
            _check_session(log, f"{sco.href} right={right}")
            assert _set_values(log, "cmi.core.lesson_status") == ["incomplete", status], sco.href
            assert _set_values(log, "cmi.core.score.raw") == [score], sco.href
            assert (player.cmi("core.lesson_status"), player.cmi("core.score.raw")) == (status, score), sco.href
            assert (player.cmi("core.score.min"), player.cmi("core.score.max")) == ("0", "100"), sco.href


PARTIAL = """count => {
  const fieldsets = [...document.querySelectorAll('fieldset.question')].filter(f => f.dataset.type !== 'matching');
  fieldsets.slice(0, count).forEach(f => { f.querySelector(`input[value="${f.dataset.answer}"]`).checked = true; });
  return document.querySelectorAll('fieldset.question').length;
}"""


def test_the_lms_mastery_score_sets_the_pass_mark(player, packages):
    quiz = next(s for s in scos(packages["en"]) if s.mastery is not None)
    assert quiz.mastery == "70"
    # five right answers out of the bank: under the manifest's 70 %, over an LMS mastery score of 30
    for mastery, status in (("70", "failed"), ("30", "passed")):
        frame = player.launch("en", quiz, {"student_data": {"mastery_score": mastery}})
        total = frame.evaluate(PARTIAL, 5)
        frame.click("form#quiz button[type=submit]")
        log = player.close()
        score = round(5 / total * 100)
        assert 30 <= score < 70
        assert _set_values(log, "cmi.core.score.raw") == [str(score)]
        assert player.cmi("core.lesson_status") == status


def test_reopening_a_sco_never_lowers_its_status(player, packages):
    found = scos(packages["es"])
    quiz = next(s for s in found if s.mastery is not None)
    lesson = found[1]
    player.launch("es", quiz, {"core": {"lesson_status": "passed", "score": {"raw": "100"}}})
    log = player.close()
    _check_session(log, quiz.href)
    assert _set_values(log, "cmi.core.lesson_status") == []
    assert (player.cmi("core.lesson_status"), player.cmi("core.score.raw")) == ("passed", "100")
    player.launch("es", lesson, {"core": {"lesson_status": "completed"}})
    log = player.close()
    _check_session(log, lesson.href)
    assert _set_values(log, "cmi.core.lesson_status") == []


def test_review_mode_records_nothing(player, packages):
    quiz = next(s for s in scos(packages["en"]) if s.mastery is not None)
    frame = player.launch("en", quiz, {"core": {"lesson_mode": "review", "lesson_status": "failed"}})
    frame.evaluate(ANSWER, True)
    frame.click("form#quiz button[type=submit]")
    assert frame.locator("#result .score").inner_text() == "100 %"  # the learner still sees the result
    log = player.close()
    assert _calls(log, "LMSSetValue") == []
    assert player.cmi("core.lesson_status") == "failed"


def test_the_player_catches_a_broken_sco(player, packages, tmp_path):
    """The checks above can fail: a SCO that sets a value outside the SCORM 1.2 vocabulary and throws is caught."""
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(broken, "w") as archive:
        for name in packages["en"].namelist():
            data = packages["en"].read(name)
            if name == "shared/scorm.js":
                data = (
                    b'document.addEventListener("DOMContentLoaded", function () {'
                    b' var api = window.parent.API; api.LMSInitialize("");'
                    b' api.LMSSetValue("cmi.core.lesson_status", "done"); throw new Error("broken SCO"); });'
                )
            archive.writestr(name, data)
    player.packages = {"en": zipfile.ZipFile(broken)}
    player.launch("en", scos(packages["en"])[1])
    log = player.close(finished=False)
    assert [e["error"] for e in _calls(log, "LMSSetValue")] == ["405"]  # incorrect data type
    assert any("broken SCO" in error for error in player.errors)
    player.errors.clear()


def test_a_sco_opened_in_a_new_window_finds_the_api_of_its_opener(player, packages):
    quiz = next(s for s in scos(packages["es"]) if s.mastery is not None)
    player.launch("es", scos(packages["es"])[0])  # the player page is loaded
    player.close()
    with player.page.expect_popup() as opened:
        player.page.evaluate(
            "([href, cmi]) => harness.popup(href, cmi)",
            [f"/content/es/{quiz.href}", {"student_data": {"mastery_score": quiz.mastery}}],
        )
    window = opened.value
    window.wait_for_load_state()
    player.page.wait_for_function("harness.log.some(e => e.call === 'LMSInitialize')")
    window.evaluate(ANSWER, True)
    window.click("form#quiz button[type=submit]")
    log = player.close()
    _check_session(log, quiz.href)
    assert (player.cmi("core.lesson_status"), player.cmi("core.score.raw")) == ("passed", "100")
