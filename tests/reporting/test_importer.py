"""The CSV reader without a database: encodings, mapping, and a reason for every bad row."""

from __future__ import annotations

from decimal import Decimal

import pytest

from attkit.reporting import importer
from attkit.reporting.importer import FileRefused, Vocabulary

VOCAB = Vocabulary(countries=frozenset({"MX", "GT", "US", "DE", "PA"}), currencies=frozenset({"USD", "EUR"}))
HEADER = "direction,basis,year,date,category,quantity,value,currency,importing_state,exporting_state"


def parse(text: str, mapping: dict[str, str] | None = None) -> importer.Parsed:
    headers, rows = importer.read_table(importer.decode(text.encode("utf-8")))
    mapping = mapping if mapping is not None else importer.default_mapping(headers, importer.RECORD_FIELDS)
    return importer.validate(
        headers, rows, mapping, importer.RECORD_FIELDS, VOCAB, row_check=importer.record_row_check("MX")
    )


def test_utf8_with_a_bom_is_read():
    text = importer.decode("\ufeffdirection,basis\nexport,actual\n".encode())
    assert text.startswith("direction")


def test_not_utf8_is_refused_with_the_line():
    data = "direction,comments\nexport,año\n".encode("latin-1")
    with pytest.raises(FileRefused) as info:
        importer.decode(data)
    assert info.value.code == "not_utf8"
    assert info.value.params["line"] == 2


def test_latin1_when_declared():
    data = "direction,comments\nexport,año\n".encode("latin-1")
    assert "año" in importer.decode(data, "latin-1")


def test_size_cap():
    with pytest.raises(FileRefused) as info:
        importer.decode(b"x" * (importer.MAX_BYTES + 1))
    assert info.value.code == "too_large"


def test_row_cap():
    with pytest.raises(FileRefused) as info:
        importer.read_table("a\n" + "1\n" * 11, max_rows=10)
    assert info.value.code == "too_many_rows"


def test_empty_and_binary_files_are_refused():
    for text, code in (("", "empty"), ("a,b\x00\n", "binary")):
        with pytest.raises(FileRefused) as info:
            importer.read_table(text)
        assert info.value.code == code


def test_semicolons_are_read_too():
    headers, rows = importer.read_table("direction;basis\nexport;actual\n")
    assert headers == ["direction", "basis"]
    assert rows == [(2, ["export", "actual"])]


def test_a_valid_row():
    parsed = parse(HEADER + '\nexport,authorised,2024,2024-03-15,viii-sa-4,"1,200",1500.50,usd,GT,\n')
    assert parsed.ok, parsed.problems
    ((line, row),) = parsed.rows
    assert line == 2
    assert row["category"] == "VIII.SA.4"
    assert row["quantity"] == 1200
    assert row["value"] == Decimal("1500.50")
    assert row["currency"] == "USD"
    assert row["exporting_state"] == "MX"  # the reporting state fills the exporter of an export


def test_every_bad_row_is_named_with_its_column_and_reason():
    text = (
        HEADER
        + "\nexport,authorised,2024,2024-03-15,VIII.SA.4,10,,,GT,\n"  # fine
        + "sideways,authorised,2024,,VIII.SA.4,10,,,GT,\n"  # bad direction
        + "export,authorised,2024,2023-01-01,VIII.SA.4,10,,,GT,\n"  # date outside the year
        + "export,authorised,2024,,IX,10,,,GT,\n"  # bad category
        + "export,authorised,2024,,I,-3,,,GT,\n"  # negative
        + "export,authorised,2024,,I,,100,,GT,\n"  # value without currency
        + "export,authorised,2024,,I,2,,,XX,\n"  # bad country
        + "import,actual,2024,,I,2,,,,\n"  # import without exporter
        + "export,actual,2024,15/03/2024,I,2,,,GT,\n"  # date format
    )
    parsed = parse(text)
    found = {(p.row, p.column, p.code) for p in parsed.problems}
    assert found == {
        (3, "direction", "bad_choice"),
        (4, "date", "year_date_mismatch"),
        (5, "category", "bad_category"),
        (6, "quantity", "negative"),
        (7, "currency", "currency_needed"),
        (8, "importing_state", "bad_country"),
        (9, "exporting_state", "required_for_import"),
        (10, "date", "bad_date"),
    }
    assert [line for line, _row in parsed.rows] == [2]
    assert not parsed.ok


def test_missing_required_columns_are_named():
    parsed = parse("year,quantity\n2024,3\n")
    assert {p.code for p in parsed.problems} == {"missing_column"}
    assert {p.params["field"] for p in parsed.problems} == {"direction", "basis", "category"}


def test_mapping_defaults_use_attkit_names_then_aliases_then_remembered_choices():
    headers = ["Direction", "base", "Categoría", "Cantidad", "my value"]
    mapping = importer.default_mapping(headers, importer.RECORD_FIELDS, {"my value": "value"})
    assert mapping == {
        "Direction": "direction",
        "base": "basis",
        "Categoría": "category",
        "Cantidad": "quantity",
        "my value": "value",
    }


def test_a_field_mapped_twice_is_refused():
    problems = importer.check_mapping(["a", "b"], {"a": "quantity", "b": "quantity"}, importer.RECORD_FIELDS)
    assert "mapped_twice" in {p.code for p in problems}


@pytest.mark.parametrize(
    ("raw", "value"),
    [("1234.56", "1234.56"), ("1,234.56", "1234.56"), ("1.234,56", "1234.56"), ("12,5", "12.5"), ("7", "7")],
)
def test_decimal_spellings(raw, value):
    assert importer.parse_decimal(raw) == Decimal(value)


@pytest.mark.parametrize("raw", ["1.2.3", "abc", "1,23,4", "0.001"])
def test_decimal_refusals(raw):
    with pytest.raises(ValueError):
        importer.parse_decimal(raw)


@pytest.mark.parametrize(("raw", "value"), [("1200", 1200), ("1,200", 1200), ("1.200", 1200), ("1 200", 1200)])
def test_whole_numbers(raw, value):
    assert importer.parse_int(raw) == value


def test_duplicates_in_a_customs_file():
    headers, rows = importer.read_table(
        "number,date,hs_code,quantity,direction\nA1,2024-01-02,9301.90,3,import\nA1,2024-01-03,9302,1,import\n"
    )
    parsed = importer.validate(
        headers,
        rows,
        importer.default_mapping(headers, importer.CUSTOMS_FIELDS),
        importer.CUSTOMS_FIELDS,
        VOCAB,
        row_check=importer.customs_row_check,
    )
    importer.duplicates(parsed, "number", "number")
    assert [(p.row, p.code) for p in parsed.problems] == [(3, "duplicate_in_file")]
    assert parsed.rows[0][1]["hs_code"] == "930190"
