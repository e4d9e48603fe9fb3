from functools import partial
from operator import attrgetter

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import escape, format_html
from django.utils.timesince import timesince

from articles import phrases
from articles.admin_base import (
    AssignedToFilter,
    DefaultFirstFilter,
    LargeTablePaginator,
    ReadOnlyAdmin,
    VersionedAdmin,
    bulk_action,
)
from corrections import services
from corrections.forms import AcceptForm, DeclineForm
from corrections.models import Correction, CorrectionRequest

# The desk's bulk actions: a refusal is the service's CorrectionError, a row is named by its reference.
desk_action = partial(bulk_action, refused=services.CorrectionError, label=attrgetter("reference"))


class OpenFilter(DefaultFirstFilter):
    """The desk's default view: requests still waiting for a decision, those held as suspected automated
    aside; they wait in their own view until the desk releases them or files them as spam."""

    default_title = "Open"
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        held = CorrectionRequest.objects.suspected().count()
        return [
            ("suspected", f"Suspected automated or flood ({held})"),
            ("all", "All"),
            ("closed", "Decided"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset
        if self.value() == "closed":
            return queryset.exclude(status__in=CorrectionRequest.OPEN)
        if self.value() == "suspected":
            return queryset.suspected()
        return queryset.queue()


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(VersionedAdmin):
    list_display = [
        "reference",
        "article",
        "status",
        "suspected_automated",
        "held_because",
        "quote_check",
        "assigned_to",
        "waiting",
        "created_at",
    ]
    list_filter = [OpenFilter, AssignedToFilter, "status", "quote_found"]
    paginator = LargeTablePaginator
    show_full_result_count = False
    list_select_related = ["article", "assigned_to"]
    search_fields = ["reference", "quoted_text", "explanation", "email", "article__title"]
    ordering = ["created_at", "pk"]
    raw_id_fields = ["article"]
    actions = ["assign_to_me", "start_review", "release", "mark_spam", "merge_duplicates"]
    change_form_template = "admin/corrections/correctionrequest/change_form.html"
    # What the reader wrote is evidence: the desk reads it, never edits it.
    readonly_fields = [
        "reference",
        "article",
        "status",
        "suspected_automated",
        "held_because",
        "quoted_text",
        "quote_check",
        "explanation",
        "evidence",
        "name",
        "email",
        "created_at",
        "decided_at",
        "decided_by",
        "duplicate_of",
        "reply",
    ]
    fields = [
        "reference",
        "article",
        "status",
        "suspected_automated",
        "held_because",
        "assigned_to",
        "quoted_text",
        "quote_check",
        "explanation",
        "evidence",
        "name",
        "email",
        "created_at",
        "duplicate_of",
        "reply",
        "decided_at",
        "decided_by",
    ]

    @admin.display(description="Quote in the article?", boolean=True, ordering="quote_found")
    def quote_check(self, obj: CorrectionRequest) -> bool:
        return obj.quote_found

    @admin.display(description="Evidence")
    def evidence(self, obj: CorrectionRequest) -> str:
        if not obj.evidence_url:
            return "-"
        # A reader's link: shown, opened only on purpose, never followed by the site.
        return format_html(
            '<a href="{}" rel="noopener noreferrer nofollow" target="_blank">{}</a>',
            obj.evidence_url,
            obj.evidence_url,
        )

    @admin.display(description="Waiting", ordering="created_at")
    def waiting(self, obj: CorrectionRequest) -> str:
        return timesince(obj.created_at) if obj.is_open else "-"

    def has_add_permission(self, request) -> bool:
        return False  # requests come from readers

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # nothing a reader sent is lost

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assigned_to":
            from django.contrib.auth import get_user_model

            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        # The change form edits only who the request is assigned to: the rest is the reader's, or a decision.
        try:
            services.correction_request_assign(obj, to=obj.assigned_to, by=request.user)
        except services.CorrectionError as exc:
            raise PermissionDenied(str(exc)) from exc

    assign_to_me = desk_action(
        "assign_to_me",
        "Assign to me",
        lambda item, by: services.correction_request_assign(item, to=by, by=by),
        done="{count} request(s) assigned to you.",
    )
    start_review = desk_action(
        "start_review",
        "Start review",
        partial(services.correction_request_mark, status=CorrectionRequest.Status.IN_REVIEW),
        done="{count} request(s) in review.",
    )
    release = desk_action(
        "release",
        "Release into the queue (not automated)",
        services.correction_request_release,
        done="{count} request(s) released into the queue.",
    )
    mark_spam = desk_action(
        "mark_spam",
        "Mark as spam",
        partial(services.correction_request_mark, status=CorrectionRequest.Status.SPAM),
        done="{count} request(s) marked as spam.",
    )

    @admin.action(description="Merge as duplicates of the oldest selected")
    def merge_duplicates(self, request, queryset):
        requests = list(queryset.order_by("created_at", "pk"))
        if len(requests) < 2:
            self.message_user(request, "Select two or more requests to merge.", messages.WARNING)
            return
        try:
            merged = services.correction_requests_merge(requests[1:], into=requests[0], by=request.user)
        except services.CorrectionError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(
            request, f"{merged} request(s) merged into {requests[0].reference}.", messages.SUCCESS
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/accept/",
                view(self.accept_view),
                name="corrections_correctionrequest_accept",
            ),
            path(
                "<path:object_id>/decline/",
                view(self.decline_view),
                name="corrections_correctionrequest_decline",
            ),
        ] + super().get_urls()

    def _request(self, request, object_id) -> CorrectionRequest:
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404("No such correction request.")
        if not request.user.has_perm("corrections.decide_correctionrequest"):
            raise PermissionDenied
        return obj

    def _page(self, request, obj, template: str, title: str, **extra):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": title,
            **extra,
        }
        return TemplateResponse(request, template, context)

    def accept_view(self, request, object_id):
        obj = self._request(request, object_id)
        article = obj.article
        live = article.live_version
        form = AcceptForm(request.POST or None, initial={"body": live.body if live else ""})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.correction_accept(
                    obj,
                    by=request.user,
                    body=data["body"],
                    kind=data["kind"],
                    note=data["note"],
                    reply=data["reply"],
                    drop_unmentioned=data["drop_unmentioned"],
                )
            except services.CorrectionError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(
                    request, f"{obj.reference} accepted: the correction is live.", messages.SUCCESS
                )
                return HttpResponseRedirect(
                    reverse("admin:corrections_correctionrequest_change", args=[obj.pk])
                )
        return self._page(
            request,
            obj,
            "admin/corrections/correctionrequest/accept.html",
            f"Accept {obj.reference} and correct the article",
            form=form,
            live=live,
            highlighted=highlight(live.body if live else "", obj.quoted_text),
            draft_differs=article.is_live and article.has_unpublished_changes,
        )

    def decline_view(self, request, object_id):
        obj = self._request(request, object_id)
        form = DeclineForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.correction_decline(obj, by=request.user, reply=form.cleaned_data["reply"])
            except services.CorrectionError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(request, f"{obj.reference} declined; the reader is told.", messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:corrections_correctionrequest_change", args=[obj.pk])
                )
        return self._page(
            request,
            obj,
            "admin/corrections/correctionrequest/decline.html",
            f"Decline {obj.reference}",
            form=form,
        )


def highlight(text: str, quote: str) -> str:
    """The live text, escaped, with the reader's quote marked where the quote check found it: across
    line breaks, typographic quotes and the Markdown the reader never saw."""
    span = phrases.find(quote, text)
    if span is None:
        return escape(text)
    start, end = span
    return format_html("{}<mark>{}</mark>{}", text[:start], text[start:end], text[end:])


@admin.register(Correction)
class CorrectionAdmin(ReadOnlyAdmin):
    """Corrections are written only by corrections.services; the admin shows the record, never deletes it."""

    list_display = ["published_at", "article", "kind", "accepted_by"]
    list_filter = ["kind"]
    list_select_related = ["article", "accepted_by"]
    search_fields = ["note", "article__title"]
    readonly_fields = [
        "article",
        "kind",
        "note",
        "published_at",
        "accepted_by",
        "from_version",
        "to_version",
        "requests",
    ]
