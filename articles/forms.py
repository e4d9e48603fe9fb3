from django import forms
from django.utils import timezone

from articles import services
from articles.workflow import MOVES


class WorkflowForm(forms.Form):
    """The inputs a workflow action may take; each action shows only the ones it uses."""

    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    when = forms.DateTimeField(
        required=False,
        label="Publish at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="In the newsroom's time zone.",
    )
    override_reason = forms.CharField(
        required=False,
        label="Publish despite the gate, because",
        max_length=1000,
        help_text="A sentence saying why it may go out with these problems, not the reason given last "
        "time. Recorded in the article's history and shown to every editor.",
    )

    update_note = forms.CharField(
        required=False,
        label="Substantive update",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only for a material change readers should know of: it moves the public 'Updated' date "
        "and is shown with the change. Leave empty for small fixes.",
    )

    # action -> (fields shown, fields required, label of the note), as the workflow table has them
    FIELDS = {name: (action.fields, action.required, action.note_label) for name, action in MOVES.items()}

    def __init__(self, *args, action: str, show_override: bool, republishing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        shown, required, note_label = self.FIELDS[action]
        hidden = {"override_reason"} if not show_override else set()
        if not republishing:
            hidden.add("update_note")
        for name in list(self.fields):
            if name not in shown or name in hidden:
                del self.fields[name]
        for name in required:
            self.fields[name].required = True
        if "note" in self.fields and note_label:
            self.fields["note"].label = note_label

    def clean_when(self):
        when = self.cleaned_data.get("when")
        if when is not None and when <= timezone.now():
            raise forms.ValidationError("Choose a time in the future, or publish now.")
        return when

    def clean_override_reason(self):
        reason = self.cleaned_data.get("override_reason", "")
        if reason.strip() and (refused := services.reason_refused(reason)):
            raise forms.ValidationError(refused)
        return reason

    def run(self, action: str, article, user):
        data = self.cleaned_data
        note = data.get("note", "")
        override = data.get("override_reason", "")
        match action:
            case "submit":
                return services.article_submit(article, by=user, note=note)
            case "request_changes":
                return services.article_request_changes(article, by=user, note=note)
            case "approve":
                return services.article_approve(article, by=user, note=note)
            case "publish":
                update = data.get("update_note", "")
                return services.article_publish(
                    article, by=user, override_reason=override, update_note=update
                )
            case "schedule":
                return services.article_schedule(
                    article, by=user, when=data["when"], override_reason=override
                )
            case "unschedule":
                return services.article_unschedule(article, by=user)
            case "unpublish":
                return services.article_unpublish(article, by=user, reason=note)
            case "send_back":
                return services.article_send_back(article, by=user, note=note)
        raise ValueError(action)


class ReviewNoteForm(forms.Form):
    body = forms.CharField(
        label="Add a review note", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
