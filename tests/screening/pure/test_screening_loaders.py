"""List loaders on the real UN and OFAC files, the samples, and hostile or broken input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from attkit.screening.loaders import (
    OFAC_SAMPLE,
    UN_SAMPLE,
    BirthDate,
    Document,
    ListEntry,
    ListFormatError,
    ListKind,
    ListSnapshot,
    Name,
    NameQuality,
    Schema,
    diff,
    load,
    load_ftm,
    load_national_csv,
    load_ofac,
    load_un,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "lists"


@pytest.fixture(scope="module")
def un() -> ListSnapshot:
    return load_un(UN_SAMPLE)


@pytest.fixture(scope="module")
def ofac() -> ListSnapshot:
    return load_ofac(OFAC_SAMPLE)


def entry(snapshot: ListSnapshot, ref: str) -> ListEntry:
    return next(e for e in snapshot.entries if e.ref == ref)


# --- UN Security Council Consolidated List ------------------------------------------------------


def test_un_list_counts_and_version(un: ListSnapshot) -> None:
    assert un.kind is ListKind.UN
    assert un.counts == {"person": 730, "organization": 273, "vessel": 0, "aircraft": 0, "total": 1003}
    assert un.version == "2026-02-27T00:00:09.554Z"
    assert un.generated_at == dt.datetime(2026, 2, 27, 0, 0, 9, 554000, tzinfo=dt.UTC)
    assert len(un.sha256) == 64


def test_un_aliases_keep_their_quality_and_original_script(un: ListSnapshot) -> None:
    qualities = [name.quality for e in un.entries for name in e.names[1:]]
    assert qualities.count(NameQuality.WEAK) == 615  # the "Low" aliases
    assert sum(1 for e in un.entries for n in e.names if n.quality is NameQuality.ORIGINAL_SCRIPT) >= 370
    saddam = next(e for e in un.entries if any(n.value == "صدام حسين التكريتي" for n in e.names))
    assert saddam.schema is Schema.PERSON
    assert saddam.nationalities == ("IQ",)


def test_un_individual_fields(un: ListSnapshot) -> None:
    badege = entry(un, "CDi.001")
    assert badege.names[0] == Name("ERIC BADEGE")
    assert badege.dobs == (BirthDate.year(1971),)
    assert badege.nationalities == ("CD",)
    assert badege.programs == ("DRC",)
    assert badege.listed_on == dt.date(2012, 12, 31)


def test_un_dates_of_birth_exact_year_and_range(un: ListSnapshot) -> None:
    kinds = {dob.kind for e in un.entries for dob in e.dobs}
    assert kinds == {"exact", "year", "range"}
    assert any(dob.approximate for e in un.entries for dob in e.dobs)


def test_un_documents_have_iso_countries(un: ListSnapshot) -> None:
    documents = [doc for e in un.entries for doc in e.documents]
    assert len(documents) > 300
    assert any(doc.type == "Passport" and doc.country == "TZ" for doc in documents)


def test_un_entity_with_aliases_and_addresses(un: ListSnapshot) -> None:
    adf = entry(un, "CDe.001")
    assert adf.schema is Schema.ORGANIZATION
    assert adf.names[0].value == "ADF"
    assert len(adf.names) > 1


# --- OFAC SDN ----------------------------------------------------------------------------------------


def test_ofac_counts(ofac: ListSnapshot) -> None:
    assert ofac.counts == {"person": 4620, "organization": 3673, "vessel": 406, "aircraft": 277, "total": 8976}
    assert ofac.kind is ListKind.OFAC


def test_ofac_individual_is_first_name_first_with_remarks_parsed(ofac: ListSnapshot) -> None:
    zawahiri = entry(ofac, "2676")
    assert zawahiri.schema is Schema.PERSON
    assert zawahiri.names[0].value == "Dr. Ayman AL ZAWAHIRI"
    assert Name("Ayman AL-ZAWAHIRI") in zawahiri.names  # from alt.csv
    assert zawahiri.dobs == (BirthDate.exact(dt.date(1951, 6, 19)),)
    assert Document("Passport", "1084010", "EG") in zawahiri.documents
    assert "EG" in zawahiri.countries  # place of birth


def test_ofac_weak_aliases_and_addresses(ofac: ListSnapshot) -> None:
    bank = entry(ofac, "306")
    assert Name("NATIONAL BANK OF CUBA") in bank.names
    assert Name("BNC", NameQuality.WEAK) in bank.names  # a.k.a. in the remarks
    assert {"CH", "ES", "JP", "PA"} <= set(bank.countries)
    assert bank.programs == ("CUBA",)


def test_ofac_nationalities_and_vessels(ofac: ListSnapshot) -> None:
    assert sum(1 for e in ofac.entries if e.nationalities) > 2000
    vessel = entry(ofac, "4234")
    assert vessel.schema is Schema.VESSEL
    assert vessel.countries == ("CU",)
    assert Document("Call Sign", "CL2685") in vessel.documents


def test_ofac_loads_from_sdn_path_and_without_alt_or_add(tmp_path: Path) -> None:
    assert load_ofac(OFAC_SAMPLE / "sdn.csv").counts["total"] == 8976
    (tmp_path / "SDN.CSV").write_bytes((OFAC_SAMPLE / "sdn.csv").read_bytes()[:2000].rsplit(b"\n", 1)[0] + b"\n")
    snapshot = load_ofac(tmp_path, version="2021-07-07")
    assert snapshot.version == "2021-07-07"
    assert 0 < snapshot.counts["total"] < 30


def test_ofac_wrong_columns_are_named(tmp_path: Path) -> None:
    (tmp_path / "sdn.csv").write_text('36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA"\n', encoding="utf-8")
    with pytest.raises(ListFormatError, match=r"sdn\.csv line 1: expected 12 columns, found 4"):
        load_ofac(tmp_path)


def test_ofac_bad_dob_is_named(tmp_path: Path) -> None:
    row = '7,"DOE, John","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 31 Feb 1970."\n'
    (tmp_path / "sdn.csv").write_text(row, encoding="utf-8")
    with pytest.raises(ListFormatError, match=r"line 1: DOB 31 Feb 1970 is not a date"):
        load_ofac(tmp_path)


def test_ofac_directory_without_sdn(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match=r"no sdn\.csv"):
        load_ofac(tmp_path)


# --- Hostile and broken XML ------------------------------------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<CONSOLIDATED_LIST dateGenerated="2026-01-01T00:00:00Z"><INDIVIDUALS><INDIVIDUAL>
<FIRST_NAME>&lol9;</FIRST_NAME><REFERENCE_NUMBER>QDi.001</REFERENCE_NUMBER>
</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<CONSOLIDATED_LIST dateGenerated="2026-01-01T00:00:00Z"><INDIVIDUALS><INDIVIDUAL>
<FIRST_NAME>&xxe;</FIRST_NAME><REFERENCE_NUMBER>QDi.001</REFERENCE_NUMBER>
</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"""


def _xml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "list.xml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "external-entity"])
def test_un_refuses_entity_expansion_and_external_entities(tmp_path: Path, text: str) -> None:
    with pytest.raises(ListFormatError, match="refused"):
        load_un(_xml(tmp_path, text))


def test_un_malformed_xml_names_the_position(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match=r"malformed XML at line 2"):
        load_un(_xml(tmp_path, "<CONSOLIDATED_LIST>\n<INDIVIDUALS></CONSOLIDATED_LIST>"))


def test_un_wrong_root(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match="expected <CONSOLIDATED_LIST>"):
        load_un(_xml(tmp_path, "<sdnList/>"))


def test_un_missing_reference_is_named(tmp_path: Path) -> None:
    text = "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>7</DATAID><FIRST_NAME>A</FIRST_NAME>"
    text += "</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"
    with pytest.raises(ListFormatError, match=r"INDIVIDUAL #1 \(DATAID 7\): missing REFERENCE_NUMBER"):
        load_un(_xml(tmp_path, text))


def test_un_oversized_name_is_refused(tmp_path: Path) -> None:
    text = f"<CONSOLIDATED_LIST><ENTITIES><ENTITY><FIRST_NAME>{'A' * 1001}</FIRST_NAME>"
    text += "<REFERENCE_NUMBER>QDe.001</REFERENCE_NUMBER></ENTITY></ENTITIES></CONSOLIDATED_LIST>"
    with pytest.raises(ListFormatError, match=r"ENTITY #1 \(QDe\.001\) FIRST_NAME: name of 1,001 characters"):
        load_un(_xml(tmp_path, text))


def test_oversized_file_is_refused_before_reading() -> None:
    with pytest.raises(ListFormatError, match="over the 1,000-byte limit"):
        load_un(UN_SAMPLE, max_bytes=1000)


def test_missing_file() -> None:
    with pytest.raises(ListFormatError, match="file not found"):
        load_un(Path("/nonexistent/UN.xml"))


# --- FollowTheMoney and national CSV ----------------------------------------------------------------


def test_ftm_sample() -> None:
    snapshot = load_ftm(FIXTURES / "ftm_sample.jsonl")
    assert snapshot.counts["total"] == 3  # the Address and Sanction entities are not list entries
    bout = entry(snapshot, "NK-person-1")
    assert Name("Merchant of Death", NameQuality.WEAK) in bout.names
    assert bout.dobs == (BirthDate.exact(dt.date(1967, 1, 13)),)
    assert bout.nationalities == ("RU",)
    assert bout.programs == ("UNSC 1521 (Liberia)",)  # from the Sanction entity
    assert bout.listed_on == dt.date(2004, 3, 12)
    assert any(doc.number == "21N0512295" for doc in bout.documents)
    assert entry(snapshot, "NK-vessel-1").schema is Schema.VESSEL


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 1: invalid JSON"),
        ('{"schema": "Person", "properties": {}}', "line 1: expected an entity object"),
        ('{"id": "x", "schema": "Wizard", "properties": {}}', "unknown FollowTheMoney schema 'Wizard'"),
        ('{"id": "x", "schema": "Person", "properties": {"name": "A"}}', "property 'name' is not a list"),
        ('{"id": "x", "schema": "Person", "properties": {"birthDate": ["1970"]}}', r"\(x\): entity has no name"),
    ],
)
def test_ftm_bad_lines(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "entities.ftm.json"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ListFormatError, match=message):
        load_ftm(path)


def test_national_sample() -> None:
    snapshot = load_national_csv(FIXTURES / "national_sample.csv")
    assert snapshot.counts == {"person": 2, "organization": 1, "vessel": 1, "aircraft": 0, "total": 4}
    garcia = entry(snapshot, "MX-DEN-001")
    assert [n.value for n in garcia.names] == ["José Antonio García Márquez", "Pepe García", "José A. García M."]
    assert garcia.dobs == (BirthDate.exact(dt.date(1970, 5, 31)),)
    assert garcia.nationalities == ("MX",)
    assert entry(snapshot, "MX-DEN-002").countries == ("MX", "GT")
    assert entry(snapshot, "MX-DEN-004").dobs == (BirthDate.between(1968, 1972),)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty file, expected a header row"),
        ("ref,nombre\n1,A\n", r"unknown column\(s\) 'nombre'"),
        ("ref,schema\n1,person\n", r"missing required column\(s\) name"),
        ("ref,name,name\n1,A,B\n", r"column\(s\) name appear more than once"),
        ("ref,name,dob\n1,A,31/05/1970\n", r"line 2: dob '31/05/1970' is not YYYY-MM-DD"),
        ("ref,name,schema\n1,A,wizard\n", r"line 2: schema 'wizard' is not person"),
        ("ref,name\n1,A\n1,B\n", r"line 3: ref '1' appears twice"),
        ("ref,name\n1,\n", r"line 2 name: empty name"),
        ("ref,name\n1,A,extra\n", r"line 2: expected 2 fields as in the header, found 3"),
        ("ref,name,country\n1,A,Atlantis\n", r"line 2: country 'Atlantis' is not a known country"),
    ],
)
def test_national_csv_bad_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "national.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ListFormatError, match=message):
        load_national_csv(path)


def test_national_csv_ten_megabyte_name_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "national.csv"
    path.write_text("ref,name\n1," + "A" * 10_000_000 + "\n", encoding="utf-8")
    with pytest.raises(ListFormatError, match="line 2: column name is over 100,000 characters"):
        load_national_csv(path)


def test_national_csv_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "national.csv"
    path.write_bytes("ref,name\n1,Jos\xe9\n".encode("latin-1"))
    with pytest.raises(ListFormatError, match="not UTF-8"):
        load_national_csv(path)


# --- Dispatch and diff ------------------------------------------------------------------------------


def test_load_dispatches_on_kind() -> None:
    assert load("csv", FIXTURES / "national_sample.csv").kind is ListKind.CSV
    with pytest.raises(ListFormatError, match="unknown list kind 'eu'"):
        load("eu", FIXTURES / "national_sample.csv")


def test_diff_reports_added_removed_and_changed() -> None:
    a = ListEntry("1", Schema.PERSON, (Name("Ana Pérez"),))
    b = ListEntry("2", Schema.PERSON, (Name("Luis Gómez"),))
    b_changed = ListEntry("2", Schema.PERSON, (Name("Luis Gómez"), Name("Lucho Gómez")))
    c = ListEntry("3", Schema.ORGANIZATION, (Name("Acme SA"),))
    result = diff([a, b], [b_changed, c])
    assert (result.added, result.removed, result.changed) == (("3",), ("1",), ("2",))
    assert diff([a, b], [a, b]).is_empty


def test_diff_between_real_snapshots_of_a_list(tmp_path: Path, un: ListSnapshot) -> None:
    text = UN_SAMPLE.read_text(encoding="utf-8").replace(
        "<FIRST_NAME>ERIC</FIRST_NAME>", "<FIRST_NAME>ERIK</FIRST_NAME>"
    )
    newer = load_un(_xml(tmp_path, text))
    result = diff(un.entries, newer.entries)
    assert result.changed == ("CDi.001",)
    assert not result.added and not result.removed
