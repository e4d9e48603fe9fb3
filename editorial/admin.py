from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.timesince import timesince

from articles.admin import ArticleAdmin, AssignedToFilter, DefaultFirstFilter
from articles.admin_base import ReadOnlyAdmin, VersionedAdmin
from articles.models import Article
from articles.services import owns_or_reviews
from editorial import services
from editorial.models import (
    AICall,
    AssistJob,
    AuditEvent,
    Claim,
    Disclosure,
    Evidence,
    OutgoingEmail,
    Person,
    PolicyPage,
)


def _manages_people(request) -> bool:
    return request.user.has_perm("editorial.manage_people")


class OwnProfileMixin:
    """Staff without 'manage people' see and change only rows that belong to their own Person.
    Checked per object too, because simple-history's version pages bypass get_queryset()."""

    owner_lookup: str  # the path from the row to its Person's user id

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if _manages_people(request) else qs.filter(**{self.owner_lookup: request.user.pk})

    def _owns(self, request, obj) -> bool:
        return self.model.objects.filter(pk=obj.pk, **{self.owner_lookup: request.user.pk}).exists()

    def has_view_permission(self, request, obj=None) -> bool:
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or _manages_people(request) or self._owns(request, obj))

    def has_change_permission(self, request, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or _manages_people(request) or self._owns(request, obj))

    def has_delete_permission(self, request, obj=None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or _manages_people(request) or self._owns(request, obj))


def _through_service(call, *args, **kwargs):
    """Run a people service from an admin view. The admin's permission checks come first, so a refusal here
    is a request the page never offered: answer it as one."""
    try:
        return call(*args, **kwargs)
    except services.PeopleError as exc:
        raise PermissionDenied(str(exc)) from exc


class DisclosureInline(admin.TabularInline):
    model = Disclosure
    extra = 0
    fields = ["kind", "statement", "since", "until"]


class DisclosuresThroughServices:
    """Disclosures are saved and removed through the people services, on their own page or inline."""

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is not Disclosure:
            return super().save_formset(request, form, formset, change)
        for disclosure in formset.save(commit=False):
            _through_service(services.disclosure_save, disclosure, by=request.user)
        for disclosure in formset.deleted_objects:
            _through_service(services.disclosure_delete, disclosure, by=request.user)


@admin.register(Person)
class PersonAdmin(DisclosuresThroughServices, OwnProfileMixin, VersionedAdmin):
    owner_lookup = "user_id"
    list_display = ["name", "title", "slug", "user"]
    list_select_related = ["user"]
    search_fields = ["name", "slug", "title"]
    inlines = [DisclosureInline]
    fields = ["name", "slug", "title", "user", "background", "responsibilities", "links"]

    def get_readonly_fields(self, request, obj=None):
        # Who a profile belongs to, and its public address, are the editors' call.
        return [] if _manages_people(request) else ["slug", "user"]

    def get_prepopulated_fields(self, request, obj=None):
        # Not a class attribute: simple-history's version page reads that one and would expect a slug
        # field that authors' forms do not have.
        return {"slug": ["name"]} if _manages_people(request) else {}

    def save_model(self, request, obj, form, change) -> None:
        _through_service(services.person_save, obj, by=request.user)


@admin.register(Disclosure)
class DisclosureAdmin(OwnProfileMixin, VersionedAdmin):
    owner_lookup = "person__user_id"
    list_display = ["person", "kind", "since", "until"]
    list_filter = ["kind"]
    list_select_related = ["person"]
    search_fields = ["person__name", "statement"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "person" and not _manages_people(request):
            kwargs["queryset"] = Person.objects.filter(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        _through_service(services.disclosure_save, obj, by=request.user)

    def delete_model(self, request, obj) -> None:
        _through_service(services.disclosure_delete, obj, by=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for disclosure in queryset:
            _through_service(services.disclosure_delete, disclosure, by=request.user)


@admin.register(PolicyPage)
class PolicyPageAdmin(VersionedAdmin):
    list_display = ["title", "slug", "updated_at"]
    readonly_fields = ["slug", "updated_at"]
    fields = ["title", "slug", "body", "updated_at"]

    def has_add_permission(self, request) -> bool:
        return False  # The pages are fixed: the JSON-LD of every article links to them.

    def save_model(self, request, obj, form, change) -> None:
        _through_service(services.policy_page_save, obj, by=request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "template", "to", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "template"]
    search_fields = ["to", "subject"]
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields]


class ClaimStateFilter(DefaultFirstFilter):
    """Checkers start from what is waiting."""

    default_title = "Waiting for a verdict"
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("all", "All"), ("decided", "With a verdict"), ("changed", "Changed in a later version")]

    def queryset(self, request, queryset):
        match self.value():
            case "all":
                return queryset
            case "decided":
                return queryset.exclude(status=Claim.Status.PENDING)
            case "changed":
                return queryset.filter(changed_in__isnull=False)
        return queryset.open()


class AgeFilter(admin.SimpleListFilter):
    title = "waiting"
    parameter_name = "age"

    def lookups(self, request, model_admin):
        return [("1", "More than a day"), ("7", "More than a week")]

    def queryset(self, request, queryset):
        if self.value() in ("1", "7"):
            return queryset.filter(created_at__lt=timezone.now() - timedelta(days=int(self.value())))
        return queryset


class EvidenceInline(admin.StackedInline):
    model = Evidence
    extra = 1
    fields = [
        "url",
        "title",
        "quote",
        "kind",
        "stance",
        "public",
        "link_status",
        "link_detail",
        "checked_at",
        "suggested_quote",
        "match_score",
    ]
    readonly_fields = ["link_status", "link_detail", "checked_at", "suggested_quote", "match_score"]

    def has_delete_permission(self, request, obj=None) -> bool:
        # Fact-checkers take a source off a claim; ClaimAdmin.save_formset records who (evidence_remove).
        return request.user.has_perm("editorial.check_claim") and super().has_change_permission(request, obj)


class ClaimAddForm(forms.Form):
    article = forms.ModelChoiceField(
        queryset=Article.objects.all(),
        widget=forms.NumberInput,
        help_text="The article's number (from its address in the back office).",
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Copy the sentence or clause exactly as it stands in the article.",
    )
    checkworthiness = forms.FloatField(
        min_value=0,
        max_value=1,
        initial=1.0,
        help_text="0 to 1. At 0.5 or more, the claim holds publication until checked.",
    )


class CheckworthinessForm(forms.Form):
    checkworthiness = forms.FloatField(label="Check-worthiness", min_value=0, max_value=1)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Why it needs more or less checking now. Kept in the claim's history; editors see it "
        "on the article when it takes the claim out of the publish gate.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checkworthiness"].help_text = (
            f"0 to 1. At {settings.FACTCHECK_GATE_THRESHOLD:g} or more, a claim waiting for a verdict "
            "holds publication; only an editor can lower it below that."
        )


@admin.register(Claim)
class ClaimAdmin(VersionedAdmin):
    list_display = ["short_text", "article", "status", "checkworthiness", "assigned_to", "waiting", "flag"]
    list_filter = [ClaimStateFilter, AssignedToFilter, AgeFilter, "origin", "article"]
    list_select_related = ["article", "assigned_to"]
    search_fields = ["text", "note", "article__title"]
    ordering = ["created_at", "pk"]
    raw_id_fields = ["article"]
    inlines = [EvidenceInline]
    actions = ["assign_to_me"]
    change_form_template = "admin/editorial/claim/change_form.html"
    change_list_template = "admin/editorial/claim/change_list.html"

    @admin.display(description="Claim")
    def short_text(self, obj: Claim) -> str:
        return obj.text if len(obj.text) <= 120 else obj.text[:119] + "…"

    @admin.display(description="Waiting", ordering="created_at")
    def waiting(self, obj: Claim) -> str:
        return timesince(obj.created_at) if obj.status == Claim.Status.PENDING else "-"

    @admin.display(description="")
    def flag(self, obj: Claim) -> str:
        return "changed in a later version" if obj.changed_in_id else ""

    def get_fields(self, request, obj=None):
        return [
            "article",
            "text",
            "status",
            "checkworthiness",
            "origin",
            "version",
            "anchor",
            "changed_in",
            "assigned_to",
            "checked_by",
            "checked_at",
            "note",
            "created_by",
            "created_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        # Verdicts and check-worthiness go through their own pages, so each change is recorded with who,
        # when and why (lowering a claim out of the publish gate is an editor's decision).
        return [
            "article",
            "text",
            "status",
            "checkworthiness",
            "origin",
            "version",
            "anchor",
            "changed_in",
            "checked_by",
            "checked_at",
            "note",
            "created_by",
            "created_at",
        ]

    @admin.display(description="Where in the text")
    def anchor(self, obj: Claim) -> str:
        return f"characters {obj.anchor_start}–{obj.anchor_end} of the body"

    def save_model(self, request, obj, form, change) -> None:
        # The change form edits only who the claim is assigned to; everything else has its own page.
        try:
            services.claim_assign(obj, to=obj.assigned_to, by=request.user)
        except services.FactCheckError as exc:
            raise PermissionDenied(str(exc)) from exc

    def add_view(self, request, form_url="", extra_context=None):
        """Claims are added through claim_add, which anchors them in the current text."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ClaimAddForm(request.POST or None, initial={"article": request.GET.get("article")})
        if request.method == "POST" and form.is_valid():
            try:
                claim = services.claim_add(by=request.user, **form.cleaned_data)
            except services.FactCheckError as exc:
                form.add_error("text", str(exc))
            else:
                self.message_user(request, "The claim is in the queue.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:editorial_claim_change", args=[claim.pk]))
        context = self._context(request, "Add a claim to the queue", form=form, add=True)
        return TemplateResponse(request, "admin/editorial/claim/add.html", context)

    def save_formset(self, request, form, formset, change) -> None:
        """Evidence is added, changed and removed through the services: a changed address is checked
        again, and every change records who made it."""
        formset.save(commit=False)
        for evidence in formset.new_objects:
            services.evidence_add(
                form.instance,
                by=request.user,
                **{name: getattr(evidence, name) for name in services.EVIDENCE_FIELDS},
            )
        for evidence, changed in formset.changed_objects:
            fields = {name: getattr(evidence, name) for name in changed if name in services.EVIDENCE_FIELDS}
            services.evidence_update(evidence, by=request.user, **fields)
        for evidence in formset.deleted_objects:
            services.evidence_remove(evidence, by=request.user)

    @admin.action(description="Assign to me")
    def assign_to_me(self, request, queryset):
        for claim in queryset:
            services.claim_assign(claim, to=request.user, by=request.user)
        self.message_user(request, f"{queryset.count()} claim(s) assigned to you.", messages.SUCCESS)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("dashboard/", view(self.dashboard_view), name="editorial_claim_dashboard"),
            path("<path:object_id>/verdict/", view(self.verdict_view), name="editorial_claim_verdict"),
            path(
                "<path:object_id>/checkworthiness/",
                view(self.checkworthiness_view),
                name="editorial_claim_checkworthiness",
            ),
        ] + super().get_urls()

    def _context(self, request, title: str, **extra) -> dict:
        return {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title, **extra}

    def verdict_view(self, request, object_id):
        claim = self.get_object(request, object_id)
        if claim is None:
            raise Http404("No such claim.")
        if not request.user.has_perm("editorial.check_claim"):
            raise PermissionDenied
        form = VerdictForm(request.POST or None, initial={"status": claim.status, "note": claim.note})
        if request.method == "POST" and form.is_valid():
            try:
                services.claim_record_verdict(claim, by=request.user, **form.cleaned_data)
            except services.FactCheckError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(
                    request, f"Verdict recorded: {claim.get_status_display()}.", messages.SUCCESS
                )
                return HttpResponseRedirect(reverse("admin:editorial_claim_change", args=[claim.pk]))
        context = self._context(request, "Record a verdict", claim=claim, original=claim, form=form)
        return TemplateResponse(request, "admin/editorial/claim/verdict.html", context)

    def checkworthiness_view(self, request, object_id):
        if not services.may_weigh_claims(request.user):
            raise PermissionDenied
        claim = self.get_object(request, object_id)
        if claim is None:
            raise Http404("No such claim.")
        form = CheckworthinessForm(request.POST or None, initial={"checkworthiness": claim.checkworthiness})
        if request.method == "POST" and form.is_valid():
            try:
                services.claim_set_checkworthiness(
                    claim,
                    by=request.user,
                    value=form.cleaned_data["checkworthiness"],
                    reason=form.cleaned_data["reason"],
                )
            except services.FactCheckError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(
                    request, f"Check-worthiness is now {claim.checkworthiness:g}.", messages.SUCCESS
                )
                return HttpResponseRedirect(reverse("admin:editorial_claim_change", args=[claim.pk]))
        context = self._context(
            request,
            "Change check-worthiness",
            claim=claim,
            original=claim,
            form=form,
            threshold=settings.FACTCHECK_GATE_THRESHOLD,
            in_gate=Claim.objects.blocking().filter(pk=claim.pk).exists(),
        )
        return TemplateResponse(request, "admin/editorial/claim/checkworthiness.html", context)

    def dashboard_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        by_status = dict(
            Claim.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
        )
        oldest = Claim.objects.open().select_related("article").order_by("created_at").first()
        per_article = (
            Claim.objects.values("article__pk", "article__title")
            .annotate(pending=Count("pk", filter=Q(status=Claim.Status.PENDING)), total=Count("pk"))
            .filter(pending__gt=0)
            .order_by("-pending")[:50]
        )
        context = self._context(
            request,
            "Fact-check dashboard",
            counts=[(label, by_status.get(value, 0)) for value, label in Claim.Status.choices],
            oldest=oldest,
            per_article=per_article,
            changed=Claim.objects.open().filter(changed_in__isnull=False).count(),
        )
        return TemplateResponse(request, "admin/editorial/claim/dashboard.html", context)


class VerdictForm(forms.Form):
    status = forms.ChoiceField(label="Verdict", choices=[(v, Claim.Status(v).label) for v in Claim.VERDICTS])
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text="How you checked it, and against what.",
    )


class AcceptForm(forms.Form):
    items = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=forms.CheckboxSelectMultiple)
    fields = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[("dek", "Standfirst"), ("seo_description", "Search description"), ("topics", "Topics")],
    )


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
        article = Article.objects.filter(pk=request.POST.get("article")).first()
        if article is None:
            raise Http404("No such article.")
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
        items, fields = form.cleaned_data["items"], form.cleaned_data["fields"]
        try:
            match job.kind:
                case AssistJob.Kind.CLAIMS:
                    claims = services.ai_job_accept_claims(job, by=request.user, indexes=items)
                    done = f"{len(claims)} claim(s) queued for checking"
                case AssistJob.Kind.ENTITIES:
                    links = services.ai_job_accept_entities(job, by=request.user, indexes=items)
                    done = f"{len(links)} entities added"
                case AssistJob.Kind.METADATA:
                    services.ai_job_accept_metadata(job, by=request.user, fields=fields)
                    done = "Metadata applied as a new version"
                case AssistJob.Kind.SUGGEST:
                    if len(items) != 1:
                        raise services.AssistError("Accept one suggestion at a time.")
                    services.ai_job_accept_suggestion(job, by=request.user, index=items[0])
                    done = "Suggestion applied as a new version"
                case _:
                    raise services.AssistError("Quality checks are for reading; there is nothing to accept.")
        except services.AssistError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(request, f"{done}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:editorial_assistjob_change", args=[job.pk]))


@admin.register(AICall)
class AICallAdmin(ReadOnlyAdmin):
    list_display = ["at", "provider", "model", "bytes_sent", "requested_by", "status", "short_error", "job"]
    list_filter = ["provider", "status"]
    list_select_related = ["requested_by", "job__article"]
    readonly_fields = [f.name for f in AICall._meta.fields]

    @admin.display(description="Error", ordering="error")
    def short_error(self, obj: AICall) -> str:
        return obj.error if len(obj.error) <= 100 else f"{obj.error[:99]}…"


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The trail of sign-ins and of views of non-public pages: editors read it, nobody changes it."""

    list_display = ["at", "kind", "user", "username", "ip_address", "object_type", "object_id", "detail"]
    list_filter = ["kind", "object_type"]
    list_select_related = ["user"]
    search_fields = ["username", "object_id", "path", "detail"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    show_full_result_count = False


def _ask_ai(kind: str, label: str):
    @admin.action(description=f"AI assist: {label}")
    def action(modeladmin, request, queryset):
        asked = 0
        for article in queryset:
            try:
                services.ai_job_request(article, kind=kind, by=request.user)
                asked += 1
            except services.AssistError as exc:
                modeladmin.message_user(request, f"{article}: {exc}", messages.ERROR)
        if asked:
            modeladmin.message_user(
                request, f"Asked for {label.lower()} on {asked} article(s).", messages.SUCCESS
            )

    action.__name__ = f"ask_ai_{kind}"
    return action


# The article list's AI actions belong to the AI ledger, so they are added here, where it lives.
ArticleAdmin.actions = [
    *ArticleAdmin.actions,
    *[
        _ask_ai(kind, label)
        for kind, label in [
            ("claims", "find claims"),
            ("entities", "find entities"),
            ("metadata", "suggest metadata"),
            ("quality", "check quality"),
        ]
    ],
]
