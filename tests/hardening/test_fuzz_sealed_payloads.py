"""A seal that verifies is signed by a trusted authority, but its payload is still input: wrong types in the goods
of an end-user certificate must not break the licensing check that reads them."""

from __future__ import annotations

from typing import Any

import pytest

from attkit.licensing import integrations
from attkit.seals import services as seal_services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "goods",
    [
        [["II", "tanks", "many"]],
        [["II", "tanks", None]],
        [["II", "tanks", ["3"]]],
        [["II", "tanks", 1e300]],
        [["II", "tanks", "9" * 5000]],
        [{"category": "II", "quantity": "x"}],
        [{"category": ["II"], "quantity": {"n": 1}}],
        "II",
        5,
        [None, 7, "x", ["II"]],
        [["II", "tanks", True]],
        [["II", "tanks", -5]],
    ],
)
def test_malformed_goods_in_a_valid_seal_are_not_an_error(goods: Any, make_authority: Any) -> None:
    mx = make_authority("MX")
    seal = seal_services.seal(mx, "EUC1:", {"s": "MX-EUC-1", "g": goods}, expires_at=None, serial="MX-EUC-1")
    result = integrations.check_euc(authority=make_authority("DE"), serial="MX-EUC-1", seal_text=seal)
    assert result.check is not None
    assert all(isinstance(quantity, int) and quantity >= 0 for _line, _cat, quantity in result.lines)


def test_a_well_formed_line_still_counts(make_authority: Any) -> None:
    mx = make_authority("MX")
    goods = [["II", "tanks", 3], {"category": "I", "quantity": "2"}]
    seal = seal_services.seal(mx, "EUC1:", {"s": "MX-EUC-3", "g": goods}, expires_at=None, serial="MX-EUC-3")
    result = integrations.check_euc(authority=make_authority("DE"), serial="MX-EUC-3", seal_text=seal)
    assert result.lines == ((1, "II", 3), (2, "I", 2))
