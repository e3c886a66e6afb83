from django import forms
from django.conf import settings


def verify_upload_limit_bytes() -> int:
    return getattr(settings, "DOCUMENTS_VERIFY_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)


def upload_too_large_message() -> str:
    megabytes = verify_upload_limit_bytes() / (1024 * 1024)
    return (
        f"This file is larger than {megabytes:.0f} MB, so it cannot be the issued document. "
        "Choose the PDF you were given."
    )


class VerifyUploadForm(forms.Form):
    file = forms.FileField(
        label="Check a copy of this document",
        help_text="Choose the PDF you were given. It is compared with the issued document and "
        "is not kept.",
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > verify_upload_limit_bytes():
            raise forms.ValidationError(upload_too_large_message())
        return upload


CREDENTIAL_MAX_BYTES = 64 * 1024


class CredentialCheckForm(forms.Form):
    """A credential to check: its file, or its text pasted. Either one, read as a JWT."""

    file = forms.FileField(
        label="The credential file",
        required=False,
        help_text="The .jwt file downloaded from the certificate page. It is checked and not kept.",
        widget=forms.FileInput(attrs={"accept": ".jwt,.txt,application/jwt,text/plain"}),
    )
    token = forms.CharField(
        label="Or paste the credential",
        required=False,
        strip=True,
        help_text="The text of the credential: three parts separated by dots, beginning “eyJ”.",
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off"}),
    )

    def clean(self):
        from .credential_check import CredentialShapeError, jwt_parts

        cleaned = super().clean()
        upload, pasted = cleaned.get("file"), cleaned.get("token", "")
        if self.errors:
            return cleaned
        if upload and pasted:
            self.add_error("token", "Give the file or the pasted text, not both.")
            return cleaned
        if not upload and not pasted:
            self.add_error("file", "Choose the credential file, or paste the credential below.")
            return cleaned
        where, text = "token", pasted
        if upload:
            where = "file"
            if upload.size > CREDENTIAL_MAX_BYTES:
                self.add_error(
                    "file", "This file is far larger than a credential: choose the .jwt file."
                )
                return cleaned
            try:
                text = b"".join(upload.chunks()).decode("ascii").strip()
            except UnicodeDecodeError:
                self.add_error(
                    "file",
                    "This file is not a credential (it is not text): choose the .jwt file "
                    "downloaded from the certificate page.",
                )
                return cleaned
        try:
            jwt_parts(text)
        except CredentialShapeError as error:
            self.add_error(where, str(error))
            return cleaned
        cleaned["credential"] = text
        return cleaned
