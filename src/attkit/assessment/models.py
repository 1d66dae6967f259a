"""Risk assessments of cases (Arts 6, 7 and 11): answers to the versioned question bank and mitigation measures."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from attkit.core.models import AuthorityOwned


class AssessmentStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class Assessment(AuthorityOwned):
    """The assessment of one case, against one version of the question bank."""

    case = models.OneToOneField(
        "licensing.Case", on_delete=models.CASCADE, related_name="assessment", verbose_name=_("case")
    )
    bank_version = models.PositiveSmallIntegerField(_("question bank version"))
    status = models.CharField(
        _("status"), max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.IN_PROGRESS
    )
    overriding_risk = models.BooleanField(
        _("overriding risk found by the assessor"),
        default=False,
        help_text=_("Art. 7(3): the assessor's own finding; the residual ratings can impose it too."),
    )
    summary = models.TextField(_("summary of the assessment"), blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.case} v{self.bank_version}"

    @property
    def completed(self) -> bool:
        return self.status == AssessmentStatus.COMPLETED


class Answer(AuthorityOwned):
    """The answer to one question: yes or no for an Art. 6 gate, a rating otherwise; with evidence and sources."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question = models.CharField(_("question"), max_length=80)
    value = models.CharField(_("answer"), max_length=12)
    evidence = models.TextField(_("evidence"), blank=True)
    sources = models.JSONField(_("sources"), default=list, blank=True)
    source_notes = models.TextField(_("other sources"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["assessment", "question"], name="assessment_answer_unique")]

    def __str__(self) -> str:
        return f"{self.question}: {self.value}"


class Mitigation(AuthorityOwned):
    """An Art. 7(2) / 11(2) measure applied to the case, the criteria it addresses and its effect in steps."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="mitigations")
    measure = models.CharField(_("measure"), max_length=80)
    criteria = models.JSONField(_("criteria addressed"), default=list)
    effect = models.PositiveSmallIntegerField(_("effect (steps)"))
    description = models.TextField(_("description"), blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("mitigation measure")
        verbose_name_plural = _("mitigation measures")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.measure} ({self.effect})"
