"""The shared error summary links each error to the field it names, radio groups to their first option."""

from __future__ import annotations

from django import forms
from django.template.loader import render_to_string


class _Form(forms.Form):
    name = forms.CharField()
    choice = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    several = forms.MultipleChoiceField(choices=[("a", "A")], widget=forms.CheckboxSelectMultiple)


def test_every_error_links_to_an_element_of_the_page() -> None:
    form = _Form(data={})
    assert not form.is_valid()
    html = render_to_string("includes/error_summary.html", {"form": form})
    assert 'href="#id_name"' in html
    assert 'href="#id_choice_0"' in html
    assert 'href="#id_several_0"' in html
    assert 'href="#"' not in html
