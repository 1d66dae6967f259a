"""SQL injection and hostile values in every filter, search, sort and page parameter of the list pages and API.

The parameters are enumerated, not listed by hand: the names a view reads from request.GET (its source), the
fields of the GET forms and the query keys of the links each page renders, and the query parameters of every
API GET operation in the OpenAPI schema. Each gets every probe. The answer must be 200 or 4xx (never 500),
show no more rows than the unfiltered page, show nothing of another authority, and leave every table intact.
Run on SQLite and PostgreSQL (the NUL byte, for one, only hurts PostgreSQL).
"""

from __future__ import annotations

import contextlib
import inspect
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.apps import apps
from django.test import Client

from attkit.core import demo
from attkit.core.models import Authority
from attkit.core.permissions import Role
from tests.core.test_tenancy_walk import _markers
from tests.hardening._probes_common import PARAM, routes

pytestmark = pytest.mark.django_db

# Every hostile character at once, and a very long value: what the fast suite sends to every parameter.
FAST_PROBES = ("' OR 1=1-- %_\\\x00 Ω漢字 \u202e; DROP TABLE core_authority;--", "x" * 5000)
PROBES = (
    "' OR 1=1--",
    "' OR '1'='1",
    '") OR ("1"="1',
    "1; DROP TABLE core_authority;--",
    "1 UNION SELECT username, password FROM accounts_user--",
    "%",
    "%%",
    "_",
    "\\",
    "\\'",
    "\x00",
    "a\x00b",
    "x" * 5000,
    "Ω≈ç√ 漢字 ٣ 𝔘𝔫𝔦 \u202e\ufeff",
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "2026-02-30",
    "authority__users__password",
    "-pk,authority",
    "?",
)
# Routes whose GET does not list anything a filter could widen (sign-in and two-factor steps, file exports).
NOT_LISTS = ("accounts/login/", "accounts/logout/", "accounts/2fa/", "accounts/2fa/setup/")
# Parameters whose legitimate values widen the list (a status of "all", a larger page, a search of the
# lists): an unknown value may fall back to the widest list the user may see, so only tenancy is checked.
WIDENING = {"status", "limit", "show", "name"}
GET_NAME = re.compile(r"""request\.GET(?:\.get|\.getlist)?\(\s*["'](\w+)["']|["'](\w+)["']\s+in\s+request\.GET""")


class _Params(HTMLParser):
    """Names of the fields of GET forms and the query keys of links on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self._in_get_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self._in_get_form = (a.get("method") or "get").lower() == "get"
        elif tag in ("input", "select", "textarea") and self._in_get_form and a.get("name"):
            self.names.add(str(a["name"]))
        elif tag == "a" and a.get("href"):
            href = str(a["href"])
            if href.startswith("?") or ("?" in href and not href.startswith("http")):
                self.names.update(k for k, _ in parse_qsl(urlsplit(href).query, keep_blank_values=True))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_get_form = False


def _source_names(callback: Any) -> set[str]:
    """The request.GET keys a view reads, from its source (and its module's helpers it may call)."""
    func = inspect.unwrap(callback)
    names: set[str] = set()
    try:
        source = inspect.getsource(func)
    except (OSError, TypeError):
        return names
    for match in GET_NAME.finditer(source):
        names.add(match.group(1) or match.group(2))
    # A form bound to request.GET: its fields are parameters too.
    module = inspect.getmodule(func)
    for form_name in re.findall(r"(\w+)\(\s*request\.GET", source):
        form = getattr(module, form_name, None) or getattr(getattr(module, "forms", None), form_name, None)
        names.update(getattr(form, "base_fields", {}))
    # A helper that reads the filters for the view (licensing's _filters(request)).
    for helper in re.findall(r"(_\w+)\(\s*request\b", source):
        target = getattr(module, helper, None)
        if callable(target):
            with contextlib.suppress(OSError, TypeError):
                names.update(m.group(1) or m.group(2) for m in GET_NAME.finditer(inspect.getsource(target)))
    return names


def _rows(response: Any) -> int:
    return response.content.count(b"<tr") if response.get("Content-Type", "").startswith("text/html") else 0


def _table_counts() -> dict[str, int]:
    return {m._meta.label: m._base_manager.count() for m in apps.get_models() if not m._meta.proxy}


def _assert_intact(before: dict[str, int]) -> None:
    """No table lost a row; only the audit log may grow (an export is audited)."""
    after = _table_counts()
    assert set(after) == set(before)
    changed = {k: (before[k], after[k]) for k in before if after[k] != before[k]}
    assert all(k == "core.AuditEvent" and a > b for k, (b, a) in changed.items()), changed


@pytest.fixture
def world() -> tuple[Client, list[str]]:
    demo.load(quick=True)
    mx = Authority.objects.get(code="MX")
    de = Authority.objects.get(code="DE")
    from attkit.accounts.services import create_user

    user = create_user(username="mx.sqlprobe", authority=mx, roles=list(Role), password="x" * 20)
    client = Client()
    client.force_login(user)
    return client, sorted(_markers(de, mx))


def _page_params() -> list[tuple[str, set[str]]]:
    out = []
    for route, callback in routes():
        if route.startswith("api/") or PARAM.search(route) or route in NOT_LISTS:
            continue
        out.append((route, _source_names(callback)))
    return out


def _check(label: str, response: Any, baseline_rows: int | None, foreign: list[str], problems: list[str]) -> None:
    if response.status_code >= 500:
        problems.append(f"{label} -> {response.status_code}")
        return
    if response.status_code >= 300 or response.get("Content-Disposition"):
        return
    if baseline_rows is not None and _rows(response) > baseline_rows:
        problems.append(f"{label} shows {_rows(response)} rows, more than the unfiltered {baseline_rows}")
    body = response.content.decode("utf-8", "replace")
    leaked = [m for m in foreign if m in body]
    if leaked:
        problems.append(f"{label} shows another authority's {leaked[:3]}")


def test_the_enumeration_finds_the_filters() -> None:
    found = dict(_page_params())
    assert {"q", "status", "sort", "page"} <= found["euc/"]
    assert {"state", "kind", "flag", "q", "sort"} <= found["cases/"]
    assert "q" in found["accounts/users/"]
    assert "kind" in found["audit/"]
    assert {"year"} <= found["reports/records/"]


WHICH = pytest.mark.parametrize(
    "probes", [pytest.param(FAST_PROBES, id="fast"), pytest.param(PROBES, id="all", marks=pytest.mark.slow)]
)


@WHICH
def test_probes_in_every_page_filter(world: tuple[Client, list[str]], probes: tuple[str, ...]) -> None:
    client, foreign = world
    before = _table_counts()
    problems: list[str] = []
    probed = 0
    for route, source_names in _page_params():
        url = "/" + route
        baseline = client.get(url)
        if baseline.status_code != 200 or not baseline.get("Content-Type", "").startswith("text/html"):
            continue
        finder = _Params()
        finder.feed(baseline.content.decode("utf-8", "replace"))
        names = (source_names | finder.names) - {"csrfmiddlewaretoken"}
        for name in sorted(names):
            for probe in probes:
                response = client.get(url, {name: probe})
                probed += 1
                rows = None if name in WIDENING else _rows(baseline)
                _check(f"GET {url}?{name}={probe[:30]!r}", response, rows, foreign, problems)
    assert probed > 50 * len(probes)
    _assert_intact(before)
    assert problems == [], "\n".join(problems[:60])


def _api_get_operations(client: Client) -> list[tuple[str, list[str]]]:
    schema = client.get("/api/v1/openapi.json").json()
    out = []
    for path, item in schema["paths"].items():
        get = item.get("get")
        if not get or "{" in path:
            continue
        names = [p["name"] for p in get.get("parameters", []) if p.get("in") == "query"]
        out.append((path, names))
    return out


@WHICH
def test_probes_in_every_api_query_parameter(world: tuple[Client, list[str]], probes: tuple[str, ...]) -> None:
    client, foreign = world
    before = _table_counts()
    operations = _api_get_operations(client)
    assert sum(len(names) for _, names in operations) > 5
    problems: list[str] = []
    for path, names in operations:
        baseline = client.get(path)
        size = len(baseline.json()) if baseline.status_code == 200 and isinstance(baseline.json(), list) else None
        for name in names:
            for probe in probes:
                response = client.get(path, {name: probe})
                label = f"GET {path}?{name}={probe[:30]!r}"
                if response.status_code >= 500:
                    problems.append(f"{label} -> {response.status_code}")
                    continue
                if response.status_code != 200 or response.get("Content-Disposition"):
                    continue
                data = response.json()
                if size is not None and name not in WIDENING and isinstance(data, list) and len(data) > size:
                    problems.append(f"{label} gives {len(data)} items, more than the unfiltered {size}")
                body = response.content.decode("utf-8", "replace")
                if leaked := [m for m in foreign if m in body]:
                    problems.append(f"{label} shows another authority's {leaked[:3]}")
    _assert_intact(before)
    assert problems == [], "\n".join(problems[:60])


def test_a_nul_in_the_query_string_is_a_bad_request(world: tuple[Client, list[str]]) -> None:
    """PostgreSQL cannot compare text holding NUL: it is refused before any view, on pages and in the API."""
    client, _ = world
    page = client.get("/cases/", {"q": "a\x00b"})
    assert page.status_code == 400
    assert b"could not be understood" in page.content
    api = client.get("/api/v1/audit/events", {"kind": "\x00"})
    assert api.status_code == 400
    assert api.json()["detail"]
    assert client.get("/cases/", {"q": "a%00b"}).status_code == 200  # the text "%00" is an ordinary search
    # In the path too: a state's ISO code reached PostgreSQL from /treaty/states/<iso2>/.
    assert client.get("/treaty/states/m%00/").status_code == 400
    assert client.get("/api/v1/treaty/states/m%00").status_code == 400


def test_a_nul_in_a_json_body_is_a_bad_request(make_user: Any, make_authority: Any) -> None:
    """PostgreSQL cannot store text holding NUL: an API text field with one is refused, nothing is written."""
    from attkit.licensing.models import Case
    from tests.licensing import world as w

    world = w.build(make_user, make_authority, with_euc=False)
    client = Client()
    client.force_login(world["de.applicant"])
    data = w.export_application(world, end_use="before\x00after")
    response = client.post("/api/v1/licensing/cases", data, content_type="application/json")
    assert response.status_code == 400, response.content
    assert not Case.objects.exists()
    # The six characters \u0000 typed as text (an escaped backslash) are ordinary text.
    data = w.export_application(world, end_use="see \\u0000 in the manual")
    assert client.post("/api/v1/licensing/cases", data, content_type="application/json").status_code == 201
