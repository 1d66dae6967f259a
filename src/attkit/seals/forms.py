"""Forms of the verification page and of key and trust list management."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from attkit.seals.trustlist import MAX_TRUST_LIST_BYTES
from attkit.seals.verification import MAX_FILE_BYTES

MAX_PASTE = 5000


def _read_capped(upload: UploadedFile, limit: int, message: str) -> bytes:
    if upload.size is not None and upload.size > limit:
        raise forms.ValidationError(message)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise forms.ValidationError(message)
    if not data:
        raise forms.ValidationError(_("The file is empty. Choose the file again."))
    return data


class PasteForm(forms.Form):
    text = forms.CharField(
        label=_("QR code text"),
        help_text=_("The text a QR code reader shows, starting with EUC1:, DVC1: or LIC1:."),
        max_length=MAX_PASTE,
        widget=forms.Textarea(attrs={"rows": 4, "class": "usa-textarea", "spellcheck": "false", "autocomplete": "off"}),
        error_messages={
            "required": _("Paste the text of the QR code."),
            "max_length": _("The text is longer than any seal; paste only the text of one QR code."),
        },
    )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("PDF, photo or scan"),
        help_text=_("A PDF, PNG or JPEG file of at most 15 MB that shows the QR code."),
        widget=forms.ClearableFileInput(
            attrs={"class": "usa-file-input", "accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"}
        ),
        error_messages={
            "required": _("Choose a file to upload."),
            "empty": _("The file is empty. Choose the file again."),
        },
    )

    def clean_file(self) -> bytes:
        upload: UploadedFile = self.cleaned_data["file"]
        return _read_capped(
            upload, MAX_FILE_BYTES, str(_("The file is larger than 15 MB; upload a smaller scan or photo."))
        )

    @property
    def filename(self) -> str:
        upload = self.files.get("file")
        return str(getattr(upload, "name", "") or "")


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand the consequence"),
        error_messages={"required": _("Tick the box to confirm that you understand the consequence.")},
        widget=forms.CheckboxInput(attrs={"class": "usa-checkbox__input"}),
    )


class RevokeSignerForm(ConfirmForm):
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_("Why the signer is revoked, for the record (for example: the key may have been copied)."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "usa-textarea"}),
        error_messages={"required": _("Say why the signer is revoked; the record must show it.")},
    )

    field_order = ["reason", "confirm"]


class ImportTrustListForm(forms.Form):
    file = forms.FileField(
        label=_("Trust list file"),
        help_text=_("The signed trust list (JSON) you received from the other authority."),
        widget=forms.ClearableFileInput(attrs={"class": "usa-file-input", "accept": ".json,application/json"}),
        error_messages={
            "required": _("Choose the trust list file."),
            "empty": _("The file is empty. Choose the file again."),
        },
    )
    fingerprint = forms.CharField(
        label=_("Root fingerprint (SHA-256)"),
        required=False,
        max_length=200,
        help_text=_(
            "Confirm it with the other authority through another channel (a diplomatic note, a call). "
            "Without it, a first list is kept but not used to verify seals."
        ),
        widget=forms.TextInput(attrs={"class": "usa-input", "autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_file(self) -> bytes:
        upload: UploadedFile = self.cleaned_data["file"]
        return _read_capped(upload, MAX_TRUST_LIST_BYTES, str(_("The trust list is larger than 2 MB.")))

    def add_service_errors(self, errors: Any) -> None:
        if isinstance(errors, dict):
            for field, messages in errors.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            self.add_error(None, errors)
