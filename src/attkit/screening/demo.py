"""Demo data for screening: the UN list (and, unless quick, the OFAC SDN list) shipped with attkit."""

from __future__ import annotations

from typing import Any

from attkit.screening import services
from attkit.screening.loaders import OFAC_SAMPLE, UN_SAMPLE, ListKind
from attkit.screening.models import ListVersion


def load(ctx: Any, *, quick: bool = False) -> None:
    # The bundled OFAC copy carries no date of its own: its version is the date PROVENANCE.md gives.
    wanted = [(ListKind.UN, UN_SAMPLE, None)] + ([] if quick else [(ListKind.OFAC, OFAC_SAMPLE, "2021-07-07")])
    for kind, path, version_label in wanted:
        if not ListVersion.objects.filter(kind=kind.value, authority__isnull=True, is_current=True).exists():
            version = services.load_list(kind.value, path, version=version_label)
            ctx.notes.append(
                f"screening: loaded {version.name} {version.version} ({version.counts.get('total')} entries)"
            )
