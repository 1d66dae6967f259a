"""Treaty status of states (signature, ratification or accession, entry into force, reports), each with its source.

Reference data shared by every authority, as the hub sees it: not owned by one authority.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from attkit.treaty import obligations


class Region(models.TextChoices):
    LAC = "LAC", _("Latin America and the Caribbean")
    OTHER = "other", _("Other states")


class ConsentKind(models.TextChoices):
    RATIFICATION = "ratification", _("Ratification")
    ACCESSION = "accession", _("Accession")
    ACCEPTANCE = "acceptance", _("Acceptance")
    APPROVAL = "approval", _("Approval")


class StateStatus(models.Model):
    """One state's status under the Arms Trade Treaty. An empty date is unknown (no source), never 'no'."""

    iso2 = models.CharField(_("ISO code"), max_length=2, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    region = models.CharField(_("region"), max_length=16, choices=Region.choices, default=Region.OTHER)
    signed = models.DateField(_("signature"), null=True, blank=True)
    consented = models.DateField(_("ratification or accession"), null=True, blank=True)
    consent_kind = models.CharField(_("kind"), max_length=16, choices=ConsentKind.choices, blank=True)
    entry_into_force = models.DateField(_("entry into force"), null=True, blank=True)
    source = models.TextField(_("source"), blank=True)
    as_of = models.CharField(_("as of"), max_length=200, blank=True)
    initial_report = models.DateField(_("initial report submitted on"), null=True, blank=True)
    initial_report_recorded = models.BooleanField(
        _("initial report submitted"), default=False, help_text=_("Tick when a source says it was submitted.")
    )
    initial_report_source = models.TextField(_("source (initial report)"), blank=True)
    reports_tracked_from = models.PositiveSmallIntegerField(
        _("annual reports tracked from"),
        null=True,
        blank=True,
        help_text=_(
            "The first reporting year for which every annual report of this state is recorded here. "
            "Years before it show as unknown, never as late."
        ),
    )
    notes = models.TextField(_("notes"), blank=True)
    edited_in_admin = models.BooleanField(
        _("edited in the admin"), default=False, help_text=_("An import leaves rows changed in the admin alone.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("treaty status of a state")
        verbose_name_plural = _("treaty status of states")
        ordering = ["name_en"]

    def __str__(self) -> str:
        return f"{self.iso2} · {self.name_en}"

    def facts(self) -> obligations.Facts:
        return obligations.Facts(
            entry_into_force=self.entry_into_force,
            initial_report=self.initial_report,
            initial_report_recorded=self.initial_report_recorded,
            annual_reports={r.year: r.submitted_on for r in self.annual_reports.all()},
            tracked_from=self.reports_tracked_from,
        )


class AnnualReport(models.Model):
    """An annual report a state submitted (Art. 13(3)), with its source."""

    state = models.ForeignKey(
        StateStatus, on_delete=models.CASCADE, related_name="annual_reports", verbose_name=_("state")
    )
    year = models.PositiveSmallIntegerField(_("reporting year"))
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True, help_text=_("Empty when unknown."))
    source = models.TextField(_("source"))

    class Meta:
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        ordering = ["state", "year"]
        constraints = [models.UniqueConstraint(fields=["state", "year"], name="treaty_annual_report_unique")]

    def __str__(self) -> str:
        return f"{self.state.iso2} {self.year}"
