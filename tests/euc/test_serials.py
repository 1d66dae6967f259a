"""Serials carry ISO 7064 MOD 97-10 check digits: a mistyped serial is caught before any lookup."""

from __future__ import annotations

import itertools

import pytest

from attkit.euc import serials


def test_format_and_parse_round_trip():
    text = serials.format_serial("MX", 2026, 123)
    assert text.startswith("MX-EUC-2026-000123-")
    parsed = serials.parse_serial(text)
    assert parsed is not None
    assert (parsed.authority, parsed.kind, parsed.year, parsed.number) == ("MX", "EUC", 2026, 123)


def test_check_digits_follow_iso_7064_mod_97_10():
    body = "MX-EUC-2026-000123"
    digits = serials.check_digits(body)
    numeric = "".join(str(int(c, 36)) for c in body.replace("-", "")) + digits
    assert int(numeric) % 97 == 1


def test_every_single_character_error_is_caught():
    text = serials.format_serial("MX", 2026, 4711)
    for i, ch in enumerate(text):
        if ch == "-":
            continue
        alphabet = "0123456789" if ch.isdigit() else "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        for other in alphabet:
            if other != ch:
                assert not serials.is_valid_serial(text[:i] + other + text[i + 1 :])


def test_adjacent_swaps_are_caught():
    text = serials.format_serial("DE", 2027, 98765)
    compact = [i for i, c in enumerate(text) if c != "-"]
    for a, b in itertools.pairwise(compact):
        if b != a + 1 or text[a] == text[b]:
            continue
        swapped = text[:a] + text[b] + text[a] + text[b + 1 :]
        assert not serials.is_valid_serial(swapped)


def test_lower_case_and_blanks_are_accepted():
    text = serials.format_serial("MX", 2026, 1)
    assert serials.is_valid_serial(f"  {text.lower()} ")


@pytest.mark.parametrize("bad", ["", "MX-EUC-2026-000123", "MX-XYZ-2026-000123-00", "nonsense", "MX-EUC-26-1-00"])
def test_malformed_serials_are_refused(bad):
    assert serials.parse_serial(bad) is None


def test_dvc_serials_have_their_own_kind():
    assert serials.format_serial("MX", 2026, 5, "DVC").startswith("MX-DVC-2026-000005-")
    with pytest.raises(ValueError, match="kind"):
        serials.format_serial("MX", 2026, 5, "LIC")
