"""The four sections of an EUC draft, one by one: the title, the answers shown filled in, where a save leads, the
message of an added or removed line, and that a certificate no longer a draft has no section pages.

These pin what views._answers_view and views._lines_view serve for each section."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.contrib.messages import get_messages

from attkit.euc import services

pytestmark = pytest.mark.django_db


def _said(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _lands(client: Any, response: Any, location: str) -> list[str]:
    """A redirect to `location`: the messages it carries (shown, and so used up, on the page it leads to)."""
    assert response.status_code == 302 and response["Location"] == location
    said = _said(response)
    client.get(location)
    return said


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def test_the_answer_sections_show_the_answers_and_lead_back_to_the_task_list(client, login, drafter, request_data):
    euc = services.draft_from_request(by=drafter, request=request_data)
    login(drafter)
    base = f"/euc/{euc.pk}/draft"
    details = client.get(f"{base}/details/")
    assert details.status_code == 200
    page = _text(details)
    assert "<title>Certificate details · attkit</title>" in page
    assert f'value="{euc.official_name}"' in page and f'value="{euc.expiry_date.isoformat()}"' in page
    end_use = client.get(f"{base}/end-use/")
    page = _text(end_use)
    assert end_use.status_code == 200 and "<title>End use and undertakings · attkit</title>" in page
    assert euc.end_use in page and page.count("checked") >= 3  # the undertakings given in the request
    undertakings = {"no_other_use": "on", "no_reexport_without_consent": "on", "no_wmd": "on"}
    saved = client.post(f"{base}/end-use/", {"description": "Police patrol", **undertakings})
    assert _lands(client, saved, f"{base}/") == []
    euc.refresh_from_db()
    assert euc.end_use == "Police patrol" and euc.no_wmd and not euc.delivery_verification
    bad = client.post(f"{base}/details/", {"expiry_date": "soon"})
    assert bad.status_code == 400 and "There is a problem" in _text(bad)


def test_the_line_sections_add_and_remove_with_a_message(client, login, drafter, request_data):
    euc = services.draft_from_request(by=drafter, request=request_data)
    login(drafter)
    base = f"/euc/{euc.pk}/draft"
    parties = client.get(f"{base}/parties/")
    page = _text(parties)
    assert parties.status_code == 200 and "<title>Parties · attkit</title>" in page
    assert euc.parties.get(role="intermediary").name in page
    added = client.post(
        f"{base}/parties/",
        {"role": "intermediary", "name": "Broker Demo", "address": "Str. 2, Berlin", "country": "DE"},
    )
    assert _lands(client, added, f"{base}/parties/") == ["Party added."]
    goods = client.get(f"{base}/goods/")
    assert goods.status_code == 200 and "<title>Goods · attkit</title>" in _text(goods)
    added = client.post(
        f"{base}/goods/",
        {
            "description": "Pistols",
            "un_category": "VIII",
            "salw_line": "SA-2",
            "hs_code": "930190",
            "quantity": "5",
            "unit": "unit",
        },
    )
    assert _lands(client, added, f"{base}/goods/") == ["Goods line added."]
    party, line = euc.parties.get(name="Broker Demo"), euc.goods.get(description="Pistols")
    removed = client.post(f"{base}/parties/{party.pk}/remove/")
    assert _lands(client, removed, f"{base}/parties/") == ["Party removed."]
    removed = client.post(f"{base}/goods/{line.pk}/remove/")
    assert _lands(client, removed, f"{base}/goods/") == ["Goods line removed."]
    assert not euc.parties.filter(name="Broker Demo").exists() and not euc.goods.filter(description="Pistols").exists()


def test_no_section_of_an_issued_certificate(client, login, issued, drafter):
    login(drafter)
    for suffix in ("details/", "parties/", "goods/", "end-use/"):
        assert client.get(f"/euc/{issued.pk}/draft/{suffix}").status_code == 404
