"""Cohorts: created and filled by instructors, progress per trainee and module, results as CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from attkit.core.models import AuditEvent
from attkit.core.permissions import Role
from attkit.training import course, services
from attkit.training.models import Cohort, Enrolment
from tests.training.conftest import right_answers

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_instructor_creates_a_cohort_and_enrols_a_trainee(instructor, trainee):
    client = _client(instructor)
    assert client.get("/training/cohorts/").status_code == 200
    bad = client.post(
        "/training/cohorts/new/", {"name": "", "country": "ZZ", "starts_on": "2026-10-08", "ends_on": "x"}
    )
    assert bad.status_code == 400
    assert "data-error-summary" in bad.content.decode()
    made = client.post(
        "/training/cohorts/new/",
        {"name": "Costa Rica 2026", "country": "CR", "starts_on": "2026-10-05", "ends_on": "2026-10-08"},
    )
    assert made.status_code == 302
    cohort = Cohort.objects.get()
    assert (cohort.country, cohort.created_by) == ("CR", instructor)
    page = client.get(made["Location"]).content.decode()
    assert trainee.username in page  # offered in the enrolment form
    assert client.post(made["Location"], {"trainee": str(trainee.pk)}).status_code == 302
    assert Enrolment.objects.filter(cohort=cohort, trainee=trainee).exists()
    assert AuditEvent.objects.filter(kind="training:enrol").count() == 1


def test_dates_must_be_in_order(instructor):
    import datetime as dt

    with pytest.raises(ValidationError) as refused:
        services.create_cohort(
            by=instructor, name="x", country="CR", starts_on=dt.date(2026, 5, 2), ends_on=dt.date(2026, 5, 1)
        )
    assert "ends_on" in refused.value.message_dict


def test_only_trainees_of_the_same_authority_are_enrolled(instructor, cohort, make_user, xt):
    officer = make_user("MX", Role.TRAINEE)
    with pytest.raises(ValidationError):
        services.enrol(cohort.pk, by=instructor, trainee_id=officer.pk)
    colleague = make_user(xt, Role.INSTRUCTOR)
    with pytest.raises(ValidationError):
        services.enrol(cohort.pk, by=instructor, trainee_id=colleague.pk)


def test_trainees_cannot_manage_cohorts(trainee, cohort):
    client = _client(trainee)
    assert client.get("/training/cohorts/").status_code == 403
    assert client.get(f"/training/cohorts/{cohort.pk}/results.csv").status_code == 403
    with pytest.raises(PermissionDenied):
        services.enrol(cohort.pk, by=trainee, trainee_id=trainee.pk)


def test_progress_and_csv_export(instructor, trainee, cohort, pass_a_case):
    module = course.course("en").modules[0]
    for lesson in module.lessons[:2]:
        services.mark_lesson_read(lesson.id, by=trainee)
    attempt = services.start_attempt(module.id, by=trainee)
    services.submit_attempt(attempt.pk, by=trainee, answers=right_answers(services.questions_of(attempt, "en")))
    pass_a_case(trainee)
    client = _client(instructor)
    page = client.get(f"/training/cohorts/{cohort.pk}/").content.decode()
    assert f'data-trainee="{trainee.username}"' in page
    assert f"2/{len(module.lessons)}" in page
    assert "100 %" in page
    response = client.get(f"/training/cohorts/{cohort.pk}/results.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == len(course.module_ids()) + 1
    first = next(r for r in rows if r["item"] == module.id)
    assert first["username"] == "xt.trainee"
    assert first["country"] == "CR"
    assert (first["lessons_read"], first["lessons_total"]) == ("2", str(len(module.lessons)))
    assert (first["best_score"], first["passed"], first["attempts"]) == ("1.00", "True", "1")
    second = next(r for r in rows if r["item"] == "m02")
    assert (second["lessons_read"], second["best_score"], second["passed"]) == ("0", "", "False")
    case_row = next(r for r in rows if r["item"] == "case-01-embargo-haiti")
    assert (case_row["best_score"], case_row["passed"]) == ("1.00", "True")


def test_removing_a_trainee(instructor, trainee, cohort):
    enrolment = Enrolment.objects.get(trainee=trainee)
    client = _client(instructor)
    assert client.post(f"/training/enrolments/{enrolment.pk}/remove/").status_code == 302
    assert not Enrolment.objects.filter(pk=enrolment.pk).exists()
