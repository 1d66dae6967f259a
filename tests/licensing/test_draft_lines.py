"""The lines of a licence application on its task list: parties, goods lines and documents are listed, added and
removed on their section pages; a removal the service refuses is said on the section page; only the applicant
organisation may change them. These pin what views._lines_view and views._remove_line serve."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.contrib.messages import get_messages

from attkit.licensing import services
from tests.licensing import world as w

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _lands(client: Any, response: Any, location: str) -> list[tuple[str, str]]:
    """A redirect to `location`: the messages it carries (level, text), used up by opening the page it leads to."""
    assert response.status_code == 302 and response["Location"] == location
    said = [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]
    client.get(location, follow=True)
    return said


def test_parties_goods_and_documents_of_a_draft(world, client):
    applicant = world["de.applicant"]
    data = w.export_application(world)
    case = services.create_application(by=applicant, data=data)
    services.attach_document(case.pk, by=applicant, kind="contract", data=PDF, name="contract.pdf")
    url = f"/cases/{case.pk}/apply"
    client.force_login(applicant)

    parties = client.get(f"{url}/parties/")
    page = html.unescape(parties.content.decode())
    assert parties.status_code == 200 and "<title>Parties · attkit</title>" in page and w.CONSIGNEE in page
    consignee = case.parties.get(role="consignee")
    assert _lands(client, client.post(f"{url}/parties/{consignee.pk}/remove/"), f"{url}/parties/") == []
    assert not case.parties.filter(role="consignee").exists()
    party = {k: ("on" if v is True else v) for k, v in data["parties"][1].items()}
    added = client.post(f"{url}/parties/", party)
    assert _lands(client, added, f"{url}/parties/") == [("success", "Party added.")]
    assert case.parties.filter(role="consignee").exists()

    goods = client.get(f"{url}/goods/")
    assert goods.status_code == 200 and "<title>Goods · attkit</title>" in html.unescape(goods.content.decode())
    line = case.goods.get(line_no=2)
    assert _lands(client, client.post(f"{url}/goods/{line.pk}/remove/"), f"{url}/goods/") == []
    assert case.goods.count() == len(data["goods"]) - 1
    added = client.post(f"{url}/goods/", data["goods"][1])
    assert _lands(client, added, f"{url}/goods/") == [("success", "Goods line added.")]
    assert case.goods.count() == len(data["goods"])

    document = case.documents.get()
    removed = client.post(f"{url}/documents/{document.pk}/remove/")
    assert _lands(client, removed, f"{url}/documents/") == []
    assert not case.documents.exists()

    other = world["de.other_applicant"]
    client.force_login(other)
    party = case.parties.get(role="consignee")
    assert client.post(f"{url}/parties/{party.pk}/remove/").status_code == 404  # another organisation's case
    assert client.get(f"{url}/goods/").status_code == 404 and case.parties.filter(pk=party.pk).exists()

    client.force_login(applicant)
    services.submit(case.pk, by=applicant)
    assert client.get(f"{url}/parties/")["Location"] == f"/cases/{case.pk}/"  # no longer a draft: to the case
    party = case.parties.get(role="consignee")
    refused = _lands(client, client.post(f"{url}/parties/{party.pk}/remove/"), f"{url}/parties/")
    assert [level for level, _text in refused] == ["error"] and "can no longer be changed" in refused[0][1]
    assert case.parties.filter(pk=party.pk).exists()
    line = case.goods.first()
    refused = _lands(client, client.post(f"{url}/goods/{line.pk}/remove/"), f"{url}/goods/")
    assert [level for level, _text in refused] == ["error"]
