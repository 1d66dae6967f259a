"""Loading lists: provenance, counts, diffs against the previous version, and all-or-nothing failure."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from attkit.core.models import AuditEvent
from attkit.core.permissions import Role
from attkit.screening import services
from attkit.screening.loaders import UN_SAMPLE
from attkit.screening.models import ListedEntry, ListVersion

pytestmark = pytest.mark.django_db

NATIONAL = """ref,name,schema,aliases,dob,country,program,remarks
MX-D-1,Juan Pérez García,person,Juancho Pérez,1970-01-02,MX,national denial,refused 2024
MX-D-2,Armas del Sur S.A. de C.V.,organization,,,MX,national denial,
"""


def _national(tmp_path: Path, text: str = NATIONAL) -> Path:
    path = tmp_path / "national.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_un_list_loads_with_provenance():
    version = services.load_list("un", UN_SAMPLE)
    assert version.version.startswith("2026-02-27")
    assert version.counts["person"] == 730 and version.counts["organization"] == 273
    assert ListedEntry.objects.filter(version=version).count() == 1003
    assert version.is_current and version.authority is None
    assert AuditEvent.objects.filter(kind="screening:list_load", target_id=str(version.pk)).exists()


def test_second_load_is_diffed_against_the_first(tmp_path, mx):
    first = services.load_list("csv", _national(tmp_path), authority=mx)
    changed = (
        NATIONAL.replace("refused 2024", "refused 2025").replace(
            "MX-D-2,Armas del Sur S.A. de C.V.,organization,,,MX,national denial,\n", ""
        )
        + "MX-D-3,Pedro Gómez,person,,1980,MX,national denial,\n"
    )
    second = services.load_list("csv", _national(tmp_path, changed), authority=mx)
    first.refresh_from_db()
    assert not first.is_current and second.is_current and second.previous_id == first.pk
    assert second.added == ["MX-D-3"] and second.removed == ["MX-D-2"] and second.changed == ["MX-D-1"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><CONSOLIDATED_LIST>&b;</CONSOLIDATED_LIST>',
            "",
        ),
        (
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><CONSOLIDATED_LIST>&e;</CONSOLIDATED_LIST>',
            "",
        ),
        ("<CONSOLIDATED_LIST><INDIVIDUALS>", ""),
    ],
)
def test_hostile_or_malformed_xml_is_refused_and_changes_nothing(tmp_path, content, message):
    services.load_list("un", UN_SAMPLE)
    before = (ListVersion.objects.count(), ListedEntry.objects.count(), AuditEvent.objects.count())
    bad = tmp_path / "bad.xml"
    bad.write_text(content)
    with pytest.raises(ValidationError) as info:
        services.load_list("un", bad)
    assert "file" in info.value.message_dict
    assert (ListVersion.objects.count(), ListedEntry.objects.count(), AuditEvent.objects.count()) == before


def test_csv_with_missing_columns_is_refused(tmp_path, mx):
    with pytest.raises(ValidationError) as info:
        services.load_list("csv", _national(tmp_path, "id,fullname\n1,x\n"), authority=mx)
    assert "column" in str(info.value).lower()
    assert not ListVersion.objects.exists()


def test_unknown_kind_is_named(tmp_path):
    with pytest.raises(ValidationError) as info:
        services.load_list("interpol", _national(tmp_path))
    assert "interpol" in str(info.value)


def test_national_list_needs_an_authority(tmp_path):
    with pytest.raises(ValidationError):
        services.load_list("csv", _national(tmp_path))


def test_loading_needs_the_permission(tmp_path, make_user):
    from django.core.exceptions import PermissionDenied

    officer = make_user("MX", Role.LICENSING_OFFICER)
    with pytest.raises(PermissionDenied):
        services.load_list("un", UN_SAMPLE, by=officer)


def test_national_list_is_its_authority_only(tmp_path, mx, de):
    services.load_list("csv", _national(tmp_path), authority=mx)
    assert any(v.kind == "csv" for v in services.current_versions(mx))
    assert not any(v.kind == "csv" for v in services.current_versions(de))


def test_load_command(tmp_path, capsys):
    call_command("screening", "load", "un", str(UN_SAMPLE))
    assert "loaded UN Security Council Consolidated List version 2026-02-27" in capsys.readouterr().out
    with pytest.raises(CommandError, match="Unknown list kind"):
        call_command("screening", "load", "nope", str(UN_SAMPLE))
    missing = tmp_path / "none.xml"
    with pytest.raises(CommandError, match="not found"):
        call_command("screening", "load", "un", str(missing))


def test_ofac_folder_loads():
    from attkit.screening.loaders import OFAC_SAMPLE

    version = services.load_list("ofac", OFAC_SAMPLE)
    assert version.counts["total"] == 8976


def test_list_pages(client, make_user, login, tmp_path):
    services.load_list("un", UN_SAMPLE)
    login(make_user("MX", Role.ADMINISTRATOR))
    html = client.get("/screening/lists/").content.decode()
    assert "2026-02-27" in html and "first load" in html
    upload = _national(tmp_path)
    with upload.open("rb") as fh:
        response = client.post("/screening/lists/load/", {"kind": "csv", "file": fh, "name": "Denials"})
    assert response.status_code == 302
    bad = tmp_path / "bad.csv"
    bad.write_text("nothing,here\n1,2\n")
    with bad.open("rb") as fh:
        html = client.post("/screening/lists/load/", {"kind": "csv", "file": fh}).content.decode()
    assert "There is a problem" in html
    shutil.rmtree(tmp_path, ignore_errors=True)
