"""Forms of the licensing pages. They shape the input; the services hold every rule and name the field at fault."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from attkit.assessment.rules import Criterion
from attkit.licensing import categories, texts
from attkit.licensing.models import (
    AdviceOutcome,
    CaseKind,
    DecisionOutcome,
    DocumentKind,
    FlagResolution,
    HitStatus,
    PartyRole,
    Permanence,
)

TEXT = {"class": "usa-input"}
AREA = {"class": "usa-textarea", "rows": 4}
SELECT = {"class": "usa-select"}


def apply_errors(form: forms.Form, exc: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError on the form: on the field it names when the form has it, else on top."""
    aliases = aliases or {}
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            messages = [m for e in errors for m in e.messages]
            field = aliases.get(name, name)
            if field in form.fields:
                for message in messages:
                    form.add_error(field, message)
            else:
                for message in messages:
                    form.add_error(None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _country_field(label: Any, *, required: bool = False, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text or _("Two-letter ISO code, for example MX or DE."),
        widget=forms.TextInput(attrs={**TEXT, "class": "usa-input usa-input--small", "autocomplete": "off"}),
    )


class EmptyForm(forms.Form):
    """A confirmation with nothing to fill in (its errors come from the service)."""


class DetailsForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of transfer"), choices=CaseKind.choices, widget=forms.Select(attrs=SELECT))
    permanence = forms.ChoiceField(
        label=_("Permanent or temporary"),
        choices=Permanence.choices,
        initial=Permanence.PERMANENT,
        widget=forms.Select(attrs=SELECT),
    )
    temporary_until = forms.CharField(
        label=_("Date the goods return (temporary transfers)"),
        required=False,
        help_text=_("For example 2027-03-31."),
        widget=forms.DateInput(attrs={**TEXT, "type": "date"}),
    )
    origin_country = _country_field(_("Exporting country (for an import)"))
    destination_country = _country_field(_("Country of final destination"))
    end_use = forms.CharField(
        label=_("Stated end use"),
        required=False,
        help_text=_("Who will use the goods, for what, and where."),
        widget=forms.Textarea(attrs=AREA),
    )


class PartyForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=PartyRole.choices, widget=forms.Select(attrs=SELECT))
    name = forms.CharField(label=_("Name"), required=False, max_length=300, widget=forms.TextInput(attrs=TEXT))
    address = forms.CharField(label=_("Address"), required=False, widget=forms.Textarea(attrs={**AREA, "rows": 2}))
    country = _country_field(_("Country"))
    is_state_body = forms.BooleanField(
        label=_("This party is a state body (government, armed forces or police)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "usa-checkbox__input"}),
    )


class GoodsForm(forms.Form):
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=500,
        help_text=_("Type, model and characteristics."),
        widget=forms.TextInput(attrs=TEXT),
    )
    un_category = forms.ChoiceField(
        label=_("UN Register category"), choices=categories.category_choices(), widget=forms.Select(attrs=SELECT)
    )
    salw_line = forms.ChoiceField(
        label=_("Small arms or light weapons line"),
        choices=categories.salw_choices(),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    hs_code = forms.CharField(label=_("HS code"), required=False, max_length=14, widget=forms.TextInput(attrs=TEXT))
    national_code = forms.CharField(
        label=_("National control list code"), required=False, max_length=40, widget=forms.TextInput(attrs=TEXT)
    )
    quantity = forms.CharField(
        label=_("Quantity"), required=False, widget=forms.TextInput(attrs={**TEXT, "inputmode": "numeric"})
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=list(categories.UNITS.items()), widget=forms.Select(attrs=SELECT))
    value = forms.CharField(
        label=_("Value"), required=False, widget=forms.TextInput(attrs={**TEXT, "inputmode": "decimal"})
    )
    currency = forms.ChoiceField(
        label=_("Currency"),
        choices=[(c, c) for c in categories.CURRENCIES],
        widget=forms.Select(attrs=SELECT),
    )


class EucForm(forms.Form):
    euc_serial = forms.CharField(
        label=_("Serial number of the end-user certificate"), required=False, widget=forms.TextInput(attrs=TEXT)
    )
    euc_seal_text = forms.CharField(
        label=_("Seal text (the content of the certificate's QR code), if you have it"),
        required=False,
        widget=forms.Textarea(attrs={**AREA, "rows": 3}),
    )
    euc_file = forms.FileField(
        label=_("Or upload the certificate (PDF, PNG or JPEG, at most 10 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "usa-file-input", "accept": ".pdf,.png,.jpg,.jpeg"}),
    )


class TransitForm(forms.Form):
    countries = forms.CharField(
        label=_("Transit countries, in order"),
        required=False,
        help_text=_("Two-letter ISO codes separated by commas, for example PA, CO. Leave empty for none."),
        widget=forms.TextInput(attrs=TEXT),
    )

    def country_list(self) -> list[str]:
        raw = str(self.cleaned_data.get("countries") or "")
        return [c.strip() for c in raw.replace(";", ",").split(",") if c.strip()]


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is the document?"),
        choices=[
            (k.value, k.label)
            for k in (DocumentKind.CONTRACT, DocumentKind.TECHNICAL, DocumentKind.EUC, DocumentKind.OTHER)
        ],
        widget=forms.Select(attrs=SELECT),
    )
    file = forms.FileField(
        label=_("File (PDF, PNG or JPEG, at most 10 MB)"),
        widget=forms.ClearableFileInput(attrs={"class": "usa-file-input", "accept": ".pdf,.png,.jpg,.jpeg"}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        help_text=_("The record will show it."),
        widget=forms.Textarea(attrs=AREA),
    )


class ResponseForm(forms.Form):
    response = forms.CharField(label=_("Your answer"), required=False, widget=forms.Textarea(attrs=AREA))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Outcome of the review"),
        choices=[
            (HitStatus.FALSE_POSITIVE.value, HitStatus.FALSE_POSITIVE.label),
            (HitStatus.TRUE_MATCH.value, HitStatus.TRUE_MATCH.label),
        ],
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
    )
    reason = forms.CharField(
        label=_("Why"),
        required=False,
        help_text=_("For example: different date of birth, nationality or registration number."),
        widget=forms.Textarea(attrs=AREA),
    )


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(
        label=_("Resolution"),
        choices=FlagResolution.choices,
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
    )
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs=AREA))


class AdviceForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Your agency's advice"),
        choices=AdviceOutcome.choices,
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
    )
    reasons = forms.CharField(label=_("Reasons"), required=False, widget=forms.Textarea(attrs=AREA))
    conditions = forms.CharField(
        label=_("Conditions (when you approve with conditions)"),
        required=False,
        widget=forms.Textarea(attrs={**AREA, "rows": 3}),
    )


class ProposeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Proposed decision"),
        choices=DecisionOutcome.choices,
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
    )
    criteria = forms.MultipleChoiceField(
        label=_("Criteria relied on (for a refusal)"),
        required=False,
        choices=[(c.refusal_code, texts.CRITERION_LABELS[c.refusal_code]) for c in Criterion],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "usa-checkbox__input"}),
    )
    reasons = forms.CharField(
        label=_("Reasons, consolidating the advice and the assessment"),
        required=False,
        widget=forms.Textarea(attrs=AREA),
    )
    conditions = forms.CharField(
        label=_("Conditions of the licence"), required=False, widget=forms.Textarea(attrs={**AREA, "rows": 3})
    )


class CountersignForm(forms.Form):
    agree = forms.ChoiceField(
        label=_("Your countersignature"),
        choices=[("yes", _("I agree: the decision takes effect")), ("no", _("I disagree: return it for reassessment"))],
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
    )
    reason = forms.CharField(
        label=_("Note (required when you disagree)"), required=False, widget=forms.Textarea(attrs=AREA)
    )


class IssueForm(forms.Form):
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        help_text=_("Leave empty for one year."),
        widget=forms.DateInput(attrs={**TEXT, "type": "date"}),
    )


class ShipmentForm(forms.Form):
    declaration_number = forms.CharField(
        label=_("Customs declaration number"), required=False, max_length=60, widget=forms.TextInput(attrs=TEXT)
    )
    shipment_date = forms.CharField(
        label=_("Date of shipment"), required=False, widget=forms.DateInput(attrs={**TEXT, "type": "date"})
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={**AREA, "rows": 2}))

    def __init__(self, *args: Any, lines: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.goods_lines = lines or []
        for line in self.goods_lines:
            self.fields[f"qty_{line.line_no}"] = forms.IntegerField(
                label=_("Line %(n)s: quantity shipped (%(left)s left)") % {"n": line.line_no, "left": line.remaining},
                required=False,
                min_value=0,
                widget=forms.NumberInput(attrs={**TEXT, "min": 0}),
            )
            self.fields[f"value_{line.line_no}"] = forms.DecimalField(
                label=_("Line %(n)s: value declared (%(currency)s)") % {"n": line.line_no, "currency": line.currency},
                required=False,
                min_value=0,
                widget=forms.NumberInput(attrs={**TEXT, "step": "0.01", "min": 0}),
            )

    def line_rows(self) -> list[dict[str, Any]]:
        rows = []
        for line in self.goods_lines:
            qty = self.cleaned_data.get(f"qty_{line.line_no}")
            if qty:
                value = self.cleaned_data.get(f"value_{line.line_no}") or 0
                rows.append({"line": line.line_no, "quantity": qty, "value": value, "hs_code": line.hs_code})
        return rows


class LookupForm(forms.Form):
    reference = forms.CharField(
        label=_("Licence number"),
        max_length=40,
        help_text=_("For example DE-LIC-2026-000012."),
        widget=forms.TextInput(attrs=TEXT),
    )


class VerifyForm(forms.Form):
    text = forms.CharField(
        label=_("Seal text (starts with LIC1:)"), required=False, widget=forms.Textarea(attrs={**AREA, "rows": 3})
    )
    file = forms.FileField(
        label=_("Or upload the licence (PDF) or a photo of its seal"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "usa-file-input", "accept": ".pdf,.png,.jpg,.jpeg"}),
    )


class RoutingRuleForm(forms.Form):
    agency = forms.ChoiceField(label=_("Agency consulted"), widget=forms.Select(attrs=SELECT))
    kind = forms.ChoiceField(
        label=_("Kind of transfer"),
        required=False,
        choices=[("", _("Any")), *CaseKind.choices],
        widget=forms.Select(attrs=SELECT),
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("Any")), *categories.category_choices()],
        widget=forms.Select(attrs=SELECT),
    )
    destination = _country_field(_("Destination (blank: any)"))
    note = forms.CharField(label=_("Note"), required=False, max_length=300, widget=forms.TextInput(attrs=TEXT))

    def __init__(self, *args: Any, agencies: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = agencies or []  # type: ignore[attr-defined]
