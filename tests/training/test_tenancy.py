"""Sandbox records stay in the sandbox: real authorities never see them, trainees never reach real records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from attkit.core.permissions import Role
from attkit.training import services

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def sandbox_records(trainee, instructor, cohort, pass_all_quizzes, pass_a_case):
    pass_all_quizzes(trainee)
    run = pass_a_case(trainee)
    certificate = services.issue_certificate(by=trainee)
    attempt = services.start_attempt("m01", by=trainee)
    return {"cohort": cohort, "run": run, "certificate": certificate, "attempt": attempt}


def test_a_real_authority_cannot_see_sandbox_records(sandbox_records, make_user):
    official = make_user("MX", *list(Role))
    client = _client(official)
    run, cohort, cert = sandbox_records["run"], sandbox_records["cohort"], sandbox_records["certificate"]
    for url in (
        f"/training/cohorts/{cohort.pk}/",
        f"/training/cohorts/{cohort.pk}/results.csv",
        f"/training/simulation/{run.pk}/",
        f"/training/simulation/{run.pk}/decision/",
        f"/training/reviews/{run.pk}/",
        f"/training/certificates/{cert.pk}/",
        f"/training/certificates/{cert.pk}/certificate.pdf",
        f"/training/certificates/{cert.pk}/revoke/",
        f"/training/attempts/{sandbox_records['attempt'].pk}/",
        f"/euc/{run.staged['euc']['id']}/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/training/reviews/{run.pk}/", {"text": "x"}).status_code == 404
    for url in ("/training/cohorts/", "/euc/", "/screening/hits/", "/training/simulation/"):
        html = client.get(url).content.decode()
        assert "Costa Rica 2026" not in html, url
        assert run.staged["euc"]["serial"] not in html, url
        assert "Bastion Sécurité Privée" not in html, url


def test_trainees_cannot_reach_real_records(trainee, instructor, make_user):
    mx_teacher = make_user("MX", Role.INSTRUCTOR, Role.TRAINEE)
    mx_cohort = services.create_cohort(
        by=mx_teacher, name="Mexico pilot", country="MX", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 1, 2)
    )
    attempt = services.start_attempt("m01", by=mx_teacher)
    for user in (trainee, instructor):
        client = _client(user)
        assert client.get(f"/training/cohorts/{mx_cohort.pk}/").status_code in (403, 404)
        assert client.get(f"/training/attempts/{attempt.pk}/").status_code == 404
        # in the sandbox they practise on the real screens, which show the sandbox's records only
        register = client.get("/euc/")
        assert register.status_code in (200, 403)
        assert b"MX-EUC" not in register.content
        assert client.get("/screening/hits/").status_code in (200, 403)
        assert "Mexico pilot" not in client.get("/training/").content.decode()
    assert _client(instructor).get(f"/training/cohorts/{mx_cohort.pk}/").status_code == 404
