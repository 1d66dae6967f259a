"""Loaded list versions with provenance, their entries, screening runs, hits and review decisions."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attkit.core.models import Authority, AuthorityOwned


class ListKindChoice(models.TextChoices):
    UN = "un", _("UN Security Council Consolidated List")
    OFAC = "ofac", _("US OFAC Specially Designated Nationals (SDN) list")
    FTM = "ftm", _("OpenSanctions FollowTheMoney entities")
    CSV = "csv", _("National list (CSV)")


class ListVersion(models.Model):
    """One load of one list: source, version, counts and the difference from the version before it.

    Lists published for everyone (UN, OFAC, OpenSanctions) have no authority; a state's own list
    (national denials, persons of interest) belongs to that state's authority and only it screens on it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("list"), max_length=8, choices=ListKindChoice.choices)
    name = models.CharField(_("name"), max_length=200)
    authority = models.ForeignKey(
        Authority, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("authority")
    )
    source = models.CharField(_("source"), max_length=500)
    version = models.CharField(_("version"), max_length=100)
    generated_at = models.DateTimeField(_("generated"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    counts = models.JSONField(_("counts"), default=dict)
    added = models.JSONField(_("added"), default=list)
    removed = models.JSONField(_("removed"), default=list)
    changed = models.JSONField(_("changed"), default=list)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("previous version")
    )
    is_current = models.BooleanField(_("current"), default=True)
    loaded_at = models.DateTimeField(_("loaded"), default=timezone.now)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("list version")
        verbose_name_plural = _("list versions")
        ordering = ["-loaded_at"]
        indexes = [models.Index(fields=["kind", "authority", "is_current"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.version}"

    @property
    def is_shared(self) -> bool:
        return self.authority_id is None


class ListedEntry(models.Model):
    """One entry of one list version, kept whole (as JSON) so the index can be rebuilt from the database."""

    id = models.BigAutoField(primary_key=True)
    version = models.ForeignKey(ListVersion, on_delete=models.CASCADE, related_name="entries")
    ref = models.CharField(_("reference"), max_length=100)
    schema = models.CharField(_("schema"), max_length=20)
    primary_name = models.CharField(_("name"), max_length=1000)
    content_hash = models.CharField(_("content hash"), max_length=64)
    data = models.JSONField(_("entry"))

    class Meta:
        verbose_name = _("listed entry")
        verbose_name_plural = _("listed entries")
        constraints = [models.UniqueConstraint(fields=["version", "ref"], name="listed_entry_unique_ref")]

    def __str__(self) -> str:
        return f"{self.ref} {self.primary_name}"


class HitStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    TRUE_MATCH = "true_match", _("True match")
    FALSE_POSITIVE = "false_positive", _("False positive")


class TrueMatchOutcome(models.TextChoices):
    REFUSE = "refuse", _("Refusal under Article 6(1)")
    ESCALATE = "escalate", _("Escalate for further review")


class ScreeningRun(AuthorityOwned):
    """A party screened at one moment against the lists current then."""

    subject_type = models.CharField(_("subject type"), max_length=64)
    subject_id = models.CharField(_("subject id"), max_length=64, db_index=True)
    subject_label = models.CharField(_("subject"), max_length=300)
    name = models.CharField(_("name"), max_length=1000)
    dob = models.CharField(_("date of birth"), max_length=32, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    schema = models.CharField(_("schema"), max_length=20, blank=True)
    fingerprint = models.CharField(_("party fingerprint"), max_length=64, db_index=True)
    threshold = models.FloatField(_("threshold"))
    list_versions = models.JSONField(_("list versions"), default=list)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_latest = models.BooleanField(_("latest for the subject"), default=True)

    class Meta:
        verbose_name = _("screening run")
        verbose_name_plural = _("screening runs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["authority", "subject_type", "subject_id", "is_latest"])]

    def __str__(self) -> str:
        return f"{self.subject_label} ({self.created_at:%Y-%m-%d})"


class ScreeningHit(AuthorityOwned):
    """A list entry that scored at or above the threshold for a screened party, and its review."""

    run = models.ForeignKey(ScreeningRun, on_delete=models.CASCADE, related_name="hits")
    list_kind = models.CharField(_("list"), max_length=8, choices=ListKindChoice.choices)
    list_version = models.ForeignKey(ListVersion, on_delete=models.PROTECT, related_name="+")
    entry_ref = models.CharField(_("list reference"), max_length=100)
    entry_name = models.CharField(_("listed name"), max_length=1000)
    entry_hash = models.CharField(_("entry content hash"), max_length=64)
    matched_name = models.CharField(_("matched name"), max_length=1000)
    score = models.FloatField(_("score"))
    explanation = models.TextField(_("explanation"))
    details = models.JSONField(_("details"), default=dict)
    status = models.CharField(_("status"), max_length=16, choices=HitStatus.choices, default=HitStatus.PENDING)
    outcome = models.CharField(_("outcome"), max_length=16, choices=TrueMatchOutcome.choices, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    remembered = models.BooleanField(
        _("decided earlier"), default=False, help_text=_("Taken from an earlier decision on the same party and entry.")
    )

    class Meta:
        verbose_name = _("screening hit")
        verbose_name_plural = _("screening hits")
        ordering = ["-score"]

    def __str__(self) -> str:
        return f"{self.entry_ref} {self.entry_name} ({self.score:.2f})"

    @property
    def is_blocking(self) -> bool:
        return self.status == HitStatus.PENDING or (
            self.status == HitStatus.TRUE_MATCH and self.outcome == TrueMatchOutcome.REFUSE
        )


class HitDecision(AuthorityOwned):
    """A review remembered for the same party and list entry until either changes."""

    fingerprint = models.CharField(_("party fingerprint"), max_length=64)
    list_kind = models.CharField(_("list"), max_length=8, choices=ListKindChoice.choices)
    entry_ref = models.CharField(_("list reference"), max_length=100)
    entry_hash = models.CharField(_("entry content hash"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=HitStatus.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=TrueMatchOutcome.choices, blank=True)
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("hit decision")
        verbose_name_plural = _("hit decisions")
        indexes = [models.Index(fields=["authority", "fingerprint", "list_kind", "entry_ref"])]

    def __str__(self) -> str:
        return f"{self.entry_ref}: {self.status}"
