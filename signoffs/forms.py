from django import forms

from privacy.identifiers import reject_patient_identifiers

from .models import Signature


class SignForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[
            (Signature.Decision.APPROVE, "Approve and sign"),
            (Signature.Decision.DECLINE, "Decline and return to the author"),
        ],
        widget=forms.RadioSelect,
        initial=Signature.Decision.APPROVE,
    )
    reason = forms.CharField(
        label="Reason for declining",
        required=False,
        validators=[reject_patient_identifiers],
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required if you decline. The author sees it.",
    )
    code = forms.CharField(
        label="Authenticator code",
        max_length=16,
        error_messages={
            "required": "Enter the code from your authenticator app, or a backup code."
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "spellcheck": "false",
                "autocapitalize": "off",
                "class": "nhsuk-input--width-10",
            }
        ),
        help_text="Signing asks again for your second factor: the code from your authenticator app "
        "(or a backup code).",
    )
