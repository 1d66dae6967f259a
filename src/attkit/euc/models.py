"""End-user certificates (model v1), their parties and goods, drawdowns by exporting states, and DVCs."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from attkit.core.models import AuthorityOwned
from attkit.euc import lifecycle
from attkit.euc.categories import UNITS, category_code, category_label
from attkit.euc.model_v1 import PARTY_ROLE_LABELS, PartyRole


class EucStatus(models.TextChoices):
    DRAFT = lifecycle.Status.DRAFT.value, pgettext_lazy("euc status", "Draft")
    ISSUED = lifecycle.Status.ISSUED.value, pgettext_lazy("euc status", "Issued")
    PARTIALLY_USED = lifecycle.Status.PARTIALLY_USED.value, pgettext_lazy("euc status", "Partially used")
    USED = lifecycle.Status.USED.value, pgettext_lazy("euc status", "Used")
    CLOSED = lifecycle.Status.CLOSED.value, pgettext_lazy("euc status", "Closed (delivery verified)")
    REVOKED = lifecycle.Status.REVOKED.value, pgettext_lazy("euc status", "Revoked")
    EXPIRED = lifecycle.Status.EXPIRED.value, pgettext_lazy("euc status", "Expired")
    SUPERSEDED = lifecycle.Status.SUPERSEDED.value, pgettext_lazy("euc status", "Superseded")


STATUS_LABELS = dict(EucStatus.choices)


class SerialCounter(AuthorityOwned):
    """The last number given per authority, document kind and year; locked while a serial is taken."""

    kind = models.CharField(_("kind"), max_length=3)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("serial counter")
        verbose_name_plural = _("serial counters")
        constraints = [models.UniqueConstraint(fields=["authority", "kind", "year"], name="euc_counter_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last}"


class EndUserCertificate(AuthorityOwned):
    """A model v1 end-user certificate of the importing state's authority."""

    serial = models.CharField(_("serial number"), max_length=40, unique=True, null=True, blank=True)
    model_version = models.CharField(_("model version"), max_length=8, default="1")
    status = models.CharField(_("status"), max_length=16, choices=EucStatus.choices, default=EucStatus.DRAFT)
    issue_date = models.DateField(_("date of issue"), null=True, blank=True)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    official_name = models.CharField(_("name of the issuing official"), max_length=200, blank=True)
    official_title = models.CharField(_("title of the issuing official"), max_length=200, blank=True)
    certification_text = models.TextField(_("certification by the government"), blank=True)
    end_use = models.TextField(_("description of the end use"), blank=True)
    no_other_use = models.BooleanField(_("no use for other purposes"), default=False)
    no_reexport_without_consent = models.BooleanField(_("no re-export without consent"), default=False)
    no_wmd = models.BooleanField(_("no use for weapons of mass destruction"), default=False)
    delivery_verification = models.BooleanField(_("delivery verification certificate on arrival"), default=False)
    post_shipment_verification = models.BooleanField(_("consent to on-site post-shipment verification"), default=False)
    contract_number = models.CharField(_("contract or order number"), max_length=100, blank=True)
    contract_date = models.DateField(_("contract or order date"), null=True, blank=True)
    final_destination_country = models.CharField(_("country of final destination"), max_length=2, blank=True)
    seal_text = models.TextField(_("seal"), blank=True)
    document_hash = models.CharField(_("document hash (SHA-256)"), max_length=64, blank=True)
    supersedes = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendments",
        verbose_name=_("supersedes"),
    )
    amendment_reason = models.TextField(_("reason for the amendment"), blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("drafted by"),
    )
    drafted_via = models.CharField(_("drafted via"), max_length=200, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("end-user certificate")
        verbose_name_plural = _("end-user certificates")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["authority", "status"], name="euc_authority_status")]

    def __str__(self) -> str:
        return self.serial or f"{pgettext_lazy('euc status', 'Draft')} {str(self.pk)[:8]}"

    @property
    def reference(self) -> str:
        return str(self)

    def effective_status(self, today: date | None = None) -> lifecycle.Status:
        return lifecycle.effective_status(self.status, self.expiry_date, today or timezone.localdate())

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.effective_status().value, self.status))

    @property
    def is_draft(self) -> bool:
        return self.status == EucStatus.DRAFT

    @property
    def in_force(self) -> bool:
        return self.effective_status() in lifecycle.IN_FORCE

    def party(self, role: PartyRole | str) -> EucParty | None:
        return next((p for p in self.parties.all() if p.role == role), None)

    @property
    def end_user(self) -> EucParty | None:
        return self.party(PartyRole.END_USER)

    @property
    def exporter(self) -> EucParty | None:
        return self.party(PartyRole.EXPORTER)


class EucParty(AuthorityOwned):
    """A party named on the certificate: exporter, end user, consignee, intermediary or broker."""

    certificate = models.ForeignKey(
        EndUserCertificate, on_delete=models.CASCADE, related_name="parties", verbose_name=_("certificate")
    )
    position_no = models.PositiveSmallIntegerField(_("order"), default=0)
    role = models.CharField(_("role"), max_length=16, choices=[(r.value, PARTY_ROLE_LABELS[r]) for r in PartyRole])
    name = models.CharField(_("name"), max_length=300)
    business_name = models.CharField(_("business name"), max_length=300, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    address = models.TextField(_("full address"))
    country = models.CharField(_("country"), max_length=2)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["certificate", "position_no"]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name}"


class EucGoodsLine(AuthorityOwned):
    """A goods line: what, how many, which category; drawdowns and deliveries refer to it."""

    certificate = models.ForeignKey(
        EndUserCertificate, on_delete=models.CASCADE, related_name="goods", verbose_name=_("certificate")
    )
    line_no = models.PositiveSmallIntegerField(_("line"))
    description = models.TextField(_("description"))
    model = models.CharField(_("model"), max_length=200, blank=True)
    calibre = models.CharField(_("calibre"), max_length=50, blank=True)
    un_category = models.CharField(_("UN Register category"), max_length=8)
    salw_line = models.CharField(_("small arms and light weapons line"), max_length=8, blank=True)
    national_category = models.CharField(_("national control list entry"), max_length=50, blank=True)
    hs_code = models.CharField(_("HS code"), max_length=12)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit = models.CharField(_("unit"), max_length=8, choices=list(UNITS.items()))
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("goods line")
        verbose_name_plural = _("goods lines")
        ordering = ["certificate", "line_no"]
        constraints = [models.UniqueConstraint(fields=["certificate", "line_no"], name="euc_goods_line_unique")]

    def __str__(self) -> str:
        return f"{self.line_no}. {self.description[:60]}"

    @property
    def category_code(self) -> str:
        return category_code(self.un_category, self.salw_line)

    @property
    def category_label(self) -> str:
        return category_label(self.un_category, self.salw_line)


class EucUse(AuthorityOwned):
    """A drawdown: an exporting state relies on the certificate for a licence or shipment.

    The record belongs to the exporting state's authority (its officer made it, its licence is named);
    the issuing authority sees it through its certificate (certificate.uses), the register's purpose.
    """

    certificate = models.ForeignKey(
        EndUserCertificate, on_delete=models.PROTECT, related_name="uses", verbose_name=_("certificate")
    )
    serial = models.CharField(_("serial number of the certificate"), max_length=40)
    exporting_state = models.CharField(_("exporting state"), max_length=2)
    exporter = models.CharField(_("exporter"), max_length=300)
    licence_reference = models.CharField(_("licence reference"), max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_by_label = models.CharField(_("recorded by"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    flagged = models.BooleanField(_("flagged"), default=False)
    flags = models.JSONField(_("flags"), default=list, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("use of a certificate")
        verbose_name_plural = _("uses of certificates")
        ordering = ["certificate", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.serial} · {self.exporting_state} {self.licence_reference}"


class EucUseLine(AuthorityOwned):
    use = models.ForeignKey(EucUse, on_delete=models.CASCADE, related_name="lines", verbose_name=_("use"))
    line = models.ForeignKey(EucGoodsLine, on_delete=models.PROTECT, related_name="uses", verbose_name=_("goods line"))
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("quantity used")
        verbose_name_plural = _("quantities used")
        constraints = [models.UniqueConstraint(fields=["use", "line"], name="euc_use_line_unique")]

    def __str__(self) -> str:
        return f"{self.line.line_no}: {self.quantity}"


class DeliveryVerification(AuthorityOwned):
    """The delivery verification certificate (DVC): the importing authority checked what arrived."""

    certificate = models.OneToOneField(
        EndUserCertificate, on_delete=models.PROTECT, related_name="delivery", verbose_name=_("certificate")
    )
    serial = models.CharField(_("serial number"), max_length=40, unique=True)
    delivery_date = models.DateField(_("date of delivery"))
    checked_by = models.CharField(_("checked by (name and title)"), max_length=300)
    discrepancies = models.TextField(_("discrepancies"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    seal_text = models.TextField(_("seal"), blank=True)
    document_hash = models.CharField(_("document hash (SHA-256)"), max_length=64, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("delivery verification certificate")
        verbose_name_plural = _("delivery verification certificates")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.serial


class DeliveryLine(AuthorityOwned):
    delivery = models.ForeignKey(
        DeliveryVerification, on_delete=models.CASCADE, related_name="lines", verbose_name=_("delivery")
    )
    line = models.ForeignKey(
        EucGoodsLine, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("goods line")
    )
    quantity_received = models.PositiveIntegerField(_("quantity received"))

    class Meta:
        verbose_name = _("quantity received")
        verbose_name_plural = _("quantities received")
        constraints = [models.UniqueConstraint(fields=["delivery", "line"], name="euc_delivery_line_unique")]

    def __str__(self) -> str:
        return f"{self.line.line_no}: {self.quantity_received}"


def used_quantities(certificate: EndUserCertificate) -> dict[int, int]:
    """Quantity drawn so far per goods line number."""
    totals: dict[int, int] = {}
    for row in EucUseLine.objects.filter(use__certificate=certificate).values("line__line_no", "quantity"):
        totals[row["line__line_no"]] = totals.get(row["line__line_no"], 0) + row["quantity"]
    return totals


def remaining_quantities(certificate: EndUserCertificate) -> dict[int, int]:
    used = used_quantities(certificate)
    return {line.line_no: line.quantity - used.get(line.line_no, 0) for line in certificate.goods.all()}
