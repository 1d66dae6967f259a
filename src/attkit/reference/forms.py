"""Filter forms of the reference pages: GET parameters, so a filtered table can be shared as a link."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from attkit.reference.models import Category, CategoryKind, CrosswalkScope, EmbargoScope, ImposedBy


class FilterForm(forms.Form):
    """A GET form whose invalid values are simply ignored (the table shows everything instead)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for bound in self.fields.values():
            css = "usa-select" if isinstance(bound, forms.ChoiceField) else "usa-input"
            bound.widget.attrs.setdefault("class", css)

    def values(self) -> dict[str, Any]:
        if self.is_valid():
            return self.cleaned_data
        return {name: value for name, value in self.cleaned_data.items() if name not in self.errors}


class CountryFilter(FilterForm):
    q = forms.CharField(label=_("Name or code"), required=False, max_length=100)
    region = forms.ChoiceField(
        label=_("Region"),
        required=False,
        choices=[
            ("", _("All regions")),
            ("lac", _("Latin America and the Caribbean")),
            ("other", _("Other regions")),
        ],
    )


class CategoryFilter(FilterForm):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *CategoryKind.choices])


class HsFilter(FilterForm):
    q = forms.CharField(label=_("Code or description"), required=False, max_length=100)
    category = forms.ChoiceField(label=_("Category"), required=False)
    scope = forms.ChoiceField(
        label=_("Treaty scope"),
        required=False,
        choices=[("", _("Any scope")), *CrosswalkScope.choices, ("none", _("No crosswalk entry"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.ChoiceField)
        category.choices = [("", _("All categories"))] + [
            (c.code, f"{c.code} · {c.name}") for c in Category.objects.all()
        ]


class EmbargoFilter(FilterForm):
    q = forms.CharField(label=_("Country or target"), required=False, max_length=100)
    imposed_by = forms.ChoiceField(
        label=_("Imposed by"), required=False, choices=[("", _("Anyone")), *ImposedBy.choices]
    )
    scope = forms.ChoiceField(label=_("Scope"), required=False, choices=[("", _("Any scope")), *EmbargoScope.choices])
    verified = forms.ChoiceField(
        label=_("Verification"),
        required=False,
        choices=[("", _("Verified and unverified")), ("yes", _("Verified only")), ("no", _("Unverified only"))],
    )
