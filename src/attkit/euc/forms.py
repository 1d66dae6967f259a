"""Forms of the EUC pages. They collect input; model v1 and the services judge it, with per-field messages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from attkit.euc import countries, model_v1
from attkit.euc.categories import SALW_LINES, UN_CATEGORIES, UNITS
from attkit.euc.model_v1 import PARTY_ROLE_LABELS, PartyRole

MAX_UPLOAD_BYTES = 15 * 1024 * 1024


def _label(elements: tuple[model_v1.Element, ...], name: str) -> Any:
    return next(e.label for e in elements if e.name == name)


def _text(elements: tuple[model_v1.Element, ...], name: str, *, long: bool = False) -> forms.CharField:
    element = next(e for e in elements if e.name == name)
    widget = (
        forms.Textarea(attrs={"class": "usa-textarea", "rows": 3, "translate": "no"})
        if long
        else forms.TextInput(attrs={"class": "usa-input"})
    )
    return forms.CharField(
        label=element.label,
        required=False,
        max_length=element.max_length * 2 if element.max_length else None,
        help_text=element.help,
        widget=widget,
    )


def _date(elements: tuple[model_v1.Element, ...], name: str) -> forms.CharField:
    return forms.CharField(
        label=_label(elements, name),
        required=False,
        help_text=_("For example 2027-03-31"),
        widget=forms.DateInput(attrs={"class": "usa-input", "type": "date"}),
    )


class CountryField(forms.ChoiceField):
    """A country select whose names follow the active language."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=self._choices, required=False, **kwargs)
        self.widget.attrs["class"] = "usa-select"

    @staticmethod
    def _choices() -> list[tuple[str, str]]:
        return [("", "—"), *countries.choices()]


def _select(choices: dict[str, Any], *, blank: bool = True) -> list[tuple[str, Any]]:
    rows = list(choices.items())
    return [("", "—"), *rows] if blank else rows


class DetailsForm(forms.Form):
    expiry_date = _date(model_v1.DETAILS, "expiry_date")
    official_name = _text(model_v1.DETAILS, "official_name")
    official_title = _text(model_v1.DETAILS, "official_title")
    certification_text = _text(model_v1.DETAILS, "certification_text", long=True)
    contract_number = _text(model_v1.DETAILS, "contract_number")
    contract_date = _date(model_v1.DETAILS, "contract_date")
    final_destination_country = CountryField(label=_label(model_v1.DETAILS, "final_destination_country"))


class PartyForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=[("", "—"), *((r.value, PARTY_ROLE_LABELS[r]) for r in PartyRole)],
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    name = _text(model_v1.PARTY, "name")
    business_name = _text(model_v1.PARTY, "business_name")
    position = _text(model_v1.PARTY, "position")
    address = _text(model_v1.PARTY, "address", long=True)
    country = CountryField(label=_label(model_v1.PARTY, "country"))


class GoodsLineForm(forms.Form):
    description = _text(model_v1.GOODS_LINE, "description", long=True)
    model = _text(model_v1.GOODS_LINE, "model")
    calibre = _text(model_v1.GOODS_LINE, "calibre")
    un_category = forms.ChoiceField(
        label=_label(model_v1.GOODS_LINE, "un_category"),
        required=False,
        choices=_select(UN_CATEGORIES),
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    salw_line = forms.ChoiceField(
        label=_label(model_v1.GOODS_LINE, "salw_line"),
        required=False,
        choices=_select(SALW_LINES),
        help_text=_("Only for category VIII."),
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    national_category = _text(model_v1.GOODS_LINE, "national_category")
    hs_code = _text(model_v1.GOODS_LINE, "hs_code")
    quantity = forms.CharField(
        label=_label(model_v1.GOODS_LINE, "quantity"),
        required=False,
        widget=forms.TextInput(attrs={"class": "usa-input", "inputmode": "numeric"}),
    )
    unit = forms.ChoiceField(
        label=_label(model_v1.GOODS_LINE, "unit"),
        required=False,
        choices=_select(UNITS),
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    value = forms.CharField(
        label=_label(model_v1.GOODS_LINE, "value"),
        required=False,
        widget=forms.TextInput(attrs={"class": "usa-input", "inputmode": "decimal"}),
    )
    currency = _text(model_v1.GOODS_LINE, "currency")


def _checkbox(name: str) -> forms.BooleanField:
    return forms.BooleanField(
        label=_label(model_v1.END_USE, name),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "usa-checkbox__input"}),
    )


class EndUseForm(forms.Form):
    description = _text(model_v1.END_USE, "description", long=True)
    no_other_use = _checkbox("no_other_use")
    no_reexport_without_consent = _checkbox("no_reexport_without_consent")
    no_wmd = _checkbox("no_wmd")
    delivery_verification = _checkbox("delivery_verification")
    post_shipment_verification = _checkbox("post_shipment_verification")

    def undertaking_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name != "description"]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 3, "translate": "no"}),
        error_messages={"required": _("Enter the reason; the record must show why.")},
    )


class IssueForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have checked the certificate and issue it on behalf of my authority."),
        widget=forms.CheckboxInput(attrs={"class": "usa-checkbox__input"}),
        error_messages={"required": _("Confirm that you have checked the certificate.")},
    )


def _quantity_field(label: str, initial: int | None = None) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        initial=initial,
        widget=forms.NumberInput(attrs={"class": "usa-input usa-input--small", "min": 0}),
        error_messages={
            "invalid": _("Enter the quantity as a whole number"),
            "min_value": _("Quantities cannot be negative."),
        },
    )


class QuantitiesMixin:
    """One quantity field per goods line, named line_<number>."""

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def add_lines(self, lines: list[Any], initial: dict[int, int] | None = None) -> None:
        for line in lines:
            label = f"{line.line_no}. {line.description[:60]}"
            self.fields[f"line_{line.line_no}"] = _quantity_field(label, (initial or {}).get(line.line_no))

    def quantities(self) -> dict[int, int]:
        out: dict[int, int] = {}
        for name, value in self.cleaned_data.items():
            if name.startswith("line_") and value:
                out[int(name[5:])] = int(value)
        return out


class DeliveryForm(QuantitiesMixin, forms.Form):
    delivery_date = forms.DateField(
        label=_("Date of delivery"),
        widget=forms.DateInput(attrs={"class": "usa-input", "type": "date"}),
        error_messages={
            "required": _("Enter the date of delivery as YYYY-MM-DD"),
            "invalid": _("Enter the date of delivery as YYYY-MM-DD"),
        },
    )
    checked_by = forms.CharField(
        label=_("Checked by (name and title)"),
        max_length=300,
        widget=forms.TextInput(attrs={"class": "usa-input"}),
        error_messages={"required": _("Enter the name and title of the official who checked the delivery")},
    )
    discrepancies = forms.CharField(
        label=_("Discrepancies"),
        required=False,
        help_text=_("Anything missing, damaged, different serial numbers or models. Leave empty if none."),
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 3, "translate": "no"}),
    )

    def __init__(self, *args: Any, lines: list[Any], initial_quantities: dict[int, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_lines(lines, initial_quantities)


class UseLookupForm(forms.Form):
    serial = forms.CharField(
        label=_("Serial number of the certificate"),
        max_length=40,
        help_text=_("As printed on the certificate, for example MX-EUC-2026-000123-45."),
        widget=forms.TextInput(attrs={"class": "usa-input", "autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Enter the serial number printed on the certificate")},
    )
    seal = forms.CharField(
        label=_("Seal text (the content of the QR code)"),
        required=False,
        max_length=5000,
        help_text=_("Paste what a QR reader shows, starting with EUC1:. Or upload the certificate below."),
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 4, "spellcheck": "false", "translate": "no"}),
    )
    file = forms.FileField(
        label=_("Or the certificate as a PDF, or a photo or scan (PNG, JPEG)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "usa-file-input", "accept": ".pdf,.png,.jpg,.jpeg"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if not data.get("seal") and not upload:
            raise forms.ValidationError(_("Paste the seal text or upload the certificate."))
        if upload is not None and upload.size > MAX_UPLOAD_BYTES:
            self.add_error("file", _("The file is larger than 15 MB; upload a smaller scan or photo."))
        return data


class UseForm(QuantitiesMixin, forms.Form):
    exporting_state = CountryField(label=_("Exporting state"))
    exporter = forms.CharField(
        label=_("Exporter"),
        max_length=300,
        widget=forms.TextInput(attrs={"class": "usa-input"}),
        error_messages={"required": _("Enter the name of the exporter")},
    )
    licence_reference = forms.CharField(
        label=_("Reference of your export licence"),
        max_length=100,
        widget=forms.TextInput(attrs={"class": "usa-input"}),
        error_messages={"required": _("Enter the reference of the export licence")},
    )

    def __init__(self, *args: Any, lines: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_lines(lines)
