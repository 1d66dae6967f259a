"""`attkit reference load` and `attkit reference show-embargo`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("reference", *args, stdout=out)
    return out.getvalue()


def test_load_prints_a_line_per_set_and_is_idempotent():
    first = _run("load")
    assert "countries: 249 rows (249 created" in first
    assert "embargoes_un: 14 rows (14 created" in first
    assert "as of 2026-02-12" in first
    second = _run("load")
    assert "embargoes_un: 14 rows (0 created, 0 updated, 14 unchanged" in second
    assert "Nothing to change" in second


def test_load_only_one_set():
    out = _run("load", "--only", "embargoes")
    assert "embargoes_un" in out and "embargoes_other" in out and "countries" not in out


def test_show_embargo_prints_the_embargoes_on_a_country():
    _run("load")
    out = _run("show-embargo", "kp")
    assert out.startswith("KP (Korea, Democratic People's Republic of): 1 on record (as of 2025-12-15)")
    assert "S/RES/1718 (2006) [UN] scope full; exports from the target banned too" in out
    assert "Verify against the Security Council's current measures" in out


def test_show_embargo_marks_unverified_rows():
    _run("load")
    out = _run("show-embargo", "CD")
    assert "scope non_state_actors" in out
    assert "UNVERIFIED (marked in: latest_resolutions)" in out


def test_show_embargo_with_none_on_record():
    _run("load")
    assert _run("show-embargo", "MX").strip() == "MX (Mexico): none on record (as of 2025-12-15)"


def test_show_embargo_refuses_bad_codes_and_missing_data():
    with pytest.raises(CommandError, match="No embargo data loaded"):
        _run("show-embargo", "KP")
    _run("load")
    with pytest.raises(CommandError, match="not an ISO 3166-1 alpha-2 code"):
        _run("show-embargo", "KOR")
    with pytest.raises(CommandError, match="XX is not a country code on record"):
        _run("show-embargo", "XX")
