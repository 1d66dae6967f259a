"""Forms for login, the two-factor steps and API tokens."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from attkit.core.permissions import Role


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Enter a correct username and password. Both are case-sensitive."),
        "inactive": _("This account is inactive."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["password"].label = _("Password")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "class": "usa-input"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password", "class": "usa-input"})

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if getattr(user, "is_system", False):
            raise forms.ValidationError(_("System accounts cannot log in."), code="inactive")


class TokenCodeForm(forms.Form):
    token = forms.CharField(
        label=_("Six-digit code"),
        max_length=8,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "class": "usa-input", "pattern": "[0-9]*"}
        ),
        error_messages={"required": _("Enter the 6-digit code from your authenticator app.")},
    )

    def clean_token(self) -> str:
        value = str(self.cleaned_data["token"]).strip()
        if not value.isdigit():
            raise forms.ValidationError(_("Enter the code as 6 digits."))
        return value


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What will use this token, e.g. 'customs gateway'.")
    )
    role = forms.ChoiceField(label=_("Role"), choices=[])
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=365, initial=90)

    def __init__(self, *args: Any, roles: frozenset[Role], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = [(r.value, r.label) for r in sorted(roles)]
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "usa-input" if not isinstance(field, forms.ChoiceField) else "usa-select"
            )


def _role_choices() -> list[tuple[str, str]]:
    return [(r.value, r.label) for r in Role]


class UserForm(forms.Form):
    """An authority administrator's form for a colleague; the authority is always the administrator's."""

    username = forms.RegexField(
        label=_("Username"),
        regex=r"^[A-Za-z0-9._@+-]{3,150}$",
        error_messages={"invalid": _("Use 3 to 150 letters, digits and . _ @ + - only.")},
    )
    first_name = forms.CharField(label=_("Given name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Family name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=200, required=False)
    agency: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Agency"), queryset=None, required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=_role_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one role.")},
    )
    is_active = forms.BooleanField(label=_("Can sign in"), required=False, initial=True)
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        required=False,
        help_text=_("At least 12 characters. The colleague changes it after signing in."),
    )

    def __init__(self, *args: Any, agencies: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency_field = self.fields["agency"]
        assert isinstance(agency_field, forms.ModelChoiceField)
        agency_field.queryset = agencies
        if editing:
            for name in ("username", "first_name", "last_name", "email", "password"):
                del self.fields[name]
        for name, field in self.fields.items():
            if name not in ("roles", "is_active"):
                field.widget.attrs.setdefault("class", "usa-select" if name == "agency" else "usa-input")

    def clean_password(self) -> str:
        from django.contrib.auth.password_validation import validate_password

        value = str(self.cleaned_data.get("password") or "")
        if "password" in self.fields and not value:
            raise forms.ValidationError(_("Enter an initial password."))
        if value:
            validate_password(value)
        return value
