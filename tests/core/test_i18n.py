"""Spanish is complete: catalogs fully translated and extracted, and no page shows English when in Spanish."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser

import pytest
from django.test import Client

from attkit.core import demo, i18n
from attkit.core.models import Authority
from attkit.core.permissions import Role
from tests.core.test_tenancy_walk import PARAM, _fill, _foreign_ids, _routes

ENGLISH_ONLY = {
    "the", "and", "with", "your", "you", "this", "is", "are", "for", "from", "to", "not", "has", "have",
    "will", "which", "what", "there", "their", "been", "should", "must", "cannot", "please", "enter",
    "select", "yes", "of", "or", "be", "by", "it", "its", "was", "were", "can", "may", "here", "sign",
    "page", "next", "previous", "back", "save", "continue", "cancel", "search", "home",
}  # fmt: skip
SKIP_TAGS = {"script", "style", "code", "pre", "title"}


class _VisibleText(HTMLParser):
    """Text a reader sees, minus elements marked translate="no", lang other than es, code and scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        skip = tag in SKIP_TAGS or a.get("translate") == "no" or (a.get("lang") not in (None, "es"))
        parent = self.stack[-1] if self.stack else False
        if tag in ("br", "img", "input", "meta", "link", "hr", "source", "wbr"):
            return
        self.stack.append(parent or skip)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("br", "img", "input", "meta", "link", "hr", "source", "wbr"):
            return
        if self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.chunks.append(data)


def english_words(html: str) -> set[str]:
    parser = _VisibleText()
    parser.feed(html)
    words = re.findall(r"[^\W\d_]+", " ".join(parser.chunks))  # whole words, accents included ("prohíbe")
    return {w for w in words if w.lower() in ENGLISH_ONLY}


def test_the_detector_finds_english_and_spares_marked_data():
    assert english_words("<p>Enter the quantity</p>") == {"Enter", "the"}
    assert english_words('<p>Introduzca la cantidad <span translate="no">The Arms Co</span></p>') == set()


def test_catalogs_are_complete():
    problems = i18n.check_complete()
    assert not problems, "\n".join(f"{p.catalog}: {p.problem}: {p.msgid!r}" for p in problems[:40])


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is needed (make test installs it)")
def test_every_marked_string_is_in_a_catalog():
    problems = i18n.check_extracted()
    assert not problems, "run `attkit i18n extract` and translate:\n" + "\n".join(
        f"{p.catalog}: {p.msgid!r}" for p in problems[:40]
    )


@pytest.mark.django_db
def test_every_page_renders_in_spanish_without_english():
    demo.load(quick=True)
    mx = Authority.objects.get(code="MX")
    from attkit.accounts.services import create_user

    reader = create_user(username="mx.reader", authority=mx, roles=list(Role), password="x" * 20, language="es")
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(reader)
    client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    ids = _foreign_ids(mx)
    found: dict[str, set[str]] = {}
    pages = 0
    for route in _routes():
        if route.startswith(("api/", "healthz", "readyz", "accounts/logout")):
            continue
        urls = [_fill(route, v) for v in ids] if PARAM.search(route) else ["/" + route]
        for url in urls:
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            pages += 1
            words = english_words(response.content.decode())
            if words:
                found[url] = words
    assert pages >= 3
    assert not found, "\n".join(f"{url}: {sorted(words)}" for url, words in sorted(found.items())[:40])


def test_login_page_in_spanish(client):
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Iniciar sesión" in html
    assert not english_words(html)
