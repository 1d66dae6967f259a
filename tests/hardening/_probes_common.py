"""Shared helpers of the hostile-input probes: the route walk, an HTML checker for injected markup, payloads."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
# The admin is Django's own (its forms carry Django's CSRF token and escaping); static files and the
# JavaScript catalogue take no user input.
SKIP_PREFIXES = ("admin/", "static/", "jsi18n/")


def walk(patterns: list[Any] | None = None, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every URL pattern of the site as (route, callback)."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            yield route, p.callback


def routes() -> list[tuple[str, Any]]:
    seen: dict[str, Any] = {}
    for route, callback in walk():
        if route.startswith("^") or route.startswith(SKIP_PREFIXES):
            continue
        seen.setdefault(route, callback)
    return sorted(seen.items())


def fill(route: str, value: str = "00000000-0000-4000-8000-000000000000") -> str:
    """The route with every parameter replaced; an int parameter gets 1."""

    def one(match: re.Match[str]) -> str:
        return "1" if match.group("conv") == "int" else value

    return "/" + PARAM.sub(one, route)


# --- cross-site scripting ------------------------------------------------------------------------------------

# Each payload carries the word PROBE so that any element or attribute it managed to create is recognisable.
XSS_PAYLOADS = (
    "<script>alert('PROBE')</script>",
    '"><img src=x onerror=alert("PROBE")>',
    "'><svg onload=alert('PROBE')>",
    "javascript:alert('PROBE')//",
    "{{7*7}}{% now 'Y' %}PROBE",
)
SHORT_PAYLOAD = "<b>PROBE</b>"  # for fields too short for the others (it still must not become an element)
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data", "poster", "background")


class InjectionFinder(HTMLParser):
    """Collects every element or attribute that a probe payload created in a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self._in_script = True
            if not values.get("src"):
                self.found.append("inline <script>")
        for name, value in attrs:
            text = value or ""
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={text!r}>")
            if name in URL_ATTRIBUTES and re.sub(r"[\s\x00-\x1f]", "", text).lower().startswith(
                ("javascript:", "vbscript:", "data:text/html")
            ):
                self.found.append(f"<{tag} {name}={text!r}>")
            if "PROBE" in name:
                self.found.append(f"<{tag}> with an attribute made by a probe: {name!r}")
        if tag in ("img", "svg", "b", "i", "iframe", "object", "embed") and any(
            "PROBE" in (v or "") for v in values.values()
        ):
            self.found.append(f"<{tag}> made by a probe: {attrs!r}")
        if tag == "img" and values.get("src") == "x":
            self.found.append("<img src=x> made by a probe")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and "PROBE" in data:
            self.found.append("a probe ran inside <script>")


def injected_markup(html: str) -> list[str]:
    """What the probes injected into a page: elements or attributes that should have been text."""
    finder = InjectionFinder()
    finder.feed(html)
    finder.close()
    found = list(finder.found)
    # An element built by a payload: the payload's tag with PROBE as its content or attribute.
    for tag in ("b", "i", "svg", "script"):
        if re.search(rf"<{tag}\b[^>]*>\s*PROBE|<{tag}\b[^>]*PROBE", html, re.IGNORECASE):
            found.append(f"raw <{tag}> around PROBE in the markup")
    return found
