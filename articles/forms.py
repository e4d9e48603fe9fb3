from types import SimpleNamespace
from typing import Any

from django import forms
from django.utils import timezone

from articles import search, services
from articles.diff import FIELDS, version_diff
from articles.models import TEXT_FIELDS, Article
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


class ArticleForm(forms.ModelForm):
    change_note = forms.CharField(
        required=False,
        max_length=200,
        help_text="What changed and why, in a few words. Saved with this version.",
    )
    # The version the form was loaded from: saving over someone else's newer text is refused.
    base_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Article
        fields = ["title", "slug", "dek", "body", "seo_description", "author", "editor", "topics"]
        widgets = {"body": forms.Textarea(attrs={"rows": 30, "class": "vLargeTextField markdown"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict: services.EditConflict | None = None
        if self.instance.pk is not None and not self.is_bound:
            self.initial["base_version"] = self.instance.history.values_list("history_id", flat=True).latest(
                "history_date", "history_id"
            )

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if (holder := services.address_holder(self.instance, slug)) is not None:
            raise forms.ValidationError(
                f"Readers find “{holder.public_title}” at /articles/{slug}/: choose another slug."
            )
        return slug

    def clean(self):
        cleaned: Any = super().clean()
        if self.instance.pk is None:
            return cleaned
        # Locked until the admin's transaction ends, so two saves at once cannot both pass this check.
        current = Article.objects.select_for_update().get(pk=self.instance.pk)
        self.conflict = services.edit_conflict(current, cleaned.get("base_version"))
        if self.conflict is not None:
            # The user's text stays in the form; saving again knowingly replaces the newer version.
            form_data: Any = self.data
            data = form_data.copy()
            data[self.add_prefix("base_version")] = self.conflict.latest.history_id
            self.data = data
            raise forms.ValidationError(str(self.conflict), code="conflict")
        return cleaned

    def conflict_diffs(self):
        """Their change (from the version this form was loaded from to theirs), and the typed text against
        theirs, for the conflict page."""
        if self.conflict is None:
            return None
        # Fields the user may not edit (an author's byline) are not in cleaned_data: theirs stand.
        fields = (*TEXT_FIELDS, "slug", "author", "editor")
        typed = SimpleNamespace(**{f: self.cleaned_data.get(f, getattr(self.instance, f)) for f in fields})
        typed.author_id, typed.editor_id = (
            getattr(typed.author, "pk", None),
            getattr(typed.editor, "pk", None),
        )
        typed.topic_list = self.cleaned_data.get("topics", self.instance.topics.all())
        # The entity lines are the inline's, not this form's: the comparison leaves them out.
        typed_fields = [field for field in FIELDS if field[0] != "entities"]
        return {
            "theirs": version_diff(self.conflict.base, self.conflict.latest),
            "yours": version_diff(self.conflict.latest, typed, typed_fields),
            "latest": self.conflict.latest,
        }


class SearchForm(forms.Form):
    """A reader's search: the words (too many characters is a message, not an error page) and the page."""

    q = forms.CharField(
        label="Search articles",
        required=False,
        max_length=search.MAX_QUERY_LENGTH,
        error_messages={
            "max_length": f"Search for at most {search.MAX_QUERY_LENGTH} characters: a few words work best."
        },
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=search.MAX_PAGES)
