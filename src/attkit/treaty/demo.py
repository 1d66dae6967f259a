"""Demo treaty status: the bundled table (real, sourced), plus fictional report submissions of MX and DE
consistent with the reporting demo, labelled as demo data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from attkit.treaty import services
from attkit.treaty.models import AnnualReport, StateStatus

DEMO_SOURCE = "attkit demo data (fictional): not a real submission"


def load(ctx: Any, quick: bool = False) -> None:
    if not StateStatus.objects.exists():
        outcome = services.load_bundled()
        ctx.notes.append(f"treaty: status of {outcome.created} states loaded from treaty/data/att_status.csv")
    last = timezone.localdate().year - 1
    with transaction.atomic():
        for iso2, years in (("MX", range(last - 2, last)), ("DE", range(last - 2, last + 1))):
            state = StateStatus.objects.filter(iso2=iso2).first()
            if state is None or state.reports_tracked_from is not None:
                continue
            state.reports_tracked_from = last - 2
            state.notes = "Demo: annual reports from the reporting demo are recorded here (fictional)."
            state.save(update_fields=["reports_tracked_from", "notes"])
            for year in years:
                AnnualReport.objects.get_or_create(
                    state=state, year=year, defaults={"submitted_on": dt.date(year + 1, 5, 20), "source": DEMO_SOURCE}
                )
