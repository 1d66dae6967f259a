"""CSV import of transfer records and customs declarations under hostile files: malformed encodings, BOMs,
huge fields, formula injection, wrong column counts. A clear problem list or a refusal; all rows or none."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attkit.core.permissions import Role
from attkit.reporting import importer, messages, services
from attkit.reporting.models import CustomsDeclaration, ImportKind, PendingImport, RecordImport, TransferRecord

FAST = settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
SLOW = settings(max_examples=800, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))

GOOD = (
    "direction,basis,year,date,category,quantity,value,currency,importing_state,exporting_state,description\n"
    "export,authorised,2019,2019-03-15,VIII.SA.4,120,180000,USD,GT,,Assault rifles\n"
    "import,actual,2020,,VIII.SA.1,500,,,,US,Pistols\n"
    'export,actual,2020,2020-06-01,II,3,"1.234,56",EUR,DE,,"Armoured, tracked"\n'
)
CUSTOMS = "number,date,hs_code,quantity,direction\nD-1,2020-01-02,9301.90,4,export\nD-2,2020-01-03,930190,1,import\n"
NOISE = ",;\"'\n\r\t=+-@|!\x00\x1a\ufeff²١\u0130\u200b"
VOCAB = importer.Vocabulary(countries=frozenset({"GT", "US", "DE", "MX"}), currencies=frozenset({"USD", "EUR"}))


@st.composite
def mutated(draw: st.DrawFn, original: str) -> str:
    text = original
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, len(text)))
        how = draw(st.sampled_from(["insert", "delete", "replace", "duplicate-line", "truncate", "cell"]))
        if how == "insert":
            text = text[:where] + draw(st.text(alphabet=NOISE, min_size=1, max_size=10)) + text[where:]
        elif how == "delete":
            text = text[:where] + text[where + draw(st.integers(1, 30)) :]
        elif how == "replace":
            text = text[:where] + draw(st.text(max_size=5)) + text[where + draw(st.integers(1, 5)) :]
        elif how == "duplicate-line":
            start = text.rfind("\n", 0, where) + 1
            end = text.find("\n", where)
            text = text[:start] + text[start : end if end >= 0 else len(text)] + "\n" + text[start:]
        elif how == "truncate":
            text = text[:where]
        else:  # a whole hostile cell
            cell = draw(
                st.sampled_from(
                    [
                        "=cmd|' /C calc'!A0",
                        '+HYPERLINK("http://x")',
                        "@SUM(1)",
                        "-2+3+cmd|' /C calc'!A0",
                        "9" * 5000,
                        "1e999",
                        "NaN",
                        "-1",
                        "0x10",
                        "１２",
                        "2019-02-30",
                        "99999-01-01",
                        '"unterminated',
                    ]
                )
            )
            text = text[:where] + cell + text[where:]
    return text


encodings = st.sampled_from(
    [
        ("utf-8", lambda t: t.encode("utf-8", "surrogatepass")),
        ("utf-8", lambda t: b"\xef\xbb\xbf" + t.encode("utf-8", "surrogatepass")),
        ("utf-8", lambda t: t.encode("utf-16")),
        ("utf-8", lambda t: t.encode("latin-1", "replace")),
        ("latin-1", lambda t: t.encode("latin-1", "replace")),
        ("latin-1", lambda t: t.encode("utf-8", "surrogatepass")),
        ("cp1252", lambda t: t.encode("utf-8", "surrogatepass")),  # an encoding the API does not offer
    ]
)


def parse(data: bytes, encoding: str, fields: tuple[importer.FieldSpec, ...]) -> importer.Parsed | None:
    """The pure pipeline; FileRefused is the only way out besides a Parsed, and every problem has a sentence."""
    refusal: importer.FileRefused | None = None
    try:
        text = importer.decode(data, encoding)
        headers, rows = importer.read_table(text)
    except importer.FileRefused as exc:
        refusal = exc
    if refusal is not None:
        assert messages.refused(refusal)
        return None
    mapping = importer.default_mapping(headers, fields)
    parsed = importer.validate(headers, rows, mapping, fields, VOCAB, row_check=importer.customs_row_check)
    for problem in parsed.problems:
        sentence = messages.describe(problem)
        assert sentence and "%(" not in sentence, (problem, sentence)
    return parsed


@FAST
@given(mutated(GOOD), encodings)
def test_mutated_record_files_parse_or_are_refused(text: str, encoding: Any) -> None:
    name, encode = encoding
    parse(encode(text), name, importer.RECORD_FIELDS)


@FAST
@given(st.binary(max_size=300), st.sampled_from(["utf-8", "latin-1"]))
def test_random_bytes_parse_or_are_refused(data: bytes, encoding: str) -> None:
    parse(data, encoding, importer.RECORD_FIELDS)


@pytest.mark.slow
@SLOW
@given(st.sampled_from([GOOD, CUSTOMS]).flatmap(mutated), encodings)
def test_many_mutated_files_parse_or_are_refused(text: str, encoding: Any) -> None:
    name, encode = encoding
    parse(encode(text), name, importer.RECORD_FIELDS if text.startswith("direction") else importer.CUSTOMS_FIELDS)


@pytest.mark.parametrize(
    "cell", ["=cmd|' /C calc'!A0", '+HYPERLINK("http://evil","x")', "@SUM(A1)", "-2+3+cmd|' /C calc'!A0"]
)
def test_formula_text_is_refused_with_its_reason(cell: str) -> None:
    quoted = '"' + cell.replace('"', '""') + '"'
    data = (GOOD.splitlines()[0] + "\nexport,authorised,2019,,II,1,,,GT,," + quoted + "\n").encode()
    parsed = parse(data, "utf-8", importer.RECORD_FIELDS)
    assert parsed is not None
    assert [(p.column, p.code) for p in parsed.problems] == [("description", "formula")]
    assert "formula" in messages.describe(parsed.problems[0])


def test_ordinary_text_with_signs_inside_is_kept() -> None:
    data = (GOOD.splitlines()[0] + "\nexport,authorised,2019,,II,1,,,GT,,M-113 A+ (=approx.)\n").encode()
    parsed = parse(data, "utf-8", importer.RECORD_FIELDS)
    assert parsed is not None and parsed.ok and parsed.rows[0][1]["description"] == "M-113 A+ (=approx.)"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"\xff\xfe" + "direction".encode("utf-16-le"), "not_utf8"),
        (b"direction,basis\n\x00\x01", "binary"),
        (b",,,\nexport,authorised\n", "no_header"),
        (b"x" * (importer.MAX_BYTES + 1), "too_large"),
    ],
    ids=["empty", "utf-16", "binary", "blank-header", "over-cap"],
)
def test_hostile_files_are_refused_with_a_code(data: bytes, code: str) -> None:
    with pytest.raises(importer.FileRefused) as info:
        importer.read_table(importer.decode(data))
    assert info.value.code == code and messages.refused(info.value)


def test_huge_fields_are_refused_or_reported() -> None:
    # The csv module's own field cap is process-wide and a library raises it (followthemoney: 30 MB), so the
    # importer's cell cap is what holds.
    header = GOOD.splitlines()[0]
    row = 'export,authorised,2019,,II,1,,,GT,,"' + "x" * 200_000 + '"'
    parsed = parse((header + "\n" + row + "\n").encode(), "utf-8", importer.RECORD_FIELDS)
    assert parsed is not None and [(p.code, p.params) for p in parsed.problems] == [("too_long", {"max": 2000})]
    huge_header = ('"' + "h" * 200_000 + '",basis\nexport,authorised\n').encode()
    parsed = parse(huge_header, "utf-8", importer.RECORD_FIELDS)
    assert parsed is None or not parsed.ok


def test_wrong_column_counts_are_named() -> None:
    header = GOOD.splitlines()[0]
    data = (header + "\nexport,authorised,2019,,II,1,,,GT,,x,EXTRA,EXTRA\nexport,authorised\n").encode()
    parsed = parse(data, "utf-8", importer.RECORD_FIELDS)
    assert parsed is not None
    assert ("too_many_cells", 2) in [(p.code, p.row) for p in parsed.problems]
    assert any(p.row == 3 and p.code in ("required", "year_or_date", "quantity_or_value") for p in parsed.problems)


def test_too_many_rows_is_a_refusal() -> None:
    text = GOOD.splitlines()[0] + "\n" + "export,authorised,2019,,II,1,,,GT,,x\n" * 11
    with pytest.raises(importer.FileRefused) as info:
        importer.read_table(text, max_rows=10)
    assert info.value.code == "too_many_rows"


# --- through the service: all or nothing ---------------------------------------------------------------------


def _counts() -> tuple[int, int, int]:
    return TransferRecord.objects.count(), CustomsDeclaration.objects.count(), RecordImport.objects.count()


def _all_or_nothing(mx: Any, kind: str, data: bytes, encoding: str) -> None:
    before = _counts()
    outcome = services.import_csv(authority=mx, by=None, kind=kind, data=data, filename="f.csv", encoding=encoding)
    after = _counts()
    if outcome.ok:
        grown = after[0] - before[0] if kind == ImportKind.RECORDS else after[1] - before[1]
        assert grown == outcome.created == outcome.rows and after[2] == before[2] + 1
    else:
        assert after == before, outcome.problems_text
        assert outcome.problems_text and all(reason for _row, _col, reason in outcome.problems_text)


@pytest.mark.django_db
@FAST
@given(st.sampled_from([ImportKind.RECORDS, ImportKind.CUSTOMS]), st.data())
def test_the_import_writes_every_row_or_none(mx: Any, kind: str, data: st.DataObject) -> None:
    text = data.draw(mutated(GOOD if kind == ImportKind.RECORDS else CUSTOMS))
    name, encode = data.draw(encodings)
    if name not in importer.ENCODINGS:
        name = "utf-8"
    _all_or_nothing(mx, kind, encode(text), name)


@pytest.mark.django_db
def test_one_formula_among_good_rows_writes_nothing(mx: Any) -> None:
    data = (GOOD + 'export,authorised,2019,,II,1,,,GT,,=HYPERLINK("http://evil")\n').encode()
    before = _counts()
    outcome = services.import_csv(authority=mx, by=None, kind=ImportKind.RECORDS, data=data, filename="f.csv")
    assert not outcome.ok and [(r, c) for r, c, _ in outcome.problems_text] == [(5, "description")]
    assert _counts() == before


@pytest.mark.django_db
def test_formula_text_never_becomes_a_formula_in_the_report(mx: Any, make_user: Any) -> None:
    """Text typed elsewhere (a form, the API, the national definitions) reaches the XLSX report as text."""
    services.record_transfer(
        authority=mx,
        by=None,
        direction="export",
        basis="authorised",
        category="VIII.SA.4",
        date=__import__("datetime").date(2024, 3, 15),
        quantity=1,
        description="=cmd|' /C calc'!A0",
        comments='=HYPERLINK("http://evil")',
        importing_state="GT",
    )
    services.save_definitions(by=make_user("MX", Role.ADMINISTRATOR), authority=mx, text="=1+1")
    report = services.build_report("att", mx, 2024, "authorised", lang="en")
    content = services.render_report(report, "xlsx", "en")[0]
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        sheets = [book.read(n) for n in book.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any(b"<f>" in sheet for sheet in sheets)
    assert any(b"=1+1" in sheet for sheet in sheets)  # the text is still there, as text
    # In CSV, the apostrophe is what tells a spreadsheet that a cell is text.
    report_rows = list(csv.reader(io.StringIO(services.render_report(report, "csv")[0].decode("utf-8-sig"))))
    exported = services.export_records(TransferRecord.objects.filter(authority=mx), "csv").decode("utf-8-sig")
    export_rows = list(csv.reader(io.StringIO(exported)))
    for rows in (report_rows, export_rows):
        cells = [cell for row in rows[1:] for cell in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "@")], cells
        assert any(c.startswith("'=cmd|") for c in cells)


# --- through the API and the web client ----------------------------------------------------------------------

HOSTILE = {
    "utf-16": "direction,basis\n".encode("utf-16"),
    "binary": bytes(range(256)) * 8,
    "huge-field": b'direction,basis\nexport,"' + b"x" * 200_000 + b'"\n',
    "formula": (GOOD + "export,authorised,2019,,II,1,,,GT,,=cmd|' /C calc'!A0\n").encode(),
    "wrong-columns": b"a,b\n1,2,3,4,5\n",
    "zip": b"PK\x03\x04" + bytes(200),
    "empty": b"",
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_the_api_answers_hostile_csv(name: str, make_user: Any) -> None:
    client = Client()
    client.force_login(make_user("MX", Role.ADMINISTRATOR))
    before = _counts()
    response = client.post("/api/v1/reporting/records/import", {"file": SimpleUploadedFile("f.csv", HOSTILE[name])})
    assert response.status_code in (200, 400, 422), (response.status_code, response.content[:300])
    assert _counts() == before
    if response.status_code == 200:
        assert response.json()["ok"] is False


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_the_upload_page_answers_hostile_csv(name: str, make_user: Any) -> None:
    client = Client()
    client.force_login(make_user("MX", Role.ADMINISTRATOR))
    before = _counts()
    response = client.post(
        "/reports/records/import/", {"file": SimpleUploadedFile("f.csv", HOSTILE[name]), "encoding": "utf-8"}
    )
    assert response.status_code in (200, 302, 400), response.status_code
    assert _counts() == before
    if response.status_code == 302:  # on to the mapping page: the problems, or back to the upload with a message
        page = client.get(response["Location"], follow=True)
        assert page.status_code == 200
        assert "usa-alert" in page.content.decode() or 'name="action"' in page.content.decode()
        if PendingImport.objects.exists():  # still stashed: try to import it as it is
            again = client.post(response["Location"], {"action": "import"}, follow=True)
            assert again.status_code in (200, 400)
        assert _counts() == before


@pytest.mark.django_db
def test_the_cohort_results_csv_keeps_names_as_text(make_authority: Any, make_user: Any) -> None:
    import datetime as dt

    from attkit.training import services as training

    xt = make_authority("XT", country="XT", name_en="Sandbox", name_es="Sandbox", is_sandbox=True)
    instructor = make_user(xt, Role.INSTRUCTOR, username="xt.teacher")
    trainee = make_user(xt, Role.TRAINEE, username="xt.learner", first_name='=HYPERLINK("http://evil")')
    cohort = training.create_cohort(
        by=instructor, name="@SUM(1)", country="CR", starts_on=dt.date(2026, 10, 5), ends_on=dt.date(2026, 10, 8)
    )
    training.enrol(cohort.pk, by=instructor, trainee_id=trainee.pk)
    client = Client()
    client.force_login(instructor)
    response = client.get(f"/training/cohorts/{cohort.pk}/results.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    cells = [cell for row in rows[1:] for cell in row]
    assert cells and not [c for c in cells if c[:1] in ("=", "+", "@")], cells
    assert "'@SUM(1)" in cells and any(c.startswith("'=HYPERLINK") for c in cells)
