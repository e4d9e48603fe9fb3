"""The fact-check queue: claims, evidence, verdicts, check-worthiness."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.timesince import timesince

from articles import hooks
from articles.admin_base import AssignedToFilter, DefaultFirstFilter, LargeTablePaginator, VersionedAdmin
from articles.links import normalised_url
from articles.models import Article
from editorial import services
from editorial.models import (
    Claim,
    Evidence,
)


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


class ArticleFilter(admin.SimpleListFilter):
    """The claims of one article, reached from its page ("Claims"): the filter shows that article only,
    never a list of every article."""

    title = "article"
    parameter_name = "article__id__exact"

    def lookups(self, request, model_admin):
        chosen = Article.objects.filter(pk=self.value()).first() if str(self.value()).isdigit() else None
        return [(str(chosen.pk), chosen.title)] if chosen else []

    def queryset(self, request, queryset):
        return queryset.filter(article_id=self.value()) if str(self.value()).isdigit() else queryset


class AgeFilter(admin.SimpleListFilter):
    title = "waiting"
    parameter_name = "age"

    def lookups(self, request, model_admin):
        return [("1", "More than a day"), ("7", "More than a week")]

    def queryset(self, request, queryset):
        if self.value() in ("1", "7"):
            return queryset.filter(created_at__lt=timezone.now() - timedelta(days=int(self.value())))
        return queryset


class EvidenceForm(forms.ModelForm):
    def clean_url(self) -> str:
        """A source is shown as a link, to the desk and on the page: in normal form, or refused (see
        articles/links.py)."""
        return normalised_url(self.cleaned_data["url"])


class EvidenceInline(admin.StackedInline):
    model = Evidence
    form = EvidenceForm
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
        "checked_by_hand",
        "hand_checked_by",
        "hand_checked_at",
        "suggested_quote",
        "match_score",
    ]
    readonly_fields = [
        "link_status",
        "link_detail",
        "checked_at",
        "hand_checked_by",
        "hand_checked_at",
        "suggested_quote",
        "match_score",
    ]

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
    list_filter = [ClaimStateFilter, AssignedToFilter, AgeFilter, "origin", ArticleFilter]
    paginator = LargeTablePaginator
    show_full_result_count = False
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
        # Only the assignment is edited here. Verdicts and check-worthiness go through their own pages, so
        # each change is recorded with who, when and why (lowering a claim out of the publish gate is an
        # editor's decision).
        return [field for field in self.get_fields(request, obj) if field != "assigned_to"]

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


def article_panel(request, article: Article) -> hooks.Panel:
    """The article's fact-check queue on its change form: what waits, and claims taken out of the gate."""
    counts = Claim.objects.filter(article=article).values_list("status").annotate(n=Count("pk"))
    return hooks.Panel(
        "admin/editorial/claim/_article_panel.html",
        {"claim_counts": dict(counts), "released": services.claims_out_of_gate(article)},
        place="status",
    )


hooks.register(hooks.ARTICLE_PANELS, article_panel)
