"""Fixtures for records and reports: officials of MX and DE and a quick way to keep records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from attkit.core.permissions import Role
from attkit.reporting import services
from attkit.reporting.models import TransferRecord


@pytest.fixture
def mx_admin(make_user: Callable[..., Any]) -> Any:
    """Records manager and report manager of Mexico."""
    return make_user("MX", Role.ADMINISTRATOR, username="mx.records")


@pytest.fixture
def de_admin(make_user: Callable[..., Any]) -> Any:
    return make_user("DE", Role.ADMINISTRATOR, username="de.records")


@pytest.fixture
def mx_officer(make_user: Callable[..., Any]) -> Any:
    """Reads records and reports, manages neither."""
    return make_user("MX", Role.LICENSING_OFFICER, username="mx.officer")


@pytest.fixture
def record(mx: Any) -> Callable[..., TransferRecord]:
    """Keep one record for MX (system actor); keyword arguments override the defaults."""

    def make(**kwargs: Any) -> TransferRecord:
        data: dict[str, Any] = {
            "direction": "export",
            "basis": "authorised",
            "category": "VIII.SA.4",
            "date": dt.date(2024, 3, 15),
            "quantity": 100,
            "value": Decimal("150000.00"),
            "currency": "USD",
            "model_type": "FX-556",
            "description": "5.56 mm assault rifle",
            "importing_state": "GT",
            "end_user": "Ejército de Guatemala",
        }
        data.update(kwargs)
        authority = data.pop("authority", mx)
        return services.record_transfer(authority=authority, by=None, **data)

    return make
