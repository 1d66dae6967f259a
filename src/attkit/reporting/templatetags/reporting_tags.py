"""Template filters of the reporting pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


@register.filter
def lookup(mapping: Mapping[Any, Any] | None, key: Any) -> Any:
    """mapping[key], or an empty string: `{{ names|lookup:code }}`."""
    if not mapping:
        return ""
    return mapping.get(key, "")


@register.filter
def cell(values: Mapping[str, Any], key: str) -> Any:
    return values.get(key, "")
