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
# Denial notices are shared with every authority on the hub on purpose (Art. 7 and 11 information sharing).
SHARED_ON_PURPOSE = ("cases/denials", "api/v1/licensing/denial-notices")
# Public facts about states (treaty status from the UN Treaty Collection): the same for every authority.
PUBLIC_DATA = ("treaty/states", "api/v1/treaty/states")
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


def _foreign_ids_by_model(victim: Authority) -> dict[str, str]:
    """One record id of each kind that the victim authority owns, by lower-case model name."""
    ids = {}
    for model in _owned_models():
        row = model.objects.filter(authority=victim).values_list("pk", flat=True).first()
        if row is not None:
            ids[f"{model._meta.app_label}.{model.__name__.lower()}"] = str(row)
    return ids


def _foreign_ids(victim: Authority) -> list[str]:
    return list(_foreign_ids_by_model(victim).values())


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


def _app_of(route: str) -> str | None:
    from attkit.urls import PAGE_APPS

    prefix = route.split("/", 1)[0]
    if prefix == "api":
        prefix = route.split("/")[2]
        return prefix
    return next((app for app, mounted in PAGE_APPS.items() if mounted == prefix), None)


def _candidates(route: str, ids: dict[str, str], markers: list[str]) -> list[str]:
    """Values worth trying in a route's parameters.

    An id parameter ("case_id", "hit_id") gets the ids of the models whose name contains its stem, or every
    id when none does; a parameter of another name (a serial, a code) also gets the distinctive strings.
    """
    values: list[str] = []
    for match in PARAM.finditer(route):
        name, conv = match.group("name"), match.group("conv")
        if conv in ("int", "path"):
            continue
        stem = name.removesuffix("_id").replace("_", "")
        if name.endswith("_id") or name == "pk" or conv == "uuid":
            if stem == "pk":  # a page's own record: the models of the app the route belongs to
                app = _app_of(route)
                found = [v for k, v in ids.items() if app and k.startswith(app + ".")]
            else:
                found = [v for k, v in ids.items() if stem in k.split(".", 1)[1]]
            values += found or list(ids.values())
        else:
            values += list(ids.values()) + markers
    return list(dict.fromkeys(values))


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


def walk_as(client: Client, victim: Authority, other: Authority) -> list[str]:
    """Every route as the client's user (of `other`); the victim's records and strings it reaches."""
    ids = _foreign_ids_by_model(victim)
    markers = _markers(victim, other)
    assert ids, "the demo data should give the victim records to probe"
    assert markers, "the demo data should give the victim distinctive strings to look for"
    leaks: list[str] = []
    routes = _routes()
    assert len(routes) > 10
    for route in routes:
        if any(route.startswith(p) or route.rstrip("/").endswith(p) for p in CROSS_STATE_BY_DESIGN):
            continue
        if route.startswith(PUBLIC_DATA + SHARED_ON_PURPOSE):
            continue
        if PARAM.search(route):
            for value in _candidates(route, ids, sorted(markers)[:8]):
                url = _fill(route, value)
                get = client.get(url)
                # 422: an API refusing a value of the wrong type for the parameter, which leaks nothing
                if get.status_code not in (400, 403, 404, 405, 422):
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
                        leaks.append(f"GET {url} shows {victim.code}'s {marker!r}")
    return leaks


def test_walk_every_route_as_another_state(walker_client):
    client, mx, de = walker_client
    leaks = walk_as(client, mx, de)
    assert not leaks, "\n".join(leaks[:50])


def test_walk_finds_the_routes_it_should():
    routes = _routes()
    assert "" in routes and "audit/" in routes
    assert any(r.startswith("api/v1/") for r in routes)
