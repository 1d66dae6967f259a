"""Walk every page and API route as a user of another state: MX's records must stay out of DE's reach."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from attkit.core import demo
from attkit.core.models import Authority, AuthorityOwned
from attkit.core.permissions import Role

pytestmark = pytest.mark.django_db

SKIP_PREFIXES = ("admin/", "static/", "i18n/", "jsi18n/", "api/v1/docs", "api/v1/openapi.json")
# Deliberately public or cross-state by design: the named verification services, health probes.
CROSS_STATE_BY_DESIGN = ("verify", "seals/verify", "euc/verify", "licence/verify", "health", "healthz", "readyz")
PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            yield route


def _routes() -> list[str]:
    out = []
    for route in _walk(get_resolver().url_patterns):
        if route.startswith("^") or route.startswith(SKIP_PREFIXES):
            continue
        out.append(route)
    return sorted(set(out))


def _owned_models() -> list[type[AuthorityOwned]]:
    return [m for m in apps.get_models() if issubclass(m, AuthorityOwned) and not m._meta.abstract]


def _foreign_ids(victim: Authority) -> list[str]:
    """One record id of each kind that the victim authority owns."""
    ids = []
    for model in _owned_models():
        row = model.objects.filter(authority=victim).values_list("pk", flat=True).first()
        if row is not None:
            ids.append(str(row))
    return ids


def _markers(victim: Authority, other: Authority) -> set[str]:
    """Distinctive strings of the victim's records (references, serials, names) that the other state lacks."""
    # Signer key ids are public (they travel in trust lists that other states import), so they are no marker.
    fields = ("serial", "reference", "name", "registration_number", "key_id", "title")

    def strings(authority: Authority) -> set[str]:
        found: set[str] = set()
        for model in _owned_models():
            names = [f.name for f in model._meta.fields if f.name in fields]
            for values in model.objects.filter(authority=authority).values_list(*names) if names else []:
                found.update(v for v in values if isinstance(v, str) and len(v) >= 8)
        return found

    return strings(victim) - strings(other)


def _fill(route: str, value: str) -> str:
    return "/" + PARAM.sub(value, route)


@pytest.fixture
def walker_client() -> tuple[Client, Authority, Authority]:
    demo.load(quick=True)
    mx = Authority.objects.get(code="MX")
    de = Authority.objects.get(code="DE")
    from attkit.accounts.services import create_user

    walker = create_user(username="de.walker", authority=de, roles=list(Role), password="x" * 20)
    client = Client()
    client.force_login(walker)
    return client, mx, de


def test_walk_every_route_as_another_state(walker_client):
    client, mx, de = walker_client
    ids = _foreign_ids(mx)
    markers = _markers(mx, de)
    assert ids, "the demo data should give MX records to probe"
    assert markers, "the demo data should give MX distinctive strings to look for"
    leaks: list[str] = []
    routes = _routes()
    assert len(routes) > 10
    for route in routes:
        if any(route.startswith(p) or route.rstrip("/").endswith(p) for p in CROSS_STATE_BY_DESIGN):
            continue
        if PARAM.search(route):
            for value in ids + sorted(markers)[:20]:
                url = _fill(route, value)
                get = client.get(url)
                if get.status_code not in (400, 403, 404, 405):
                    leaks.append(f"GET {url} -> {get.status_code}")
                post = client.post(url, {})
                if post.status_code not in (400, 403, 404, 405, 422):
                    leaks.append(f"POST {url} -> {post.status_code}")
        else:
            url = "/" + route
            response = client.get(url)
            if response.status_code >= 500:
                leaks.append(f"GET {url} -> {response.status_code}")
                continue
            if response.status_code == 200 and not response.get("Content-Disposition"):
                body = response.content.decode("utf-8", "replace")
                for marker in markers:
                    if marker in body:
                        leaks.append(f"GET {url} shows MX's {marker!r}")
    assert not leaks, "\n".join(leaks[:50])


def test_walk_finds_the_routes_it_should():
    routes = _routes()
    assert "" in routes and "audit/" in routes
    assert any(r.startswith("api/v1/") for r in routes)
