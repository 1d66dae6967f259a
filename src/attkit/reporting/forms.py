"""Forms of the records and reports pages; the services hold the rules, the forms only parse input."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from attkit.reporting import adapters, importer
from attkit.reporting.models import (
    Basis,
    CustomsDeclaration,
    Direction,
    EndUserType,
    ImportKind,
    ReportKind,
    TransferRecord,
)

ENCODING_CHOICES = [
    ("utf-8", _("UTF-8 (also with a byte-order mark)")),
    ("latin-1", _("Latin-1 (ISO 8859-1, older spreadsheet programs)")),
]
FORMAT_CHOICES = [("xlsx", "XLSX"), ("csv", "CSV"), ("json", "JSON")]
LANGUAGE_CHOICES = [("en", "English"), ("es", "Español")]


def _lang() -> str:
    return get_language() or "en"


def year_choices() -> list[tuple[int, int]]:
    this = timezone.localdate().year
    return [(y, y) for y in range(this, 1999, -1)]


class CountrySelect(forms.Select):
    """Country names with their ISO codes are data: marked translate="no" like every other name."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        option["attrs"]["translate"] = "no"
        return option


class _Styled:
    """USWDS classes on every widget."""

    def style(self) -> None:
        for bound in self.fields.values():  # type: ignore[attr-defined]
            widget = bound.widget
            if isinstance(widget, forms.RadioSelect):
                widget.attrs.setdefault("class", "usa-radio__input")
                continue
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "usa-checkbox__input")
                continue
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "usa-select")
            elif isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("class", "usa-textarea")
            elif isinstance(widget, forms.ClearableFileInput | forms.FileInput):
                widget.attrs.setdefault("class", "usa-file-input")
            else:
                widget.attrs.setdefault("class", "usa-input")


class RecordForm(_Styled, forms.Form):
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    basis = forms.ChoiceField(label=_("Authorised or actual"), choices=Basis.choices)
    year = forms.IntegerField(
        label=_("Year"), required=False, min_value=1990, help_text=_("Leave empty to take the year of the date.")
    )
    date = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Date of the authorisation or of the transfer."),
    )
    category = forms.ChoiceField(label=_("Category"))
    quantity = forms.IntegerField(label=_("Number of items"), required=False, min_value=0)
    value = forms.DecimalField(label=_("Value"), required=False, min_value=0, decimal_places=2, max_digits=18)
    currency = forms.CharField(label=_("Currency"), required=False, max_length=3, help_text=_("ISO 4217, such as USD."))
    model_type = forms.CharField(label=_("Model or type"), required=False, max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=500)
    hs_code = forms.CharField(label=_("HS code"), required=False, max_length=12)
    exporting_state = forms.ChoiceField(label=_("Exporting state"), required=False, widget=CountrySelect)
    importing_state = forms.ChoiceField(label=_("Importing state"), required=False, widget=CountrySelect)
    transit_states = forms.CharField(
        label=_("Transit and trans-shipment states"),
        required=False,
        max_length=100,
        help_text=_("Two-letter codes separated by commas, such as PA, CO."),
    )
    state_of_origin = forms.ChoiceField(label=_("State of origin"), required=False, widget=CountrySelect)
    intermediate_location = forms.CharField(label=_("Intermediate location"), required=False, max_length=200)
    end_user = forms.CharField(label=_("End user"), required=False, max_length=300)
    end_user_type = forms.ChoiceField(
        label=_("End-user type"), required=False, choices=[("", "—"), *EndUserType.choices]
    )
    licence_reference = forms.CharField(label=_("Licence reference"), required=False, max_length=100)
    euc_serial = forms.CharField(label=_("End-user certificate serial"), required=False, max_length=40)
    comments = forms.CharField(label=_("Comments"), required=False, max_length=500, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lang = _lang()
        countries = [("", "—"), *adapters.country_choices(lang)]
        for name in ("exporting_state", "importing_state", "state_of_origin"):
            self.fields[name].choices = countries  # type: ignore[attr-defined]
        self.fields["category"].choices = adapters.category_choices(lang)  # type: ignore[attr-defined]
        self.style()

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("reason", None)
        data["transit_states"] = [
            t for t in (data.get("transit_states") or "").replace(";", ",").split(",") if t.strip()
        ]
        return data

    def add_service_errors(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, exc)


class CorrectionForm(RecordForm):
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=500,
        widget=forms.Textarea({"rows": 2}),
        help_text=_("Kept with the new version; the old version stays in the history."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class DeleteForm(_Styled, forms.Form):
    reason = forms.CharField(label=_("Reason for deleting"), max_length=500, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class RecordFilterForm(_Styled, forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    direction = forms.ChoiceField(label=_("Direction"), required=False, choices=[("", _("All")), *Direction.choices])
    basis = forms.ChoiceField(label=_("Authorised or actual"), required=False, choices=[("", _("All")), *Basis.choices])
    category = forms.ChoiceField(label=_("Category"), required=False)
    q = forms.CharField(label=_("Reference, licence or end user"), required=False, max_length=100)
    history = forms.BooleanField(label=_("Include earlier versions"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All")), *year_choices()]  # type: ignore[attr-defined]
        self.fields["category"].choices = [("", _("All")), *adapters.category_choices(_lang())]  # type: ignore[attr-defined]
        self.style()


class UploadForm(_Styled, forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Comma- or semicolon-separated, first line naming the columns, at most 10 MB."),
    )
    encoding = forms.ChoiceField(label=_("Encoding"), choices=ENCODING_CHOICES, initial="utf-8")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,text/csv"
        self.style()

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > importer.MAX_BYTES:
            raise ValidationError(_("The file is larger than 10 MB. Split it into smaller files."))
        return upload


def field_label(spec: importer.FieldSpec) -> str:
    """ "Number of items (quantity) *": the field's name on screen, its column name, and * when required."""
    model = CustomsDeclaration if spec.name == "number" else TransferRecord
    try:
        verbose = str(getattr(model._meta.get_field(spec.name), "verbose_name", spec.name))
    except FieldDoesNotExist:
        verbose = spec.name
    return f"{verbose[:1].upper()}{verbose[1:]} ({spec.name})" + (" *" if spec.required else "")


class MappingForm(_Styled, forms.Form):
    """One choice per CSV column: the field it fills, or nothing."""

    def __init__(
        self,
        *args: Any,
        headers: Sequence[str],
        fields: Sequence[importer.FieldSpec],
        initial_map: dict[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.headers = list(headers)
        choices = [("", _("(ignore this column)")), *((f.name, field_label(f)) for f in fields)]
        for i, header in enumerate(self.headers):
            self.fields[f"col_{i}"] = forms.ChoiceField(
                label=header or _("(no name)"), required=False, choices=choices, initial=initial_map.get(header, "")
            )
        self.style()

    def mapping(self) -> dict[str, str]:
        return {h: self.cleaned_data.get(f"col_{i}") or "" for i, h in enumerate(self.headers)}


class ReportForm(_Styled, forms.Form):
    year = forms.TypedChoiceField(label=_("Reporting year"), coerce=int)
    basis = forms.ChoiceField(
        label=_("Report authorised or actual transfers"),
        choices=Basis.choices,
        widget=forms.RadioSelect,
        initial=Basis.AUTHORISED,
    )
    withheld = forms.BooleanField(
        label=_("Commercially sensitive or national-security data was withheld (Art. 13(3))"), required=False
    )
    lang = forms.ChoiceField(label=_("Language of the file"), choices=LANGUAGE_CHOICES, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        this = timezone.localdate().year
        self.fields["year"].choices = [(y, y) for y in range(this, 1999, -1)]  # type: ignore[attr-defined]
        self.fields["year"].initial = this - 1
        self.fields["lang"].initial = _lang()[:2]
        self.style()


class DefinitionsForm(_Styled, forms.Form):
    text = forms.CharField(
        label=_("National definitions of the categories"),
        required=False,
        max_length=50_000,
        widget=forms.Textarea({"rows": 14}),
        help_text=_("Annex 2 of the ATT annual report: how your national control list defines each category."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class SubmissionForm(_Styled, forms.Form):
    kind = forms.ChoiceField(label=_("Report"), choices=ReportKind.choices, initial=ReportKind.ATT)
    year = forms.TypedChoiceField(label=_("Reporting year"), coerce=int)
    basis = forms.ChoiceField(label=_("Authorised or actual"), choices=Basis.choices)
    submitted_on = forms.DateField(label=_("Submitted on"), widget=forms.DateInput(attrs={"type": "date"}))
    withheld = forms.BooleanField(label=_("Sensitive data withheld"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        this = timezone.localdate().year
        self.fields["year"].choices = [(y, y) for y in range(this - 1, 1999, -1)]  # type: ignore[attr-defined]
        self.fields["year"].initial = this - 1
        self.fields["submitted_on"].initial = timezone.localdate()
        self.style()


class CustomsUploadForm(UploadForm):
    kind = ImportKind.CUSTOMS
