"""Forms for the screening search, list loading and the review of a hit."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from attkit.screening.models import TrueMatchOutcome


class SearchForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the person or organisation"),
        max_length=1000,
        error_messages={"required": _("Enter a name to screen.")},
        widget=forms.TextInput(attrs={"class": "usa-input", "autocomplete": "off"}),
    )
    dob = forms.CharField(
        label=_("Date of birth (optional)"),
        required=False,
        max_length=32,
        help_text=_("YYYY-MM-DD, YYYY-MM or YYYY."),
        widget=forms.TextInput(attrs={"class": "usa-input"}),
    )
    country = forms.CharField(
        label=_("Country or nationality (optional)"),
        required=False,
        max_length=2,
        help_text=_("Two-letter ISO code, e.g. MX."),
        widget=forms.TextInput(attrs={"class": "usa-input usa-input--small"}),
    )
    schema = forms.ChoiceField(
        label=_("Kind of party"),
        required=False,
        choices=[
            ("", _("Any")),
            ("person", _("Person")),
            ("organization", _("Organisation")),
            ("vessel", _("Vessel")),
            ("aircraft", _("Aircraft")),
        ],
        widget=forms.Select(attrs={"class": "usa-select"}),
    )


class LoadListForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of list"),
        choices=[
            ("un", _("UN Security Council Consolidated List (XML)")),
            ("ftm", _("OpenSanctions entities (FollowTheMoney JSON lines)")),
            ("csv", _("National list (CSV)")),
        ],
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    file = forms.FileField(label=_("List file"), widget=forms.ClearableFileInput(attrs={"class": "usa-file-input"}))
    name = forms.CharField(
        label=_("Name of a national list"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "usa-input"}),
    )


class DecisionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Your decision"),
        choices=[("false_positive", _("False positive: not the listed party")), ("true_match", _("True match"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose true match or false positive.")},
    )
    outcome = forms.ChoiceField(
        label=_("If a true match, what follows"),
        required=False,
        choices=[("", "—"), *TrueMatchOutcome.choices],
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=5000,
        help_text=_("What you checked: dates of birth, nationality, documents, addresses."),
        error_messages={"required": _("Give the reason for your decision.")},
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 4}),
    )
