"""Records of the course: lessons read, quiz attempts, cohorts, simulation runs and certificates."""

from __future__ import annotations

import random

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from attkit.core.models import AuthorityOwned


class LessonProgress(AuthorityOwned):
    """A lesson a user marked as read (the course text itself is data, identified by its lesson id)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    module_id = models.CharField(_("module"), max_length=8)
    lesson_id = models.CharField(_("lesson"), max_length=16)
    read_at = models.DateTimeField(_("read"))

    class Meta:
        verbose_name = _("lesson read")
        verbose_name_plural = _("lessons read")
        ordering = ["lesson_id"]
        constraints = [models.UniqueConstraint(fields=["user", "lesson_id"], name="training_lesson_read_once")]

    def __str__(self) -> str:
        return f"{self.lesson_id} · {self.user_id}"


class QuizAttempt(AuthorityOwned):
    """One attempt at a module's quiz: its questions are drawn with a generator seeded by the attempt's id."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    module_id = models.CharField(_("module"), max_length=8, db_index=True)
    question_ids = models.JSONField(_("questions"), default=list)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    score = models.FloatField(_("score"), null=True, blank=True)
    passing_score = models.FloatField(_("passing score"))
    passed = models.BooleanField(_("passed"), default=False)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.module_id} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    def rng(self) -> random.Random:
        """The attempt's own generator: the same attempt always draws the same questions in the same order."""
        return random.Random(self.id.int)  # noqa: S311  (shuffling quiz questions, not cryptography)


class Cohort(AuthorityOwned):
    """A group of trainees taught together, for one country, between two dates."""

    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=2, help_text=_("The state whose officials are trained."))
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-starts_on", "name"]

    def __str__(self) -> str:
        return self.name


class Enrolment(AuthorityOwned):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("cohort"))
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("trainee")
    )
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("enrolled by")
    )

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["trainee__last_name", "trainee__first_name", "trainee__username"]
        constraints = [models.UniqueConstraint(fields=["cohort", "trainee"], name="training_enrol_once")]

    def __str__(self) -> str:
        return f"{self.cohort_id} · {self.trainee_id}"


class SimulationStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Decision submitted")


class SimulationRun(AuthorityOwned):
    """A trainee working one role-play case in the sandbox: the records staged for it, the decision, the score."""

    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("trainee")
    )
    case_id = models.CharField(_("case"), max_length=64, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=SimulationStatus.choices, default=SimulationStatus.IN_PROGRESS
    )
    staged = models.JSONField(_("sandbox records"), default=dict, blank=True)
    decision = models.CharField(_("decision"), max_length=16, blank=True)
    criteria = models.JSONField(_("criteria relied on"), default=list, blank=True)
    reasons = models.TextField(_("reasons"), blank=True)
    points = models.PositiveIntegerField(_("points"), null=True, blank=True)
    max_points = models.PositiveIntegerField(_("maximum points"), null=True, blank=True)
    score = models.FloatField(_("score"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), default=False)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        verbose_name = _("simulation case")
        verbose_name_plural = _("simulation cases")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.created_at:%Y-%m-%d}"

    @property
    def is_submitted(self) -> bool:
        return self.status == SimulationStatus.SUBMITTED


class SimulationComment(AuthorityOwned):
    """An instructor's review of a submitted simulation case."""

    run = models.ForeignKey(SimulationRun, on_delete=models.CASCADE, related_name="comments", verbose_name=_("case"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    text = models.TextField(_("comment"))

    class Meta:
        verbose_name = _("instructor's comment")
        verbose_name_plural = _("instructors' comments")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.run_id} · {self.created_at:%Y-%m-%d}"


class CertificateStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    REVOKED = "revoked", _("Revoked")


class Certificate(AuthorityOwned):
    """A certificate of completion, sealed (CRT1:) by the sandbox authority's document signer."""

    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("trainee")
    )
    cohort = models.ForeignKey(
        Cohort, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("cohort")
    )
    trainee_name = models.CharField(_("name of the trainee"), max_length=300)
    cohort_name = models.CharField(_("cohort"), max_length=200, blank=True)
    modules = models.JSONField(_("modules"), default=list)
    issued_on = models.DateField(_("date of issue"))
    seal_text = models.TextField(_("seal"))
    status = models.CharField(
        _("status"), max_length=16, choices=CertificateStatus.choices, default=CertificateStatus.ISSUED
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)

    class Meta:
        verbose_name = _("certificate of completion")
        verbose_name_plural = _("certificates of completion")
        ordering = ["-issued_on", "number"]

    def __str__(self) -> str:
        return self.number

    @property
    def is_revoked(self) -> bool:
        return self.status == CertificateStatus.REVOKED


class ReferenceCounter(AuthorityOwned):
    """The last certificate number given by an authority in a year."""

    year = models.PositiveIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("certificate counter")
        verbose_name_plural = _("certificate counters")
        constraints = [models.UniqueConstraint(fields=["authority", "year"], name="training_counter_year")]

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
