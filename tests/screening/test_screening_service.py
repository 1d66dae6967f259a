"""Searching, screening parties in the workflow, reviewing hits and remembering decisions."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from attkit.core.models import AuditEvent
from attkit.core.permissions import Role
from attkit.screening import services
from attkit.screening.loaders import UN_SAMPLE
from attkit.screening.models import HitStatus, ScreeningHit

pytestmark = pytest.mark.django_db


@pytest.fixture
def un_list():
    services.invalidate_index()
    return services.load_list("un", UN_SAMPLE)


def _subject(authority, name="Muammar Gaddafi", sid="p1", **kw):
    return services.Subject(authority=authority, subject_type="test.party", subject_id=sid, label=name, name=name, **kw)


def test_search_finds_a_listed_name_in_another_order(un_list, mx):
    matches = services.search("Gaddafi Muammar", authority=mx)
    assert matches, "the Qadhafi listing should be found"
    assert "QADHAFI" in matches[0].entry_name.upper() or "QADHAFI" in matches[0].name.upper()
    assert matches[0].score >= 0.7 and matches[0].explanation


def test_search_finds_nothing_for_an_ordinary_name(un_list, mx):
    assert services.search("María Fernanda López Ortega", authority=mx) == []


@pytest.mark.parametrize(
    ("name", "dob", "field"), [("", None, "name"), ("x" * 1001, None, "name"), ("Ana", "31/02/1970", "dob")]
)
def test_bad_queries_name_the_field(un_list, mx, name, dob, field):
    with pytest.raises(ValidationError) as info:
        services.search(name, authority=mx, dob=dob)
    assert field in info.value.message_dict


def test_screening_a_subject_records_pending_hits_that_block(un_list, mx):
    run = services.screen_subject(_subject(mx))
    assert run.hits.count() >= 1
    assert all(h.status == HitStatus.PENDING for h in run.hits.all())
    assert services.blocking_hits(mx, "test.party", ["p1"])
    assert AuditEvent.objects.filter(kind="screening:screen").exists()


def test_false_positive_needs_a_reason_and_unblocks(un_list, mx, make_user):
    officer = make_user("MX", Role.LICENSING_OFFICER)
    run = services.screen_subject(_subject(mx))
    hit = run.hits.first()
    with pytest.raises(ValidationError):
        services.decide_hit(hit.pk, by=officer, status="false_positive", reason="")
    with pytest.raises(ValidationError):
        services.decide_hit(hit.pk, by=officer, status="true_match", reason="same person")  # outcome missing
    for h in run.hits.all():
        services.decide_hit(h.pk, by=officer, status="false_positive", reason="different date of birth")
    assert not services.blocking_hits(mx, "test.party", ["p1"])
    assert AuditEvent.objects.filter(kind="screening:hit_decide").count() == run.hits.count()


def test_true_match_refusal_keeps_blocking(un_list, mx, make_user):
    officer = make_user("MX", Role.LICENSING_OFFICER)
    run = services.screen_subject(_subject(mx))
    hit = run.hits.first()
    services.decide_hit(hit.pk, by=officer, status="true_match", reason="same person", outcome="refuse")
    assert hit.pk in {h.pk for h in services.blocking_hits(mx, "test.party", ["p1"])}


def test_decisions_are_remembered_until_the_party_changes(un_list, mx, make_user):
    officer = make_user("MX", Role.LICENSING_OFFICER)
    run = services.screen_subject(_subject(mx))
    for h in run.hits.all():
        services.decide_hit(h.pk, by=officer, status="false_positive", reason="checked")
    again = services.screen_subject(_subject(mx))
    assert again.hits.count() and all(h.status == HitStatus.FALSE_POSITIVE and h.remembered for h in again.hits.all())
    changed = services.screen_subject(_subject(mx, dob="1942"))
    assert all(h.status == HitStatus.PENDING for h in changed.hits.all())


def test_review_needs_the_permission_and_stays_in_the_authority(un_list, mx, make_user):
    run = services.screen_subject(_subject(mx))
    hit = run.hits.first()
    with pytest.raises(PermissionDenied):
        services.decide_hit(hit.pk, by=make_user("MX", Role.CUSTOMS_OFFICER), status="false_positive", reason="x")
    with pytest.raises(ScreeningHit.DoesNotExist):
        services.decide_hit(hit.pk, by=make_user("DE", Role.LICENSING_OFFICER), status="false_positive", reason="x")


def test_homoglyph_disguise_matches_like_the_plain_name(un_list, mx):
    plain = services.search("Muammar Qadhafi", authority=mx)
    disguised = services.search("Muаmmаr Qаdhаfi", authority=mx)  # Cyrillic а
    assert plain and disguised and plain[0].ref == disguised[0].ref and plain[0].score == disguised[0].score


def test_cli_search_json_and_batch(un_list, tmp_path, capsys):
    call_command("screening", "search", "Gaddafi Muammar", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["matches"] and set(out["matches"][0]) == {"list", "ref", "name", "score", "explanation"}
    batch = tmp_path / "in.csv"
    batch.write_text("id,name,dob,country\n1,Gaddafi Muammar,,\n2,Juana Pérez Soto,1990,MX\n", encoding="utf-8")
    out_path = tmp_path / "out.jsonl"
    call_command("screening", "batch", str(batch), "--out", str(out_path), "--threshold", "0.7")
    lines = [json.loads(x) for x in out_path.read_text().splitlines()]
    assert [x["id"] for x in lines] == ["1", "2"]
    assert lines[0]["matches"] and lines[1]["matches"] == []
    scores = [m["score"] for m in lines[0]["matches"]]
    assert scores == sorted(scores, reverse=True) and min(scores) >= 0.7


def test_cli_evaluate_pairs(tmp_path, capsys):
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("name1,name2,is_match\nMuammar Gaddafi,Qadhafi Muammar,true\nJohn Smith,Olaf Scholz,false\n")
    call_command("screening", "evaluate-pairs", str(pairs))
    result = json.loads(capsys.readouterr().out)
    assert result["tp"] == 1 and result["tn"] == 1 and result["f1"] == 1.0


def test_api_search_and_review(un_list, client, make_user, login):
    officer = make_user("MX", Role.LICENSING_OFFICER)
    login(officer)
    response = client.post(
        "/api/v1/screening/search", data=json.dumps({"name": "Gaddafi Muammar"}), content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["matches"]
    bad = client.post("/api/v1/screening/search", data=json.dumps({"name": ""}), content_type="application/json")
    assert bad.status_code == 422 and "name" in json.dumps(bad.json())
    batch = client.post(
        "/api/v1/screening/batch",
        data=json.dumps({"rows": [{"id": "a", "name": "Gaddafi Muammar"}, {"id": "b", "name": "Nobody Known"}]}),
        content_type="application/json",
    )
    assert [r["id"] for r in batch.json()] == ["a", "b"]
    run = services.screen_subject(_subject(officer.authority))
    hit = run.hits.first()
    pending = client.get("/api/v1/screening/hits").json()
    assert str(hit.pk) in {h["id"] for h in pending}
    decided = client.post(
        f"/api/v1/screening/hits/{hit.pk}/decision",
        data=json.dumps({"status": "false_positive", "reason": "different person"}),
        content_type="application/json",
    )
    assert decided.status_code == 200 and decided.json()["status"] == "false_positive"


def test_review_page(un_list, client, make_user, login):
    officer = make_user("MX", Role.LICENSING_OFFICER)
    login(officer)
    run = services.screen_subject(_subject(officer.authority))
    hit = run.hits.first()
    assert "Muammar Gaddafi" in client.get("/screening/hits/").content.decode()
    html = client.post(f"/screening/hits/{hit.pk}/", {"status": "false_positive", "reason": ""}).content.decode()
    assert "There is a problem" in html
    response = client.post(f"/screening/hits/{hit.pk}/", {"status": "false_positive", "reason": "other person"})
    assert response.status_code == 302
    html = client.get("/screening/?name=Gaddafi+Muammar").content.decode()
    assert "possible match" in html
