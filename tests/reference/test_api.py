"""GET /api/v1/reference/...: lists of the reference sets, auth as the API default."""

from __future__ import annotations

import pytest

from attkit.core.permissions import Role

pytestmark = pytest.mark.django_db

BASE = "/api/v1/reference"


@pytest.fixture
def api(loaded, make_user, login):
    return login(make_user("MX", Role.APPLICANT))


def test_anonymous_calls_are_refused(client, loaded):
    assert client.get(f"{BASE}/countries").status_code == 401


def test_a_user_without_reference_view_gets_403(loaded, make_user, login):
    assert login(make_user("MX", Role.INSTRUCTOR)).get(f"{BASE}/embargoes").status_code == 403


def test_countries(api):
    data = api.get(f"{BASE}/countries").json()
    assert len(data) == 249
    mx = next(c for c in data if c["alpha2"] == "MX")
    assert mx == {
        "alpha2": "MX",
        "alpha3": "MEX",
        "numeric": "484",
        "name_en": "Mexico",
        "name_es": "México",
        "official_name_en": "United Mexican States",
        "in_lac": True,
    }
    assert len(api.get(f"{BASE}/countries?region=lac").json()) == 33
    assert len(api.get(f"{BASE}/countries?region=other").json()) == 216
    assert [c["alpha2"] for c in api.get(f"{BASE}/countries?q=trinidad").json()] == ["TT"]
    assert api.get(f"{BASE}/countries?region=mars").status_code == 422


def test_categories(api):
    data = api.get(f"{BASE}/categories").json()
    assert len(data) == 25
    lw6 = next(c for c in data if c["code"] == "VIII-LW-6")
    assert lw6["parent"] == "VIII" and lw6["group"] == "light_weapons" and lw6["line"] == 6
    assert lw6["name_es"] == "Morteros de calibre inferior a 75 mm"


def test_hs_codes_with_their_crosswalk(api):
    data = api.get(f"{BASE}/hs-codes").json()
    assert len(data) == 50
    artillery = next(h for h in data if h["code"] == "930110")
    assert artillery["dotted"] == "9301.10" and artillery["parent"] == "9301"
    assert {link["category"] for link in artillery["links"]} == {"III", "VIII-LW-6"}
    outside = next(h for h in data if h["code"] == "9304")
    assert outside["links"][0]["category"] is None and outside["links"][0]["scope"] == "outside_att"


def test_crosswalk_lookup(api):
    data = api.get(f"{BASE}/crosswalk?hs=9302.00.01").json()
    assert data["matched"] == "9302" and [link["category"] for link in data["links"]] == ["VIII-SA-1"]
    assert api.get(f"{BASE}/crosswalk?hs=0101").status_code == 404


def test_embargoes(api):
    data = api.get(f"{BASE}/embargoes").json()
    assert len(data) == 16
    cd = next(e for e in data if e["key"] == "un-cd")
    assert cd["verified"] is False and cd["unverified_fields"] == ["latest_resolutions"]
    assert cd["scope"] == "non_state_actors" and cd["sources"][0].startswith("https://")
    kp = api.get(f"{BASE}/embargoes?country=KP").json()
    assert [e["key"] for e in kp] == ["un-kp"] and kp[0]["exports_banned"] is True
    assert api.get(f"{BASE}/embargoes?country=MX").json() == []


def test_sets(api):
    data = {s["key"]: s for s in api.get(f"{BASE}/sets").json()}
    assert data["embargoes_un"]["as_of"] == "2026-02-12"
    assert data["hs"]["licence"] == "ODC-PDDL-1.0"


def test_a_token_client_can_read(loaded, make_user, client):
    from attkit.accounts.services import create_token

    user = make_user("MX", Role.APPLICANT)
    _token, secret = create_token(user=user, name="erp", role=Role.APPLICANT, by=user)
    response = client.get(f"{BASE}/categories", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
