import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="E-mail address",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That e-mail address and password do not match an account.",
        "inactive": "This account has been deactivated. Ask your programme administrator.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Sign in"))

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()


class SecondFactorCodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=16,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autofocus": True,
                "spellcheck": "false",
                "autocapitalize": "off",
                # A code is short: a box its size (a backup code, abcde-fghjk, fits too).
                "class": "nhsuk-input--width-10",
            }
        ),
        help_text="The 6-digit code from your authenticator app, or one of your backup codes.",
    )

    def __init__(self, *args, submit_label="Continue", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", submit_label))

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split()).lower()
        # Backup codes are shown as "abcde-fghjk"; accept them typed without the dash too.
        if len(code) == 10 and not code.isdigit():
            code = f"{code[:5]}-{code[5:]}"
        return code


class AuthenticatorConfirmForm(SecondFactorCodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, submit_label="Confirm and finish enrolment", **kwargs)
        self.fields["code"].help_text = "The 6-digit code your authenticator app now shows."
        self.fields["code"].widget.attrs["inputmode"] = "numeric"

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError("Enter the 6 digits your authenticator app shows.")
        return code


def add_validation_error(form, error) -> None:
    """Show a service's ValidationError on a form: each message beside its field, the rest on
    top."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class OnceOnlyFormMixin(forms.Form):
    """A hidden one-time token, new each time the form is shown; the view claims it with
    ``accounts.services.form_submission_claim`` in the transaction that creates the record."""

    submission_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["submission_token"] = uuid.uuid4()
