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
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf", "class": "form-control"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > verify_upload_limit_bytes():
            raise forms.ValidationError(upload_too_large_message())
        return upload
