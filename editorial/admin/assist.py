"""The AI-assist ledger: jobs, their output and what people accepted, and every outbound call."""

from django import forms
from django.contrib import admin, messages
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from articles import hooks
from articles.admin_base import LargeTablePaginator, ReadOnlyAdmin, bulk_action
from articles.models import Article
from articles.services import owns_or_reviews
from editorial import services
from editorial.models import (
    AICall,
    AssistJob,
)


class AcceptForm(forms.Form):
    items = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=forms.CheckboxSelectMultiple)
    fields = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[("dek", "Standfirst"), ("seo_description", "Search description"), ("topics", "Topics")],
    )


class RequestForm(forms.Form):
    """The job's article, by id: anything but an article's id (a word, a NUL) is no such article."""

    article = forms.ModelChoiceField(queryset=Article.objects.all())


@admin.register(AssistJob)
class AssistJobAdmin(ReadOnlyAdmin):
    """The ledger keeps every job; jobs are asked for from an article and accepted on their page."""

    list_display = [
        "created_at",
        "article",
        "kind",
        "status",
        "progress",
        "attempts",
        "provider",
        "model",
        "requested_by",
        "accepted_at",
    ]
    list_filter = ["status", "kind", "provider"]
    list_select_related = ["article", "requested_by"]
    search_fields = ["article__title", "input_sha256"]
    readonly_fields = [f.name for f in AssistJob._meta.fields if f.name != "output"] + [
        "duration",
        "outbound_calls",
    ]
    change_form_template = "admin/editorial/assistjob/change_form.html"

    @admin.display(description="Duration")
    def duration(self, obj: AssistJob) -> str:
        return f"{obj.duration_ms} ms" if obj.duration_ms is not None else "-"

    @admin.display(description="Outbound calls")
    def outbound_calls(self, obj: AssistJob) -> str:
        lines = []
        for call in obj.calls.order_by("at", "pk"):
            at = timezone.localtime(call.at)
            line = f"Attempt {call.attempt}, {at:%Y-%m-%d %H:%M:%S}: {call.get_status_display()}"
            line += f", {call.bytes_sent} bytes to {call.provider}/{call.model}"
            lines.append(f"{line}. {call.error}" if call.error else line)
        return "\n".join(lines) or "None: nothing left the building."

    def get_fields(self, request, obj=None):
        return [f for f in self.readonly_fields if f not in ("id",)]

    def has_view_permission(self, request, obj=None) -> bool:
        if obj is None:
            return super().has_view_permission(request) or request.user.has_perm("articles.view_article")
        return owns_or_reviews(obj.article, request.user) or request.user.has_perm(
            "articles.view_all_articles"
        )

    def has_module_permission(self, request) -> bool:
        return request.user.is_staff and request.user.has_perm("articles.view_article")

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return (
            qs
            if request.user.has_perm("articles.view_all_articles")
            else qs.filter(article__author__user=request.user)
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("request/", view(self.request_view), name="editorial_assistjob_request"),
            path("<path:object_id>/status/", view(self.status_view), name="editorial_assistjob_status"),
            path("<path:object_id>/accept/", view(self.accept_view), name="editorial_assistjob_accept"),
        ] + super().get_urls()

    def request_view(self, request):
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:editorial_assistjob_changelist"))
        form = RequestForm(request.POST)
        if not form.is_valid():
            raise Http404("No such article.")
        article = form.cleaned_data["article"]
        try:
            job = services.ai_job_request(article, kind=request.POST.get("kind", ""), by=request.user)
        except services.AssistError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(
                request, f"{job.get_kind_display()}: {job.get_status_display().lower()}.", messages.SUCCESS
            )
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    def _job(self, request, object_id) -> AssistJob:
        job = self.get_object(request, object_id)
        if job is None or not self.has_view_permission(request, job):
            raise Http404("No such job.")
        return job

    def status_view(self, request, object_id):
        job = self._job(request, object_id)
        return JsonResponse(
            {
                "status": job.status,
                "label": job.get_status_display(),
                "progress": job.progress,
                "error": job.error,
            }
        )

    def accept_view(self, request, object_id):
        job = self._job(request, object_id)
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:editorial_assistjob_change", args=[job.pk]))
        form = AcceptForm(request.POST)
        form.fields["items"].choices = [(i, i) for i in range(200)]
        if not form.is_valid():
            self.message_user(request, "Choose what to accept.", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:editorial_assistjob_change", args=[job.pk]))
        try:
            done = services.ai_job_accept(
                job, by=request.user, items=form.cleaned_data["items"], fields=form.cleaned_data["fields"]
            )
        except services.AssistError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(request, f"{done}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:editorial_assistjob_change", args=[job.pk]))


@admin.register(AICall)
class AICallAdmin(ReadOnlyAdmin):
    """Every request that left for an AI provider, written before it was sent: editors read it (the
    Editor role's view permission), nobody adds, changes or deletes a row."""

    list_display = [
        "at",
        "job_link",
        "attempt",
        "provider",
        "model",
        "status",
        "finished_at",
        "duration",
        "bytes_sent",
        "requested_by",
        "short_error",
    ]
    list_filter = ["status", "provider", "model", "job__kind"]
    list_select_related = ["requested_by", "job__article"]
    search_fields = ["job__article__title", "=input_sha256"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AICall._meta.fields] + ["duration"]
    # The ledger grows with every call: lists are not counted on every load (see LargeTablePaginator).
    paginator = LargeTablePaginator
    show_full_result_count = False

    @admin.display(description="Job", ordering="job")
    def job_link(self, obj: AICall) -> str:
        url = reverse("admin:editorial_assistjob_change", args=[obj.job_id])
        return format_html('<a href="{}">{}</a>', url, obj.job)

    @admin.display(description="Took")
    def duration(self, obj: AICall) -> str:
        if obj.finished_at is None:
            return "-"
        return f"{(obj.finished_at - obj.at).total_seconds():.1f} s"

    @admin.display(description="Error", ordering="error")
    def short_error(self, obj: AICall) -> str:
        return obj.error if len(obj.error) <= 100 else f"{obj.error[:99]}…"


def _ask_ai(kind: AssistJob.Kind):
    label = kind.ask.lower()
    return bulk_action(
        f"ask_ai_{kind}",
        f"AI assist: {label}",
        lambda article, by: services.ai_job_request(article, kind=kind, by=by),
        done=f"Asked for {label} on {{count}} article(s).",
        refused=services.AssistError,
    )


def article_panel(request, article: Article) -> hooks.Panel:
    """The article's AI assist on its change form: a button per kind, and the ledger's latest jobs."""
    kinds = [(kind.value, kind.ask) for kind in AssistJob.Kind]
    return hooks.Panel("admin/editorial/assistjob/_article_panel.html", {"ai_kinds": kinds}, place="tools")


# The article list's AI actions and the change form's AI panel belong to the AI ledger.
for _kind in AssistJob.Kind:
    if _kind.in_bulk:
        hooks.register(hooks.ARTICLE_ACTIONS, _ask_ai(_kind))
hooks.register(hooks.ARTICLE_PANELS, article_panel)
