import secrets
import time
from typing import NamedTuple

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from email_validator import EmailNotValidError, validate_email

from articles.links import normalised_url
from corrections.models import Correction

FORM_SALT = "corrections.request-form"
FORM_MAX_AGE = 24 * 3600


class Started(NamedTuple):
    """What the form's token says: when it was shown, and its nonce (a report per form shown)."""

    at: float
    nonce: str


def form_token(at: float | None = None) -> str:
    """A signed (time, nonce): when the form was shown, and which showing. Reports sent at once are held
    for the desk by the time; the nonce is stored with the report, so one showing feeds one report."""
    return signing.dumps([time.time() if at is None else at, secrets.token_urlsafe(16)], salt=FORM_SALT)


def public_address(value: str) -> str:
    """An e-mail address the newsroom will write to: a syntactically normal address at a public domain
    (no quoted names, no bracketed IP addresses, no `localhost` or reserved names), in normal form."""
    try:
        address = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError(
            f"We can only write to a normal e-mail address, like name@example.org ({exc}).",
            code="invalid",
        ) from None
    return address.ascii_email or address.normalized  # the domain as mail servers are asked for it


class CorrectionRequestForm(forms.Form):
    quoted_text = forms.CharField(
        label="The passage you are challenging",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Copy the words from the article, or select them on the page and choose "
        "“Report this passage”.",
    )
    explanation = forms.CharField(
        label="What is wrong, and what is right?",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Tell us what is wrong: this is the one field we need."},
    )
    evidence_url = forms.CharField(
        label="A link to your evidence",
        required=False,
        max_length=500,
        widget=forms.URLInput,
        help_text="Optional: where the right information is published.",
    )
    name = forms.CharField(label="Your name", required=False, max_length=100)
    email = forms.CharField(
        label="Your e-mail",
        widget=forms.EmailInput,
        required=False,
        max_length=254,
        help_text="Optional: we write to you only about this report.",
    )
    # A field people never see: bots fill it in.
    website = forms.CharField(required=False, label="Leave this empty")
    started = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["started"] = form_token()

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        if any(ch in name for ch in "\r\n"):
            raise forms.ValidationError("A name is one line.")
        return name

    def clean_evidence_url(self) -> str:
        value = self.cleaned_data["evidence_url"]
        if not value:
            return value
        url = normalised_url(value if "://" in value else f"https://{value}")
        if len(url) > 500:
            raise ValidationError("This link is too long to store. Send a shorter address for the page.")
        return url

    def clean_email(self) -> str:
        value = self.cleaned_data["email"]
        return public_address(value) if value else value

    def clean_started(self) -> Started:
        try:
            at, nonce = signing.loads(self.cleaned_data["started"], salt=FORM_SALT, max_age=FORM_MAX_AGE)
            return Started(float(at), str(nonce))
        except signing.SignatureExpired:
            raise forms.ValidationError(
                "This form was open for more than a day. Check your report and send it again."
            ) from None
        except (signing.BadSignature, TypeError, ValueError):
            raise forms.ValidationError(
                "This form could not be verified. Check your report and send it again."
            ) from None

    def with_a_new_token(self) -> "CorrectionRequestForm":
        """The form as the reader filled it in, with a token for a new showing: what they typed is kept
        when their token was refused (expired, already used, tampered with)."""
        data = self.data.copy()
        data["started"] = form_token()
        form = type(self)(data)
        form.is_valid()
        return form

    @property
    def honeypot_filled(self) -> bool:
        """Filled the field people never see: a bot's, dropped."""
        return bool(self.cleaned_data.get("website"))

    @property
    def sent_too_fast(self) -> bool:
        """Sent faster than a person usually reads the form. A reader who pastes a sentence and sends is
        still a person, so such a report is kept and held for the desk, never dropped."""
        started = self.cleaned_data.get("started")
        return started is not None and time.time() - started.at < settings.CORRECTIONS_MIN_FILL_SECONDS


class AcceptForm(forms.Form):
    body = forms.CharField(
        label="Corrected text",
        widget=forms.Textarea(attrs={"rows": 24, "class": "vLargeTextField markdown"}),
        help_text="The live text, in Markdown. Change only what the correction needs.",
    )
    kind = forms.ChoiceField(choices=Correction.Kind.choices, initial=Correction.Kind.CORRECTION)
    note = forms.CharField(
        label="Public note",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown on the article and in the corrections log: what was wrong and what is right.",
    )
    reply = forms.CharField(
        label="Reply to the reader",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional; a thank-you is sent if you leave it empty.",
    )
    drop_unmentioned = forms.BooleanField(
        label="Take off the page the entities the corrected text no longer mentions",
        required=False,
        help_text="Only needed when the correction removes the last mention of an entity the page lists: "
        "publishing tells you which, and goes ahead once you tick this.",
    )


class DeclineForm(forms.Form):
    reply = forms.CharField(
        label="Reply to the reader",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Why the article stays as it is. Sent to the reader and shown on their status page.",
    )
