"""The course API: outline per language, the caller's progress, a cohort's progress for its instructors only."""

from __future__ import annotations

import pytest
from django.test import Client

from attkit.core.permissions import Role
from attkit.training import course

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_outline_in_both_languages(trainee):
    client = _client(trainee)
    for lang in ("en", "es"):
        body = client.get(f"/api/v1/training/modules?lang={lang}").json()
        assert [m["title"] for m in body] == [m.title for m in course.course(lang).modules]
        assert body[0]["passing_score"] == 0.7
    assert client.get("/api/v1/training/modules?lang=fr").status_code == 404


def test_progress_and_cohort_progress(trainee, instructor, cohort, pass_a_case, make_user):
    pass_a_case(trainee)
    mine = _client(trainee).get("/api/v1/training/progress").json()
    assert mine["username"] == "xt.trainee"
    assert mine["simulations"] == [{"case": "case-01-embargo-haiti", "score": 1.0, "passed": True}]
    assert not mine["eligible"]
    rows = _client(instructor).get(f"/api/v1/training/cohorts/{cohort.pk}/progress").json()
    assert [r["username"] for r in rows] == ["xt.trainee"]
    assert _client(trainee).get(f"/api/v1/training/cohorts/{cohort.pk}/progress").status_code == 403
    foreign = make_user("MX", Role.INSTRUCTOR)
    assert _client(foreign).get(f"/api/v1/training/cohorts/{cohort.pk}/progress").status_code == 404
