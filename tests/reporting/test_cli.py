"""The command line, exactly as the issue writes it: `attkit report att|unroca ...`, `attkit records import ...`."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import pytest

from attkit.cli import main
from attkit.reporting.models import TransferRecord

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cli_keeps_connection")]

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "records-import.csv"


def attkit(*args: str) -> int:
    try:
        main(list(args))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
@pytest.mark.parametrize("kind", ["att", "unroca"])
def test_report_writes_the_file(record, tmp_path, capsys, kind, fmt):
    record(date=dt.date(2024, 4, 1))
    out = tmp_path / f"report.{fmt}"
    code = attkit(
        "report",
        kind,
        "--year",
        "2024",
        "--authority",
        "MX",
        "--basis",
        "authorised",
        "--format",
        fmt,
        "--out",
        str(out),
    )
    assert code == 0
    assert f"wrote the {kind} report of MX for 2024 (authorised, 1 lines)" in capsys.readouterr().out
    data = out.read_bytes()
    if fmt == "xlsx":
        assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames[0] == "Title page"
    elif fmt == "json":
        lines = [ln for panel in json.loads(data)["panels"] for ln in panel["lines"]]
        assert [ln["quantity"] for ln in lines] == [100]
    else:
        assert data.decode("utf-8-sig").startswith("panel,direction,category")


def test_report_in_spanish_and_withheld(record, tmp_path):
    record(date=dt.date(2024, 4, 1))
    out = tmp_path / "r.json"
    assert (
        attkit(
            "report",
            "att",
            "--year",
            "2024",
            "--authority",
            "mx",
            "--basis",
            "actual",
            "--format",
            "json",
            "--out",
            str(out),
            "--withheld",
            "--lang",
            "es",
        )
        == 0
    )
    data = json.loads(out.read_text())
    assert data["nil_report"] is True and data["sensitive_data_withheld"] is True
    assert data["reporting_state_name"] == "México"


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--year", "2024", "--authority", "MX", "--basis", "guessed", "--format", "csv"], 2),  # argparse
        (["--year", "2024", "--authority", "ZZ", "--basis", "actual", "--format", "csv"], 2),  # no authority
        (["--year", "1900", "--authority", "MX", "--basis", "actual", "--format", "csv"], 1),  # refused year
        (["--authority", "MX", "--basis", "actual", "--format", "csv"], 2),  # --year missing
    ],
)
def test_report_refusals_exit_non_zero(mx, tmp_path, capsys, args, code):
    assert attkit("report", "att", *args, "--out", str(tmp_path / "x")) == code
    assert not (tmp_path / "x").exists()
    assert capsys.readouterr().err.strip()


def test_records_import_dry_run_then_import(mx, de, capsys):
    assert attkit("records", "import", str(EXAMPLE), "--dry-run") == 0
    assert "dry run: 32 rows are valid for MX; nothing was written" in capsys.readouterr().out
    assert not TransferRecord.objects.exists()
    assert attkit("records", "import", str(EXAMPLE)) == 0
    assert "imported 32 rows into MX" in capsys.readouterr().out
    assert TransferRecord.objects.filter(authority=mx).count() == 32


def test_records_import_refuses_a_bad_file_with_rows_and_reasons(mx, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "direction,basis,year,category,quantity,importing_state\n"
        "export,actual,2019,I,3,GT\n"
        "export,actual,2019,I,three,GT\n",
        encoding="utf-8",
    )
    assert attkit("records", "import", str(bad), "--authority", "MX") == 1
    err = capsys.readouterr().err
    assert "row 3, column quantity: Enter a whole number, such as 1200." in err
    assert "nothing was written" in err
    assert not TransferRecord.objects.exists()


def test_records_import_encoding_error(mx, tmp_path, capsys):
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        "direction,basis,year,category,quantity,importing_state,comments\nexport,actual,2019,I,3,GT,envío\n".encode(
            "latin-1"
        )
    )
    assert attkit("records", "import", str(latin), "--authority", "MX") == 1
    assert "not UTF-8" in capsys.readouterr().err
    assert attkit("records", "import", str(latin), "--authority", "MX", "--encoding", "latin-1") == 0


def test_records_import_with_a_mapping(mx, tmp_path):
    f = tmp_path / "m.csv"
    f.write_text("kind,how,when,what,n,to\nexport,actual,2019,I,3,GT\n", encoding="utf-8")
    mapping = json.dumps(
        {
            "kind": "direction",
            "how": "basis",
            "when": "year",
            "what": "category",
            "n": "quantity",
            "to": "importing_state",
        }
    )
    assert attkit("records", "import", str(f), "--authority", "MX", "--mapping", mapping) == 0
    assert TransferRecord.objects.get().quantity == 3


def test_records_import_needs_an_authority_when_the_file_does_not_say(mx, de, tmp_path, capsys):
    f = tmp_path / "m.csv"
    f.write_text("direction,basis,year,category,quantity,importing_state\nexport,actual,2019,I,3,GT\n")
    assert attkit("records", "import", str(f)) == 2
    assert "--authority" in capsys.readouterr().err


def test_records_export_and_retention(record, tmp_path, capsys):
    record(date=dt.date(2012, 1, 1))
    out = tmp_path / "r.json"
    assert attkit("records", "export", "--authority", "MX", "--format", "json", "--out", str(out)) == 0
    assert len(json.loads(out.read_text())) == 1
    assert attkit("records", "retention", "--authority", "MX", "--json") == 0
    rows = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert rows == [
        {
            "year": 2012,
            "records": 1,
            "current": 1,
            "retain_until_first": "2022-01-01",
            "retain_until_last": "2022-01-01",
            "deletable": 1,
        }
    ]
