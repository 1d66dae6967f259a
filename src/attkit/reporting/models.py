"""Transfer records (Art. 12), kept immutable for ten years, and what the reports need beside them."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attkit.core.models import AuthorityOwned, TenantManager, TenantQuerySet

RETENTION_YEARS = 10  # Art. 12(4): records are kept for a minimum of ten years.


class Direction(models.TextChoices):
    EXPORT = "export", _("Export")
    IMPORT = "import", _("Import")
    TRANSIT = "transit", _("Transit")
    TRANSSHIPMENT = "transshipment", _("Trans-shipment")
    BROKERING = "brokering", _("Brokering")


class Basis(models.TextChoices):
    AUTHORISED = "authorised", _("Authorised")
    ACTUAL = "actual", _("Actual")


class EndUserType(models.TextChoices):
    ARMED_FORCES = "armed_forces", _("Armed forces")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
    OTHER_GOVERNMENT = "other_government", _("Other government body")
    PRIVATE_COMPANY = "private_company", _("Private company")
    INDIVIDUAL = "individual", _("Individual")
    OTHER = "other", _("Other")


class RecordSource(models.TextChoices):
    LICENCE = "licence", _("Licence")
    SHIPMENT = "shipment", _("Shipment")
    IMPORT_CSV = "import_csv", _("Imported from CSV")
    MANUAL = "manual", _("Entered by hand")


def retention_end(year: int, date: dt.date | None) -> dt.date:
    """The first day on which a record may be deleted: ten years after its date (or after its year's end)."""
    start = date or dt.date(year, 12, 31)
    try:
        return start.replace(year=start.year + RETENTION_YEARS)
    except ValueError:  # 29 February
        return start.replace(year=start.year + RETENTION_YEARS, day=28)


class TransferRecordQuerySet(TenantQuerySet):
    """Records are never changed in place and never deleted in bulk inside the retention period."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionDenied("Transfer records are immutable: correct one by superseding it.")

    def delete(self) -> tuple[int, dict[str, int]]:
        today = timezone.localdate()
        if self.filter(retain_until__gt=today).exists():
            raise ValidationError(_("Records cannot be deleted inside the ten-year retention period (Art. 12(4))."))
        return super().delete()

    def current(self) -> TransferRecordQuerySet:
        return self.filter(is_current=True)

    def _mark_superseded(self) -> int:
        # The one write an existing record ever sees: it stops being the current version.
        return models.QuerySet.update(self, is_current=False)


class TransferRecordManager(TenantManager):
    def get_queryset(self) -> TransferRecordQuerySet:
        return TransferRecordQuerySet(self.model, using=self._db)

    def for_user(self, user: Any) -> TransferRecordQuerySet:
        return self.get_queryset().for_user(user)

    def for_authority(self, authority: Any) -> TransferRecordQuerySet:
        return self.get_queryset().for_authority(authority)

    def current(self) -> TransferRecordQuerySet:
        return self.get_queryset().current()


class TransferRecord(AuthorityOwned):
    """One authorisation or actual transfer with the fields of Art. 12(3); a correction supersedes it."""

    reference = models.CharField(_("reference"), max_length=32, unique=True, editable=False)
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices)
    basis = models.CharField(_("authorised or actual"), max_length=16, choices=Basis.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    date = models.DateField(_("date"), null=True, blank=True)
    quantity = models.PositiveBigIntegerField(_("number of items"), null=True, blank=True)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    model_type = models.CharField(_("model or type"), max_length=200, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    category = models.CharField(_("category"), max_length=16)
    hs_code = models.CharField(_("HS code"), max_length=12, blank=True)
    exporting_state = models.CharField(_("exporting state"), max_length=2, blank=True)
    importing_state = models.CharField(_("importing state"), max_length=2, blank=True)
    transit_states = models.JSONField(_("transit and trans-shipment states"), default=list, blank=True)
    state_of_origin = models.CharField(_("state of origin"), max_length=2, blank=True)
    intermediate_location = models.CharField(_("intermediate location"), max_length=200, blank=True)
    partner_state = models.CharField(
        _("partner state"),
        max_length=2,
        blank=True,
        help_text=_("The importing state of an export, the exporting state of anything else."),
    )
    end_user = models.CharField(_("end user"), max_length=300, blank=True)
    end_user_type = models.CharField(_("end-user type"), max_length=32, choices=EndUserType.choices, blank=True)
    licence_reference = models.CharField(_("licence reference"), max_length=100, blank=True)
    euc_serial = models.CharField(_("end-user certificate serial"), max_length=40, blank=True)
    comments = models.CharField(_("comments"), max_length=500, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=RecordSource.choices)
    source_id = models.CharField(_("source id"), max_length=100, blank=True)
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    is_current = models.BooleanField(_("current version"), default=True)
    correction_reason = models.CharField(_("reason for the correction"), max_length=500, blank=True)
    retain_until = models.DateField(_("retain until"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_by_label = models.CharField(_("recorded by"), max_length=200, blank=True)

    objects: ClassVar[TransferRecordManager] = TransferRecordManager()

    class Meta:
        verbose_name = _("transfer record")
        verbose_name_plural = _("transfer records")
        ordering = ["-year", "-created_at"]
        indexes = [
            # The annual report reads one authority's current records of one year and basis.
            models.Index(
                fields=["authority", "year", "basis", "is_current", "direction"], name="rep_record_report_idx"
            ),
            models.Index(fields=["authority", "licence_reference"], name="rep_record_licence_idx"),
            models.Index(fields=["authority", "retain_until"], name="rep_record_retention_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__isnull=False) | Q(value__isnull=False), name="rep_record_quantity_or_value"
            ),
            models.CheckConstraint(condition=Q(year__gte=1990) & Q(year__lte=2200), name="rep_record_year_range"),
            models.CheckConstraint(condition=Q(direction__in=Direction.values), name="rep_record_direction_valid"),
            models.CheckConstraint(condition=Q(basis__in=Basis.values), name="rep_record_basis_valid"),
            models.UniqueConstraint(
                fields=["authority", "source", "source_id"],
                condition=Q(is_current=True) & ~Q(source_id=""),
                name="rep_record_source_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionDenied("Transfer records are immutable: correct one by superseding it.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.retain_until > timezone.localdate():
            raise ValidationError(
                _("This record must be kept until %(date)s (Art. 12(4)).") % {"date": self.retain_until.isoformat()}
            )
        return super().delete(*args, **kwargs)

    @property
    def within_retention(self) -> bool:
        return self.retain_until > timezone.localdate()


class RecordCounter(AuthorityOwned):
    """The last sequence number given to an authority's records of a year (MX-TR-2025-000123)."""

    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("record counter")
        verbose_name_plural = _("record counters")
        constraints = [models.UniqueConstraint(fields=["authority", "year"], name="rep_counter_unique")]

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class ImportKind(models.TextChoices):
    RECORDS = "records", _("Transfer records")
    CUSTOMS = "customs", _("Customs declarations")


class RecordImport(AuthorityOwned):
    """One committed CSV import: which file, how many rows, by whom."""

    kind = models.CharField(_("kind"), max_length=16, choices=ImportKind.choices)
    filename = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    rows = models.PositiveIntegerField(_("rows"))
    mapping = models.JSONField(_("column mapping"), default=dict)
    imported_by_label = models.CharField(_("imported by"), max_length=200)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename}"


class PendingImport(AuthorityOwned):
    """An uploaded CSV between upload and commit (mapping, dry run); deleted once imported or stale."""

    kind = models.CharField(_("kind"), max_length=16, choices=ImportKind.choices)
    filename = models.CharField(_("file name"), max_length=255)
    encoding = models.CharField(_("encoding"), max_length=16)
    content = models.BinaryField(_("content"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("uploaded by")
    )

    class Meta:
        verbose_name = _("pending import")
        verbose_name_plural = _("pending imports")

    def __str__(self) -> str:
        return self.filename


class ImportMapping(AuthorityOwned):
    """The column mapping an authority used last, offered again as the default."""

    kind = models.CharField(_("kind"), max_length=16, choices=ImportKind.choices)
    mapping = models.JSONField(_("column mapping"), default=dict)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        constraints = [models.UniqueConstraint(fields=["authority", "kind"], name="rep_mapping_unique")]

    def __str__(self) -> str:
        return self.kind


class NationalDefinitions(AuthorityOwned):
    """Annex 2 of the ATT annual report: the authority's national definitions of the categories."""

    text = models.TextField(_("national definitions"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by_label = models.CharField(_("updated by"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("national definitions annex")
        verbose_name_plural = _("national definitions annexes")
        constraints = [models.UniqueConstraint(fields=["authority"], name="rep_definitions_unique")]

    def __str__(self) -> str:
        return str(_("National definitions"))


class ReportKind(models.TextChoices):
    ATT = "att", _("ATT annual report")
    UNROCA = "unroca", _("UN Register report")


class ReportSubmission(AuthorityOwned):
    """The authority's note that its report for a year went to the Secretariat (stops the 31 May reminder)."""

    kind = models.CharField(_("report"), max_length=16, choices=ReportKind.choices, default=ReportKind.ATT)
    year = models.PositiveSmallIntegerField(_("reporting year"))
    basis = models.CharField(_("authorised or actual"), max_length=16, choices=Basis.choices)
    submitted_on = models.DateField(_("submitted on"))
    withheld = models.BooleanField(_("sensitive data withheld"), default=False)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by_label = models.CharField(_("recorded by"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("report submission")
        verbose_name_plural = _("report submissions")
        ordering = ["-year", "kind"]
        constraints = [models.UniqueConstraint(fields=["authority", "kind", "year"], name="rep_submission_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}"


class CustomsDeclaration(AuthorityOwned):
    """A customs declaration imported for reconciliation against licences."""

    number = models.CharField(_("declaration number"), max_length=64)
    date = models.DateField(_("date"))
    hs_code = models.CharField(_("HS code"), max_length=12)
    quantity = models.PositiveBigIntegerField(_("quantity"))
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    licence_reference = models.CharField(_("licence reference"), max_length=100, blank=True)
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices)
    batch = models.ForeignKey(
        RecordImport, on_delete=models.PROTECT, related_name="declarations", verbose_name=_("import")
    )

    class Meta:
        verbose_name = _("customs declaration")
        verbose_name_plural = _("customs declarations")
        ordering = ["date", "number"]
        constraints = [models.UniqueConstraint(fields=["authority", "number"], name="rep_declaration_unique")]

    def __str__(self) -> str:
        return self.number
