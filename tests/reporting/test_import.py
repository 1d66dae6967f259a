"""Import of past years from CSV: a dry run lists every problem; then all rows are written, or none."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from attkit.core.models import AuditEvent
from attkit.reporting import services
from attkit.reporting.models import ImportKind, ImportMapping, RecordImport, TransferRecord

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "records-import.csv"
GOOD = (
    "direction,basis,year,date,category,quantity,value,currency,importing_state,exporting_state\n"
    "export,authorised,2019,2019-03-15,VIII.SA.4,120,180000,USD,GT,\n"
    "import,actual,2020,,VIII.SA.1,500,,,,US\n"
)


def run(authority, data: bytes | str, **kwargs):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return services.import_csv(
        authority=authority, by=None, kind=ImportKind.RECORDS, data=data, filename="past.csv", **kwargs
    )


def test_the_example_file_imports(mx):
    outcome = run(mx, EXAMPLE.read_bytes())
    assert outcome.ok, outcome.problems_text
    assert outcome.created == TransferRecord.objects.count() == 32
    assert set(TransferRecord.objects.values_list("year", flat=True)) == {2018, 2019, 2020}
    assert TransferRecord.objects.filter(direction="transit").get().transit_states == ["MX"]
    batch = RecordImport.objects.get()
    assert batch.rows == 32 and len(batch.sha256) == 64
    assert AuditEvent.objects.filter(kind="records:import").count() == 1
    assert set(TransferRecord.objects.values_list("source", flat=True)) == {"import_csv"}


def test_a_good_file_writes_every_row(mx):
    outcome = run(mx, GOOD)
    assert outcome.ok and outcome.created == 2
    imported = TransferRecord.objects.get(direction="import")
    assert imported.importing_state == "MX" and imported.partner_state == "US" and imported.year == 2020


def test_one_bad_row_writes_nothing(mx):
    bad = GOOD + "export,authorised,2019,2019-03-15,VIII.SA.9,10,,,GT,\n"
    outcome = run(mx, bad)
    assert not outcome.ok
    assert outcome.problems_text == [
        (4, "category", "“VIII.SA.9” is not a category code (I to VII, VII(b), VIII.SA.1 to VIII.LW.7, ART3, ART4).")
    ]
    assert not TransferRecord.objects.exists()
    assert not RecordImport.objects.exists()
    assert not AuditEvent.objects.filter(kind="records:import").exists()


def test_dry_run_lists_row_errors_and_writes_nothing(mx):
    bad = GOOD + "export,authorised,2019,,I,,,,GT,\nexport,authorised,nineteen,,I,1,,,GT,\n"
    outcome = run(mx, bad, dry_run=True)
    assert [(row, col) for row, col, _reason in outcome.problems_text] == [(4, "quantity"), (5, "year")]
    assert not TransferRecord.objects.exists()
    clean = run(mx, GOOD, dry_run=True)
    assert clean.ok and clean.dry_run and clean.rows == 2 and clean.created == 0
    assert not TransferRecord.objects.exists()


def test_wrong_encoding_is_a_clear_message(mx):
    data = GOOD.replace("GT,", "GT,").encode("utf-8") + b"export,authorised,2019,,I,1,,,GT,\n"
    latin = (
        "direction,basis,year,category,quantity,importing_state,comments\nexport,actual,2019,I,1,GT,envío de prueba\n"
    ).encode("latin-1")
    outcome = run(mx, latin)
    assert not outcome.ok
    assert outcome.refused is not None and outcome.refused.code == "not_utf8"
    assert "not UTF-8" in outcome.problems_text[0][2]
    assert run(mx, latin, encoding="latin-1").ok
    assert TransferRecord.objects.get().comments == "envío de prueba"
    assert run(mx, data).ok


def test_utf8_with_bom_is_accepted(mx):
    assert run(mx, "\ufeff" + GOOD).ok


def test_missing_columns_are_refused(mx):
    outcome = run(mx, "year,quantity\n2019,4\n")
    assert not outcome.ok
    assert {col for _row, col, _reason in outcome.problems_text} == {"direction", "basis", "category"}
    assert not TransferRecord.objects.exists()


def test_a_mapping_renames_columns_and_is_remembered(mx):
    text = "Tipo,Base,Cat,Qty,Dest,Year\nexport,actual,I,2,GT,2019\n"
    mapping = {
        "Tipo": "direction",
        "Base": "basis",
        "Cat": "category",
        "Qty": "quantity",
        "Dest": "importing_state",
        "Year": "year",
    }
    assert run(mx, text, mapping=mapping).ok
    assert ImportMapping.objects.get(authority=mx, kind="records").mapping == mapping
    assert services.remembered_mapping(mx, "records")["Qty"] == "quantity"
    # the next file with the same headers is mapped without being told
    assert run(mx, text.replace("2019", "2020")).ok


def test_size_cap(mx):
    outcome = run(mx, b"direction\n" + b"x" * (10 * 1024 * 1024))
    assert not outcome.ok and outcome.refused is not None and outcome.refused.code == "too_large"


def test_only_records_managers_import(mx, mx_officer):
    with pytest.raises(PermissionDenied):
        services.import_csv(authority=mx, by=mx_officer, kind=ImportKind.RECORDS, data=GOOD.encode(), filename="x")


def test_the_authority_is_inferred_from_the_rows(mx, de):
    assert services.infer_authority(EXAMPLE.read_bytes(), "utf-8", None) == mx
    assert services.infer_authority(GOOD.encode(), "utf-8", None) is None  # the rows leave the home state out
    explicit = GOOD.replace(",GT,\n", ",GT,MX\n")
    assert services.infer_authority(explicit.encode(), "utf-8", None) == mx
    mixed = explicit + "export,actual,2019,,I,1,,,FR,DE\n"
    assert services.infer_authority(mixed.encode(), "utf-8", None) is None


def test_customs_declarations_import_all_or_nothing(mx):
    text = (
        "declaration_number,date,hs_code,quantity,licence_reference,direction\n"
        "A-1,2025-02-01,9301.90,10,MX-IMP-1,import\n"
        "A-2,2025-02-03,9302,5,,import\n"
    )
    outcome = services.import_csv(authority=mx, by=None, kind=ImportKind.CUSTOMS, data=text.encode(), filename="c")
    assert outcome.ok and outcome.created == 2
    again = services.import_csv(authority=mx, by=None, kind=ImportKind.CUSTOMS, data=text.encode(), filename="c")
    assert not again.ok
    assert [r for r, _c, _m in again.problems_text] == [2, 3]
