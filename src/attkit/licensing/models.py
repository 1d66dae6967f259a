"""Transfer authorisations: cases with their parties, goods, documents and history; flags, advice, decisions,
licences, shipments and the denial notices shared on the hub."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from attkit.core.models import AuthorityOwned
from attkit.licensing import categories, workflow
from attkit.licensing.flags import PartyRole as FlagPartyRole


class CaseKind(models.TextChoices):
    EXPORT = "export", _("Export")
    IMPORT = "import", _("Import")
    TRANSIT = "transit", _("Transit")
    TRANS_SHIPMENT = "trans_shipment", _("Trans-shipment")
    BROKERING = "brokering", _("Brokering")


# Art. 2(2): exports and imports need an end-user certificate in attkit (Arts 8(1) and 11(2)).
EUC_REQUIRED_KINDS = frozenset({CaseKind.EXPORT.value, CaseKind.IMPORT.value})


class Permanence(models.TextChoices):
    PERMANENT = "permanent", _("Permanent")
    TEMPORARY = "temporary", _("Temporary")


class CaseState(models.TextChoices):
    DRAFT = workflow.State.DRAFT.value, _("Draft")
    SUBMITTED = workflow.State.SUBMITTED.value, _("Submitted")
    SCREENING = workflow.State.SCREENING.value, _("Screening")
    UNDER_ASSESSMENT = workflow.State.UNDER_ASSESSMENT.value, _("Under assessment")
    AWAITING_INFORMATION = workflow.State.AWAITING_INFORMATION.value, _("Awaiting information")
    AWAITING_COUNTERSIGNATURE = workflow.State.AWAITING_COUNTERSIGNATURE.value, _("Awaiting countersignature")
    APPROVED = workflow.State.APPROVED.value, _("Approved")
    REFUSED = workflow.State.REFUSED.value, _("Refused")
    LICENCE_ISSUED = workflow.State.LICENCE_ISSUED.value, _("Licence issued")
    IN_USE = workflow.State.IN_USE.value, _("Licence in use")
    EXHAUSTED = workflow.State.EXHAUSTED.value, _("Licence exhausted")
    EXPIRED = workflow.State.EXPIRED.value, _("Licence expired")
    SUSPENDED = workflow.State.SUSPENDED.value, _("Licence suspended")
    REVOKED = workflow.State.REVOKED.value, _("Licence revoked")
    WITHDRAWN = workflow.State.WITHDRAWN.value, _("Withdrawn")


STATE_LABELS = dict(CaseState.choices)


class PartyRole(models.TextChoices):
    END_USER = FlagPartyRole.END_USER.value, _("End user")
    CONSIGNEE = FlagPartyRole.CONSIGNEE.value, _("Consignee")
    ULTIMATE_END_USER = FlagPartyRole.ULTIMATE_END_USER.value, _("Ultimate end user")
    INTERMEDIARY = FlagPartyRole.INTERMEDIARY.value, _("Intermediary")
    BROKER = FlagPartyRole.BROKER.value, _("Broker")


PARTY_ROLE_LABELS = dict(PartyRole.choices)


class IllegalStateChange(ValidationError):
    """A save that would change a case's state without going through the workflow service."""


class ReferenceCounter(AuthorityOwned):
    """The last case number given per authority and year; locked while a reference is taken."""

    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=3, default="LIC")
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")
        constraints = [models.UniqueConstraint(fields=["authority", "kind", "year"], name="licensing_counter_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last}"


class Case(AuthorityOwned):
    """An application to transfer conventional arms, and then the licence it becomes."""

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    kind = models.CharField(_("kind of transfer"), max_length=20, choices=CaseKind.choices)
    permanence = models.CharField(
        _("permanent or temporary"), max_length=12, choices=Permanence.choices, default=Permanence.PERMANENT
    )
    temporary_until = models.DateField(_("temporary until"), null=True, blank=True)
    applicant = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="licence_cases", verbose_name=_("applicant")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    origin_country = models.CharField(_("exporting country"), max_length=2, blank=True)
    destination_country = models.CharField(_("country of final destination"), max_length=2, blank=True)
    end_use = models.TextField(_("stated end use"), blank=True)
    # The workflow owns the state: only services.apply_transition may change it (see save()).
    state = models.CharField(
        _("status"), max_length=32, choices=CaseState.choices, default=CaseState.DRAFT, editable=False
    )
    state_entered_at = models.DateTimeField(_("in this status since"), default=timezone.now, editable=False)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, editable=False)
    # The end-user certificate the application relies on (the EUC app's record, by id: no hard link).
    euc_serial = models.CharField(_("EUC serial number"), max_length=40, blank=True)
    euc_seal_text = models.TextField(_("EUC seal"), blank=True)
    euc_document = models.ForeignKey(
        "licensing.CaseDocument",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("EUC document"),
    )
    euc_certificate_id = models.UUIDField(_("EUC record"), null=True, blank=True, editable=False)
    euc_verdict = models.CharField(_("EUC verdict"), max_length=40, blank=True, editable=False)
    euc_check = models.JSONField(_("EUC check"), default=dict, blank=True, editable=False)
    euc_checked_at = models.DateTimeField(_("EUC checked"), null=True, blank=True, editable=False)
    # The licence (the case reference is its number) and the refusal letter.
    licence_valid_until = models.DateField(_("licence valid until"), null=True, blank=True, editable=False)
    licence_issued_at = models.DateTimeField(_("licence issued"), null=True, blank=True, editable=False)
    licence_issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("licence issued by"),
        editable=False,
    )
    licence_seal = models.TextField(_("licence seal"), blank=True, editable=False)
    refusal_seal = models.TextField(_("refusal letter seal"), blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["authority", "state"], name="licensing_case_state"),
            models.Index(fields=["authority", "applicant"], name="licensing_case_applicant"),
        ]

    _transition_target: str | None = None

    def __str__(self) -> str:
        return self.reference

    @property
    def workflow_state(self) -> workflow.State:
        return workflow.State(self.state)

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS.get(self.state, self.state))

    @property
    def is_draft(self) -> bool:
        return self.state == CaseState.DRAFT

    @property
    def euc_required(self) -> bool:
        return self.kind in EUC_REQUIRED_KINDS

    @property
    def is_closed(self) -> bool:
        return workflow.is_terminal(self.workflow_state)

    def end_user(self) -> Party | None:
        return next((p for p in self.parties.all() if p.role == PartyRole.END_USER), None)

    def allow_state(self, new_state: workflow.State) -> None:
        """Called by the workflow service only: the next save may set this state."""
        self._transition_target = new_state.value
        self.state = new_state.value

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            stored = type(self).objects.filter(pk=self.pk).values_list("state", flat=True).first()
            if stored is not None and self.state not in (stored, self._transition_target):
                raise IllegalStateChange(
                    {"state": _("The status of a case changes only through the workflow (a recorded transition).")}
                )
        elif self.state not in (CaseState.DRAFT, self._transition_target):
            raise IllegalStateChange({"state": _("A new case starts as a draft.")})
        super().save(*args, **kwargs)
        self._transition_target = None


class Party(AuthorityOwned):
    """A party to the transfer: end user, consignee, ultimate end user, intermediary or broker."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties", verbose_name=_("case"))
    role = models.CharField(_("role"), max_length=20, choices=PartyRole.choices)
    name = models.CharField(_("name"), max_length=300)
    address = models.TextField(_("address"), blank=True)
    country = models.CharField(_("country"), max_length=2)
    is_state_body = models.BooleanField(
        _("state body"), default=False, help_text=_("A government, its armed forces or its police.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["position", "created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"

    @property
    def role_label(self) -> str:
        return str(PARTY_ROLE_LABELS.get(self.role, self.role))


class GoodsLine(AuthorityOwned):
    """A line of goods classified on the control list, with the quantity the licence authorises."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="goods", verbose_name=_("case"))
    line_no = models.PositiveSmallIntegerField(_("line"))
    description = models.CharField(_("description"), max_length=500)
    un_category = models.CharField(_("UN Register category"), max_length=8, choices=categories.category_choices())
    salw_line = models.CharField(_("small arms or light weapons line"), max_length=4, blank=True)
    hs_code = models.CharField(_("HS code"), max_length=14, blank=True)
    national_code = models.CharField(_("national control list code"), max_length=40, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit = models.CharField(_("unit"), max_length=8, default="unit")
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    quantity_shipped = models.PositiveIntegerField(_("quantity shipped"), default=0, editable=False)
    euc_line_no = models.PositiveSmallIntegerField(_("EUC line"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("goods line")
        verbose_name_plural = _("goods lines")
        ordering = ["line_no"]
        constraints = [
            models.UniqueConstraint(fields=["case", "line_no"], name="licensing_goods_line_unique"),
            models.CheckConstraint(
                condition=models.Q(quantity_shipped__lte=models.F("quantity")), name="licensing_no_overshipment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line_no}. {self.description}"

    @property
    def category(self) -> str:
        return categories.category_code(self.un_category, self.salw_line)

    @property
    def category_label(self) -> str:
        return categories.category_label(self.un_category, self.salw_line)

    @property
    def unit_label(self) -> str:
        return str(categories.UNITS.get(self.unit, self.unit))

    @property
    def remaining(self) -> int:
        return self.quantity - self.quantity_shipped


class TransitStop(AuthorityOwned):
    """A country on the transit route, in order."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transit", verbose_name=_("case"))
    position = models.PositiveSmallIntegerField(_("position"))
    country = models.CharField(_("country"), max_length=2)

    class Meta:
        verbose_name = _("transit country")
        verbose_name_plural = _("transit route")
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.position}. {self.country}"


class DocumentKind(models.TextChoices):
    EUC = "euc", _("End-user certificate")
    CONTRACT = "contract", _("Contract or order")
    TECHNICAL = "technical", _("Technical specification")
    OTHER = "other", _("Other supporting document")
    LICENCE = "licence", _("Licence")
    REFUSAL = "refusal", _("Refusal letter")


def _document_path(instance: CaseDocument, filename: str) -> str:
    # Never the user's file name: a random name with the sniffed type's extension (see uploads.py).
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"licensing/{instance.authority_id}/{uuid.uuid4().hex}.{extension}"


class CaseDocument(AuthorityOwned):
    """A file attached to a case (checked by content: PDF, PNG or JPEG) or produced by it (licence, letter)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=12, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to=_document_path, max_length=200)
    original_name = models.CharField(_("file name given"), max_length=120, blank=True)
    media_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.original_name or self.kind

    @property
    def kind_label(self) -> str:
        return str(dict(DocumentKind.choices).get(self.kind, self.kind))


class CaseEvent(AuthorityOwned):
    """One transition of a case: who, when, why (the workflow's record; audit events mirror it)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("case"))
    event = models.CharField(_("event"), max_length=32)
    old_state = models.CharField(_("from"), max_length=32)
    new_state = models.CharField(_("to"), max_length=32)
    role = models.CharField(_("role"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("by"), max_length=200)
    reason = models.TextField(_("reason"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.old_state} -> {self.new_state}"

    @property
    def new_state_label(self) -> str:
        return str(STATE_LABELS.get(self.new_state, self.new_state))


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class FlagResolution(models.TextChoices):
    FALSE_POSITIVE = "false_positive", _("False positive: does not apply")
    CONFIRMED = "confirmed", _("Confirmed: applies to this case")
    EXEMPTION = "exemption", _("Exemption recorded")
    NOTED = "noted", _("Noted")


class CaseFlag(AuthorityOwned):
    """An automatic flag raised on submission. A blocking one holds the case until a supervisor resolves it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="flags", verbose_name=_("case"))
    code = models.CharField(_("code"), max_length=40)
    severity = models.CharField(_("severity"), max_length=12)
    articles = models.JSONField(_("articles"), default=list)
    params = models.JSONField(_("details"), default=dict)
    status = models.CharField(_("status"), max_length=12, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    resolution = models.CharField(_("resolution"), max_length=16, choices=FlagResolution.choices, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolution_reason = models.TextField(_("reason"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        ordering = ["-severity", "created_at"]

    def __str__(self) -> str:
        return self.code

    @property
    def blocking(self) -> bool:
        return self.severity == "blocking"

    @property
    def is_open(self) -> bool:
        return self.status == FlagStatus.OPEN


# --- case-side screening ---------------------------------------------------------------------------------------
# The hits of a case's parties and their review. They live here until the screening app offers its own
# Django service (screen a party, store hits, review them); see screening_link.py for the seam.


class HitStatus(models.TextChoices):
    PENDING = "pending", _("Not yet reviewed")
    FALSE_POSITIVE = "false_positive", _("False positive")
    TRUE_MATCH = "true_match", _("True match")


class ScreeningHit(AuthorityOwned):
    """A possible match of a party against a sanctions list, and the review that settles it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="hits", verbose_name=_("case"))
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="hits", verbose_name=_("party"))
    list_name = models.CharField(_("list"), max_length=40)
    entry_ref = models.CharField(_("list entry"), max_length=80)
    listed_name = models.CharField(_("listed name"), max_length=500)
    matched_name = models.CharField(_("matched name"), max_length=500)
    score = models.FloatField(_("score"))
    programs = models.JSONField(_("programmes"), default=list, blank=True)
    external_id = models.CharField(_("screening record"), max_length=64, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=HitStatus.choices, default=HitStatus.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("screening hit")
        verbose_name_plural = _("screening hits")
        ordering = ["-score"]

    def __str__(self) -> str:
        return f"{self.list_name} {self.entry_ref}"


# --- consultation -------------------------------------------------------------------------------------------


class RoutingRule(AuthorityOwned):
    """Which agency is consulted on which cases: by kind, category and destination (blank matches any)."""

    agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.CASCADE, related_name="routing_rules", verbose_name=_("agency")
    )
    kind = models.CharField(_("kind of transfer"), max_length=20, choices=CaseKind.choices, blank=True)
    category = models.CharField(_("category"), max_length=8, choices=categories.category_choices(), blank=True)
    destination = models.CharField(_("destination"), max_length=2, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["agency__name_en", "kind", "category", "destination"]

    def __str__(self) -> str:
        return f"{self.agency} · {self.kind or '*'} · {self.category or '*'} · {self.destination or '*'}"

    def matches(self, case: Case, case_categories: set[str]) -> bool:
        if not self.is_active:
            return False
        if self.kind and self.kind != case.kind:
            return False
        if self.category and self.category not in case_categories:
            return False
        return not (self.destination and self.destination != case.destination_country)


class AdviceOutcome(models.TextChoices):
    APPROVE = "approve", _("Approve")
    APPROVE_WITH_CONDITIONS = "approve_with_conditions", _("Approve with conditions")
    REFUSE = "refuse", _("Refuse")
    NO_OBJECTION = "no_objection", _("No objection")


ADVICE_LABELS = dict(AdviceOutcome.choices)


class Advice(AuthorityOwned):
    """An agency's advice on a case: requested by routing, given by an adviser of that agency."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="advice", verbose_name=_("case"))
    agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="advice", verbose_name=_("agency")
    )
    rule = models.ForeignKey(RoutingRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(_("advice"), max_length=24, choices=AdviceOutcome.choices, blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    reasons = models.TextField(_("reasons"), blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    given_at = models.DateTimeField(_("given"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("advice")
        verbose_name_plural = _("advice")
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["case", "agency"], name="licensing_advice_unique")]

    def __str__(self) -> str:
        return f"{self.agency}: {self.outcome or '-'}"

    @property
    def given(self) -> bool:
        return bool(self.outcome)

    @property
    def outcome_label(self) -> str:
        return str(ADVICE_LABELS.get(self.outcome, self.outcome))


# --- decision -----------------------------------------------------------------------------------------------


class DecisionOutcome(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REFUSE = "refuse", _("Refuse")


class CountersignStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting countersignature")
    AGREED = "agreed", _("Countersigned")
    DISAGREED = "disagreed", _("Returned: the supervisor disagreed")


class Decision(AuthorityOwned):
    """A proposed decision and its countersignature (four eyes); a disagreement stays on record."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("case"))
    outcome = models.CharField(_("decision"), max_length=8, choices=DecisionOutcome.choices)
    criteria = models.JSONField(_("criteria relied on"), default=list, blank=True)
    reasons = models.TextField(_("reasons"))
    conditions = models.TextField(_("conditions"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    status = models.CharField(
        _("countersignature"), max_length=12, choices=CountersignStatus.choices, default=CountersignStatus.PENDING
    )
    countersigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("countersigned by"),
    )
    countersigned_at = models.DateTimeField(_("countersigned"), null=True, blank=True)
    countersign_reason = models.TextField(_("countersignature note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.outcome} ({self.status})"

    @property
    def outcome_label(self) -> str:
        return str(dict(DecisionOutcome.choices).get(self.outcome, self.outcome))

    @property
    def status_label(self) -> str:
        return str(dict(CountersignStatus.choices).get(self.status, self.status))


# --- customs ------------------------------------------------------------------------------------------------


class Shipment(AuthorityOwned):
    """A customs declaration recorded against a licence; its lines draw the licence down."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="shipments", verbose_name=_("licence"))
    declaration_number = models.CharField(_("customs declaration number"), max_length=60)
    shipment_date = models.DateField(_("date of shipment"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    euc_use_id = models.UUIDField(_("EUC drawdown record"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["shipment_date", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "declaration_number"], name="licensing_declaration_unique")
        ]

    def __str__(self) -> str:
        return self.declaration_number


class ShipmentLine(AuthorityOwned):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    goods_line = models.ForeignKey(GoodsLine, on_delete=models.PROTECT, related_name="shipment_lines")
    hs_code = models.CharField(_("HS code"), max_length=14, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(_("currency"), max_length=3, default="USD")

    class Meta:
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")
        ordering = ["goods_line__line_no"]

    def __str__(self) -> str:
        return f"{self.goods_line_id}: {self.quantity}"


class Licence:
    """The licences of an authority as reporting's reconciliation reads them (reporting.adapters.licences_for).

    Not a table: a licence is a case from its issue on; this is the read side reporting asks for.
    """

    @classmethod
    def licence_refs(cls, authority: Any) -> list[tuple[str, tuple[str, ...], int | None, int]]:
        """(reference, HS codes, quantity authorised, quantity shipped) of every licence ever issued."""
        refs = []
        issued = Case.objects.for_authority(authority).filter(licence_issued_at__isnull=False).prefetch_related("goods")
        for case in issued.order_by("reference"):
            goods = list(case.goods.all())
            codes = tuple(sorted({g.hs_code for g in goods if g.hs_code}))
            refs.append((case.reference, codes, sum(g.quantity for g in goods), sum(g.quantity_shipped for g in goods)))
        return refs


# --- denial notices -----------------------------------------------------------------------------------------


class DenialNotice(AuthorityOwned):
    """A refusal shared with the other authorities on the hub (Art. 7(6), 11(5)).

    Other authorities read it only through `services.hub_denial_notices` (a named cross-authority read
    model: the notice's own fields, never the case behind it).
    """

    HUB_FIELDS: ClassVar[tuple[str, ...]] = (
        "number",
        "authority__code",
        "end_user_name",
        "end_user_country",
        "destination_country",
        "categories",
        "criteria",
        "goods_summary",
        "issued_at",
    )

    number = models.CharField(_("notice number"), max_length=40, unique=True)
    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, related_name="denial_notice", verbose_name=_("refused case")
    )
    end_user_name = models.CharField(_("end user"), max_length=300)
    end_user_country = models.CharField(_("end user's country"), max_length=2)
    destination_country = models.CharField(_("destination"), max_length=2)
    categories = models.JSONField(_("categories"), default=list)
    criteria = models.JSONField(_("criteria"), default=list)
    goods_summary = models.CharField(_("goods"), max_length=500, blank=True)
    issued_at = models.DateTimeField(_("shared"), default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("denial notice")
        verbose_name_plural = _("denial notices")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.number
