"""The reference pages: who may see them, filters in the URL, as-of dates and Unverified tags, Spanish."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from attkit.core.permissions import Role

pytestmark = pytest.mark.django_db

PAGES = ["/reference/", "/reference/countries/", "/reference/categories/", "/reference/hs/", "/reference/embargoes/"]


@pytest.fixture
def applicant_client(loaded, make_user, login):
    return login(make_user("MX", Role.APPLICANT))


def _rows(html: str) -> int:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return body.count("<tr")


@pytest.mark.parametrize("url", [*PAGES, "/reference/embargoes/un-kp/"])
def test_anonymous_users_are_sent_to_login(client, loaded, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", [*PAGES, "/reference/embargoes/un-kp/"])
def test_an_applicant_can_view(applicant_client, url):
    assert applicant_client.get(url).status_code == 200


def test_a_user_without_reference_view_is_refused(loaded, make_user, login):
    client = login(make_user("MX", Role.INSTRUCTOR))
    assert client.get("/reference/embargoes/").status_code == 403


def test_pages_do_not_accept_posts(applicant_client):
    assert applicant_client.post("/reference/countries/", {}).status_code == 405


def test_index_lists_every_set_with_its_as_of_date(applicant_client):
    html = applicant_client.get("/reference/").content.decode()
    for text in ("Countries", "HS crosswalk", "UN Security Council arms embargoes", "Feb. 12, 2026", "Jan. 1, 2022"):
        assert text in html


def test_index_says_when_nothing_is_loaded(make_user, login):
    html = login(make_user("MX", Role.APPLICANT)).get("/reference/").content.decode()
    assert "attkit reference load" in html


def test_countries_filter_by_region_and_paginate(applicant_client):
    html = applicant_client.get("/reference/countries/?region=lac").content.decode()
    assert "33 countries" in html and _rows(html) == 33
    html = applicant_client.get("/reference/countries/").content.decode()
    assert "249 countries" in html and _rows(html) == 50
    page2 = applicant_client.get("/reference/countries/?page=2").content.decode()
    assert "Page 2 of 5" in page2
    html = applicant_client.get("/reference/countries/?region=lac&page=1").content.decode()
    assert "Trinidad and Tobago" in html and "Germany" not in html


def test_countries_search_and_invalid_filters_are_ignored(applicant_client):
    html = applicant_client.get("/reference/countries/?q=MEX").content.decode()
    assert _rows(html) == 1 and "Mexico" in html
    html = applicant_client.get("/reference/countries/?region=mars").content.decode()
    assert "249 countries" in html


def test_categories_show_salw_lines_and_the_verify_note(applicant_client):
    html = applicant_client.get("/reference/categories/").content.decode()
    for text in ("Battle tanks", "VII(b)", "MANPADS", "Small arms", "Light weapons", "VIII-LW-6",
                 "Mortars of calibres less than 75 mm", "Ammunition/munitions", "Parts and components",
                 "To verify", "mortars under 100 mm"):  # fmt: skip
        assert text in html, text
    html = applicant_client.get("/reference/categories/?kind=national").content.decode()
    assert "ART3" in html and "Battle tanks" not in html


def _codes(html: str) -> set[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return set(re.findall(r'<th scope="row"><code>([0-9.]+)</code>', body))


def test_hs_crosswalk_page_filters_by_category_and_scope(applicant_client):
    html = applicant_client.get("/reference/hs/").content.decode()
    assert "50 HS codes" in html and "75 mm or more" in html
    assert len(_codes(html)) == 50 and {"93", "9301.10", "8906.10"} <= _codes(html)
    assert "Outside the Arms Trade Treaty" in html
    assert "As heading 9302" in html  # 9302.00 shows the links of its heading
    html = applicant_client.get("/reference/hs/?category=VIII-LW-6").content.decode()
    assert "1 HS code" in html and _codes(html) == {"9301.10"}
    html = applicant_client.get("/reference/hs/?category=VIII").content.decode()  # a group and its lines
    assert _codes(html) == {"9301.10", "9301.20", "9301.90", "9302", "9302.00"}
    html = applicant_client.get("/reference/hs/?scope=outside_att").content.decode()
    assert _codes(html) == {"9304", "9304.00", "9307", "9307.00"}
    html = applicant_client.get("/reference/hs/?q=warships").content.decode()
    assert "8906.10" in _codes(html)
    html = applicant_client.get("/reference/hs/?q=9301.1").content.decode()
    assert _codes(html) == {"9301.10"}


def test_embargoes_page_shows_as_of_banner_and_unverified_tags(applicant_client):
    html = applicant_client.get("/reference/embargoes/").content.decode()
    assert "Data as of Dec. 15, 2025" in html
    assert re.search(
        r"Verify against the Security Council(&#x27;|')s current measures before relying on this list", html
    )
    assert "https://main.un.org/securitycouncil/en/sanctions/information" in html
    assert 'href="https://main.un.org' not in html  # plain text, no external link
    assert "16 embargoes" in html
    assert html.count('data-testid="unverified"') == 5
    assert "Unverified" in html


def test_embargo_filters(applicant_client):
    html = applicant_client.get("/reference/embargoes/?verified=no").content.decode()
    assert "5 embargoes" in html and "Iraq" in html and "Libya" not in html
    html = applicant_client.get("/reference/embargoes/?imposed_by=EU").content.decode()
    assert "2 embargoes" in html
    html = applicant_client.get("/reference/embargoes/?scope=listed_only").content.decode()
    assert "3 embargoes" in html and "Yemen" in html and "Libya" not in html
    html = applicant_client.get("/reference/embargoes/?q=Korea").content.decode()
    assert "1 embargo" in html and "S/RES/1718 (2006)" in html
    html = applicant_client.get("/reference/embargoes/?q=KP").content.decode()
    assert "1 embargo" in html


def test_embargo_detail_and_unknown_key(applicant_client):
    html = applicant_client.get("/reference/embargoes/un-iq/").content.decode()
    assert "Unverified" in html and "Notes" in html and "sipri.org" in html
    assert applicant_client.get("/reference/embargoes/un-zz/").status_code == 404


def test_pages_in_spanish(loaded, make_user):
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(make_user("MX", Role.APPLICANT, language="es"))
    html = client.get("/reference/embargoes/").content.decode()
    assert "Embargos de armas" in html
    assert "Datos al 15 de diciembre de 2025" in html
    assert "Verifique con las medidas vigentes del Consejo de Seguridad antes de confiar en esta lista" in html
    assert "No verificado" in html
    html = client.get("/reference/countries/?region=lac").content.decode()
    assert "México" in html and "33 países" in html
    html = client.get("/reference/categories/").content.decode()
    assert "Carros de combate" in html and "Armas pequeñas" in html and "Morteros de calibre inferior a 75 mm" in html
    html = client.get("/reference/hs/").content.decode()
    assert "Fuera del Tratado sobre el Comercio de Armas" in html
    html = client.get("/reference/").content.decode()
    assert "Datos de referencia" in html


ENGLISH_ONLY = {"the", "and", "with", "your", "you", "this", "is", "are", "for", "from", "to", "not", "has",
                "have", "will", "which", "what", "there", "their", "should", "must", "of", "or", "by", "it",
                "its", "can", "may", "here", "sign", "page", "next", "search", "home", "filter", "all", "none",
                "country", "countries", "categories", "unverified", "source", "verify"}  # fmt: skip


class _Visible(HTMLParser):
    """Text of <main> a reader sees, minus translate="no", other-language elements, code and pagination."""

    VOID = ("br", "img", "input", "meta", "link", "hr", "wbr")

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []
        self.in_main = False
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "main":
            self.in_main = True
        if tag in self.VOID:
            return
        foreign = tag != "html" and a.get("lang") not in (None, "es")
        # Pagination is the shared include of the core catalog, checked by the project-wide Spanish test.
        skip = tag in ("code", "script", "style", "nav") or a.get("translate") == "no" or foreign
        self.stack.append((self.stack[-1] if self.stack else False) or skip)

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.in_main = False
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.in_main and not (self.stack and self.stack[-1]):
            self.chunks.append(data)


def _english_words(html: str) -> set[str]:
    parser = _Visible()
    parser.feed(html)
    return {w for w in re.findall(r"[A-Za-z]+", " ".join(parser.chunks)) if w.lower() in ENGLISH_ONLY}


def test_spanish_pages_show_no_english_outside_marked_data(loaded, make_user):
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(make_user("MX", Role.APPLICANT, language="es"))
    english = Client()
    english.force_login(make_user("MX", Role.APPLICANT, language="en"))
    assert _english_words(english.get("/reference/embargoes/").content.decode())  # the detector works
    urls = [*PAGES, "/reference/embargoes/un-iq/", "/reference/hs/?scope=none", "/reference/countries/?q=zzz"]
    for url in urls:
        html = client.get(url).content.decode()
        assert "<main" in html
        assert not _english_words(html), (url, _english_words(html))


def test_the_nav_offers_reference_data(applicant_client):
    html = applicant_client.get("/").content.decode()
    assert 'href="/reference/"' in html and 'href="/reference/embargoes/"' in html
