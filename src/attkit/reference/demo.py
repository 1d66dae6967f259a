"""Demo data for reference: the real reference sets, loaded from the packaged files."""

from __future__ import annotations

from typing import Any

from attkit.reference import services


def load(ctx: Any, quick: bool = False) -> None:
    """Bring the reference sets in line with their files; a second run changes nothing, admin edits stay."""
    reports = services.load()
    changed = [r for r in reports if r.changed]
    if changed:
        summary = ", ".join(f"{r.key} {r.rows}" for r in changed)
        ctx.notes.append(f"Reference data loaded: {summary}.")
