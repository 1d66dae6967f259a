"""Forms of the course pages: a quiz attempt, a simulation decision, cohorts, enrolment, comments, revocation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from attkit.training import content_loader as loader

CRITERION_LABELS: dict[str, Promise] = {
    "6.1": _("Art. 6(1): measures of the Security Council under Chapter VII, arms embargoes above all"),
    "6.2": _("Art. 6(2): other international obligations of the State"),
    "6.3": _("Art. 6(3): knowledge of genocide, crimes against humanity, grave breaches or other war crimes"),
    "7.1.a": _("Art. 7(1)(a): would contribute to or undermine peace and security"),
    "7.1.b.i": _("Art. 7(1)(b)(i): serious violation of international humanitarian law"),
    "7.1.b.ii": _("Art. 7(1)(b)(ii): serious violation of international human rights law"),
    "7.1.b.iii": _("Art. 7(1)(b)(iii): offence under the conventions or protocols relating to terrorism"),
    "7.1.b.iv": _(
        "Art. 7(1)(b)(iv): offence under the conventions or protocols relating to transnational organized crime"
    ),
    "7.4": _("Art. 7(4): serious acts of gender-based violence or serious acts of violence against women and children"),
    "11": _("Art. 11: risk of diversion"),
    "proportionality": _("Proportionality: quantity against stated need, capacity and past imports"),
}

DECISION_LABELS: dict[str, Promise] = {
    loader.Decision.APPROVE.value: _("Approve (authorise the transfer)"),
    loader.Decision.REFUSE.value: _("Refuse (deny the authorisation)"),
}


def field_name(question: loader.Question, pair_id: str | None = None) -> str:
    return f"q_{question.id}" if pair_id is None else f"q_{question.id}__{pair_id}"


class QuizForm(forms.Form):
    """One field per multiple-choice or true/false question, one select per left-hand item of a matching one."""

    def __init__(self, questions: Sequence[loader.Question], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = tuple(questions)
        for number, question in enumerate(self.questions, start=1):
            required = {"required": _("Answer question %(n)s") % {"n": number}}
            if question.type is loader.QuestionType.MULTIPLE_CHOICE:
                self.fields[field_name(question)] = forms.ChoiceField(
                    label=question.prompt,
                    choices=[(o.id, o.text) for o in question.options],
                    widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
                    error_messages=required,
                )
            elif question.type is loader.QuestionType.TRUE_FALSE:
                self.fields[field_name(question)] = forms.ChoiceField(
                    label=question.prompt,
                    choices=[("true", _("True")), ("false", _("False"))],
                    widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
                    error_messages=required,
                )
            else:
                rights = [("", "—"), *((o.id, o.text) for o in question.right_options())]
                message = {"required": _("Question %(n)s: choose a match for every item") % {"n": number}}
                for pair in question.pairs:
                    self.fields[field_name(question, pair.id)] = forms.ChoiceField(
                        label=pair.left,
                        choices=rights,
                        widget=forms.Select(attrs={"class": "usa-select"}),
                        error_messages=message,
                    )

    def answers(self) -> dict[str, Any]:
        """The answers as the service takes them (a mapping for matching questions)."""
        data = self.cleaned_data
        out: dict[str, Any] = {}
        for question in self.questions:
            if question.type is loader.QuestionType.MATCHING:
                out[question.id] = {p.id: data.get(field_name(question, p.id)) for p in question.pairs}
            else:
                out[question.id] = data.get(field_name(question))
        return out

    def rows(self) -> list[dict[str, Any]]:
        """The questions with their bound fields, in order, for the template."""
        rows = []
        for number, question in enumerate(self.questions, start=1):
            if question.type is loader.QuestionType.MATCHING:
                fields = [self[field_name(question, p.id)] for p in question.pairs]
            else:
                fields = [self[field_name(question)]]
            rows.append({"number": number, "question": question, "fields": fields})
        return rows


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=list(DECISION_LABELS.items()),
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
        error_messages={"required": _("Select your decision: approve or refuse")},
    )
    criteria = forms.MultipleChoiceField(
        label=_("Criteria your decision relies on"),
        help_text=_("For a refusal, the grounds; for an approval, the criteria you assessed and found acceptable."),
        choices=list(CRITERION_LABELS.items()),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "usa-checkbox__input"}),
        error_messages={"required": _("Select the criteria your decision relies on")},
    )
    reasons = forms.CharField(
        label=_("Reasons"),
        help_text=_("What you found on each screen and why it leads to your decision."),
        max_length=5000,
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 6}),
        error_messages={"required": _("Explain your decision in a few sentences")},
    )


class CohortForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the cohort"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "usa-input"}),
        error_messages={"required": _("Enter the name of the cohort")},
    )
    country = forms.ChoiceField(
        label=_("Country"),
        help_text=_("The state whose officials are trained."),
        choices=[],
        widget=forms.Select(attrs={"class": "usa-select"}),
        error_messages={"required": _("Select the country whose officials are trained")},
    )
    starts_on = forms.DateField(
        label=_("First day"),
        help_text=_("For example 2026-10-05"),
        widget=forms.DateInput(attrs={"class": "usa-input", "type": "date"}),
        error_messages={"required": _("Enter the first day"), "invalid": _("Enter the first day as YYYY-MM-DD")},
    )
    ends_on = forms.DateField(
        label=_("Last day"),
        help_text=_("For example 2026-10-08"),
        widget=forms.DateInput(attrs={"class": "usa-input", "type": "date"}),
        error_messages={"required": _("Enter the last day"), "invalid": _("Enter the last day as YYYY-MM-DD")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from attkit.euc import countries

        super().__init__(*args, **kwargs)
        field = self.fields["country"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *countries.choices()]


class EnrolForm(forms.Form):
    trainee = forms.ChoiceField(
        label=_("Trainee"),
        choices=[],
        widget=forms.Select(attrs={"class": "usa-select"}),
        error_messages={"required": _("Select a trainee of your authority")},
    )

    def __init__(self, trainees: Sequence[Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["trainee"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *((str(u.pk), f"{u.display_name} ({u.username})") for u in trainees)]


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Your comment to the trainee"),
        max_length=5000,
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 4}),
        error_messages={"required": _("Write your comment")},
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revoking"),
        help_text=_("The record keeps it; the certificate then verifies as revoked everywhere."),
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 3}),
        error_messages={"required": _("Give the reason for revoking the certificate")},
    )
