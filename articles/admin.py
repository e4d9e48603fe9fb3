from types import SimpleNamespace

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.views.decorators.http import require_POST

from articles import gate, hooks, services
from articles.admin_base import ReadOnlyAdmin, VersionedAdmin
from articles.diff import version_diff
from articles.editing import HEARTBEAT_SECONDS, editing_touch
from articles.forms import ReviewNoteForm, WorkflowForm
from articles.models import TEXT_FIELDS, Article, HistoricalArticle, ReviewQueue, Topic, Transition


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


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
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        # Locked until the admin's transaction ends, so two saves at once cannot both pass this check.
        current = Article.objects.select_for_update().get(pk=self.instance.pk)
        self.conflict = services.edit_conflict(current, cleaned.get("base_version"))
        if self.conflict is not None:
            # The user's text stays in the form; saving again knowingly replaces the newer version.
            self.data = self.data.copy()
            self.data[self.add_prefix("base_version")] = self.conflict.latest.history_id
            raise forms.ValidationError(str(self.conflict), code="conflict")
        return cleaned

    def conflict_diffs(self):
        """Their change (from the version this form was loaded from to theirs), and the typed text against
        theirs, for the conflict page."""
        if self.conflict is None:
            return None
        # Fields the user may not edit (an author's byline) are not in cleaned_data: theirs stand.
        fields = (*TEXT_FIELDS, "author", "editor")
        typed = SimpleNamespace(**{f: self.cleaned_data.get(f, getattr(self.instance, f)) for f in fields})
        typed.author_id, typed.editor_id = (
            getattr(typed.author, "pk", None),
            getattr(typed.editor, "pk", None),
        )
        return {
            "theirs": version_diff(self.conflict.base, self.conflict.latest),
            "yours": version_diff(self.conflict.latest, typed),
            "latest": self.conflict.latest,
        }


class DefaultFirstFilter(admin.SimpleListFilter):
    """A list filter whose unfiltered state is a useful default ("open", "to me") rather than "All":
    staff land on what needs them, and the other lookups stay one click away."""

    default_title = "Default"

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": self.default_title,
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class AssignedToFilter(admin.SimpleListFilter):
    """For queues whose rows have an `assigned_to` person: the desk's and the fact-checkers'."""

    title = "assigned"
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("me", "To me"), ("none", "To nobody")]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assigned_to=request.user)
        if self.value() == "none":
            return queryset.filter(assigned_to__isnull=True)
        return queryset


class StatusFilter(admin.SimpleListFilter):
    """The article list's status filter, overdue first (with how many): those need an editor now."""

    title = "status"
    parameter_name = "status__exact"

    def lookups(self, request, model_admin):
        S = Article.Status
        overdue = model_admin.get_queryset(request).filter(status=S.OVERDUE).count()
        label = f"{S.OVERDUE.label} ({overdue})" if overdue else S.OVERDUE.label
        return [(S.OVERDUE.value, label), *[(s.value, s.label) for s in S if s != S.OVERDUE]]

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


def _is_reviewer(request) -> bool:
    return services.can_review(request.user)


@admin.register(Article)
class ArticleAdmin(VersionedAdmin):
    form = ArticleForm
    change_form_template = "admin/articles/article/change_form.html"
    list_display = ["title", "workflow", "author", "editor", "published_at", "modified_at", "public_link"]
    list_filter = [StatusFilter, "topics", "author", "editor"]
    list_select_related = ["author", "editor", "live_version"]
    search_fields = ["title", "dek", "body", "slug"]
    date_hierarchy = "created_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["topics"]
    raw_id_fields = ["author", "editor"]
    readonly_fields = ["workflow", "public_link", "published_at", "updated_at", "created_at", "modified_at"]
    history_list_display = ["status", "history_change_reason"]

    @property
    def actions(self):
        """The list's bulk actions are the other parts' (`hooks.ARTICLE_ACTIONS`)."""
        return hooks.get_hooks(hooks.ARTICLE_ACTIONS)

    fieldsets = [
        (None, {"fields": ["title", "slug", "dek", "body", "change_note", "base_version"]}),
        ("People", {"fields": ["author", "editor"]}),
        ("Metadata", {"fields": ["topics", "seo_description"]}),
        (
            "Publication",
            {
                "fields": [
                    "workflow",
                    "public_link",
                    "published_at",
                    "updated_at",
                    "created_at",
                    "modified_at",
                ]
            },
        ),
    ]

    @admin.display(description="Status", ordering="status")
    def workflow(self, obj: Article) -> str:
        return obj.workflow_label

    @admin.display(description="Public page")
    def public_link(self, obj: Article) -> str:
        if obj.pk is None or not obj.is_live:
            return "Not live"
        url = obj.get_absolute_url()
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)

    # Who sees what: editors, checkers and the desk see everything; an author only their own articles.
    # The object-level checks matter as much as the queryset: simple-history's version pages load
    # historical rows directly, bypassing get_queryset().
    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.has_perm("articles.view_all_articles"):
            return qs
        return qs.for_author(request.user)

    def _owns(self, request, obj) -> bool:
        return Article.objects.filter(pk=obj.pk).for_author(request.user).exists()

    def has_view_permission(self, request, obj=None) -> bool:
        if not super().has_view_permission(request, obj):
            return False
        if obj is None or request.user.has_perm("articles.view_all_articles"):
            return True
        return self._owns(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or _is_reviewer(request):
            return True
        return self._owns(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Published versions are never deleted: only drafts that never went live.
        if obj is not None and obj.published_at is not None:
            return False
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self.has_change_permission(request, obj))

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and (
            _is_reviewer(request) or hasattr(request.user, "person")
        )

    def get_list_filter(self, request):
        if request.user.has_perm("articles.view_all_articles"):
            return self.list_filter
        return [f for f in self.list_filter if f != "author"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not _is_reviewer(request):
            fields += ["author", "editor"]
        return fields

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if hasattr(request.user, "person"):
            initial.setdefault("author", request.user.person.pk)
        return initial

    def save_model(self, request, obj: Article, form, change: bool) -> None:
        if not change and not _is_reviewer(request):
            obj.author = request.user.person
        services.article_save(
            obj,
            by=request.user,
            reason=form.cleaned_data.get("change_note") or ("Edited" if change else "Created"),
            base_version_id=form.cleaned_data.get("base_version"),
        )

    def version_context(self, request, obj, record) -> dict:
        base = reverse("admin:articles_article_compare", args=[obj.pk])
        can_restore = self.has_change_permission(request, obj) and services.owns_or_reviews(obj, request.user)
        restore = reverse("admin:articles_article_restore", args=[obj.pk, record.history_id])
        return {
            "compare_url": f"{base}?from={record.history_id}",
            "restore_url": restore if can_restore else "",
        }

    # The newsroom's pages around an article: workflow panel, versions, comparisons.
    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/workflow/<str:action>/",
                view(self.workflow_view),
                name="articles_article_workflow",
            ),
            path("<path:object_id>/versions/", view(self.versions_view), name="articles_article_versions"),
            path("<path:object_id>/compare/", view(self.compare_view), name="articles_article_compare"),
            path(
                "<path:object_id>/versions/<int:history_id>/restore/",
                view(self.restore_view),
                name="articles_article_restore",
            ),
            path("<path:object_id>/notes/", view(self.note_view), name="articles_article_note"),
            path("<path:object_id>/editing/", view(self.editing_view), name="articles_article_editing"),
        ] + super().get_urls()

    def _article(self, request, object_id, *, change: bool = False) -> Article:
        article = self.get_object(request, object_id)
        if article is None:
            raise Http404("No such article, or not one of yours.")
        allowed = self.has_change_permission if change else self.has_view_permission
        if not allowed(request, article):
            raise PermissionDenied
        return article

    def _context(self, request, article: Article, title: str, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": article,
            "article": article,
            "title": title,
            "has_view_permission": True,
            **extra,
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = self.get_object(request, object_id)
        if article is not None and self.has_view_permission(request, article):
            extra_context = {**(extra_context or {}), **self._workflow_context(request, article)}
            if self.has_change_permission(request, article):
                extra_context["others_editing"] = editing_touch(article.pk, request.user)
                extra_context["heartbeat_seconds"] = HEARTBEAT_SECONDS
        return super().change_view(request, object_id, form_url, extra_context)

    def editing_view(self, request, object_id):
        """The change form's heartbeat: keeps this user shown as editing, answers who else is."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._article(request, object_id, change=True)
        others = editing_touch(article.pk, request.user)
        return JsonResponse(
            {
                "others": [
                    {"name": o.name, "since": timezone.localtime(o.since).strftime("%H:%M")} for o in others
                ]
            }
        )

    def _workflow_context(self, request, article: Article) -> dict:
        transitions = Transition.objects.filter(article=article).select_related("by").order_by("-at", "-pk")
        return {
            "workflow_actions": [
                (name, services.ACTIONS[name].label)
                for name in services.available_actions(article, request.user)
            ],
            "gate_problems": gate.problems(article) if article.approved_version_id else [],
            "transitions": transitions[:20],
            "review_notes": article.review_notes.select_related("by").order_by("-created_at")[:20],
            "note_form": ReviewNoteForm(prefix="note"),
            "can_comment": services.owns_or_reviews(article, request.user),
            "panels": _panels(request, article),
        }

    def workflow_view(self, request, object_id, action):
        if action not in WorkflowForm.FIELDS:
            raise Http404("No such action.")
        article = self._article(request, object_id)
        if not services.ACTIONS[action].allowed(article, request.user):
            raise PermissionDenied(services.ACTIONS[action].refused)
        problems = gate.problems(article) if action in ("publish", "schedule") else []
        show_override = any(p.overridable for p in problems)
        form = WorkflowForm(
            request.POST or None,
            action=action,
            show_override=show_override,
            republishing=article.published_at is not None,
        )
        if request.method == "POST" and form.is_valid():
            try:
                form.run(action, article, request.user)
            except services.ArticleActionError as exc:
                form.add_error(None, str(exc))
            else:
                state = article.workflow_label.lower()
                done = f"{services.ACTIONS[action].label}: done. The article is now {state}."
                self.message_user(request, done, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))
        base, latest = _default_comparison(article)
        title = f"{services.ACTIONS[action].label}: {article.title}"
        diffs = version_diff(base, latest)
        context = self._context(
            request,
            article,
            title,
            action=action,
            form=form,
            gate_problems=problems,
            diffs=diffs,
            base=base,
            latest=latest,
        )
        return TemplateResponse(request, "admin/articles/article/workflow.html", context)

    def versions_view(self, request, object_id):
        article = self._article(request, object_id)
        versions = article.history.select_related("history_user").order_by("-history_date", "-history_id")
        page = Paginator(versions, 50).get_page(request.GET.get("page"))
        can_restore = self.has_change_permission(request, article) and services.owns_or_reviews(
            article, request.user
        )
        title = f"Versions of “{article.title}”"
        context = self._context(
            request,
            article,
            title,
            page=page,
            can_restore=can_restore,
            can_change_byline=can_restore and services.can_review(request.user),
        )
        return TemplateResponse(request, "admin/articles/article/versions.html", context)

    def compare_view(self, request, object_id):
        article = self._article(request, object_id)
        base, latest = _default_comparison(article)
        base = _version(article, request.GET.get("from"), base)
        latest = _version(article, request.GET.get("to"), latest)
        title = f"Compare versions of “{article.title}”"
        context = self._context(
            request, article, title, diffs=version_diff(base, latest), base=base, latest=latest
        )
        return TemplateResponse(request, "admin/articles/article/compare.html", context)

    def restore_view(self, request, object_id, history_id):
        if request.method != "POST":
            return require_POST(lambda r: None)(request)
        article = self._article(request, object_id, change=True)
        version = get_object_or_404(HistoricalArticle, id=article.pk, history_id=history_id)
        try:
            services.article_restore_version(
                article, version, by=request.user, byline="byline" in request.POST
            )
        except services.ArticleActionError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            restored = "The version is restored as the newest draft. Readers see it only once it is approved."
            self.message_user(request, restored, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    def note_view(self, request, object_id):
        if request.method != "POST":
            return require_POST(lambda r: None)(request)
        article = self._article(request, object_id)
        form = ReviewNoteForm(request.POST, prefix="note")
        if form.is_valid():
            try:
                services.review_note_add(article, by=request.user, body=form.cleaned_data["body"])
            except services.ArticleActionError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, "Review note added.", messages.SUCCESS)
        else:
            self.message_user(request, "The note is empty or too long.", messages.ERROR)
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))


def _panels(request, article: Article) -> dict[str, list[str]]:
    """The other parts' sections of the change form (`hooks.ARTICLE_PANELS`), rendered, by place."""
    panels: dict[str, list[str]] = {"status": [], "tools": []}
    for panel_for in hooks.get_hooks(hooks.ARTICLE_PANELS):
        panel = panel_for(request, article)
        if panel is not None:
            context = {"original": article, **panel.context}
            panels[panel.place].append(render_to_string(panel.template, context, request))
    return panels


def _default_comparison(article: Article):
    """What an editor wants to see before acting: the working copy against what readers see, or
    against the version last sent back to the author, or against the first draft."""
    latest = article.history.latest()
    base = article.live_version
    if base is None:
        sent_back = (
            Transition.objects.filter(article=article, to_status=Article.Status.CHANGES_REQUESTED)
            .select_related("version")
            .last()
        )
        base = sent_back.version if sent_back else article.history.earliest()
    return base, latest


def _version(article: Article, history_id: str | None, default):
    if not history_id:
        return default
    if history_id == "live":
        return article.live_version or default
    try:
        return article.history.get(history_id=int(history_id))
    except (ValueError, HistoricalArticle.DoesNotExist):
        raise Http404("No such version of this article.") from None


@admin.register(ReviewQueue)
class ReviewQueueAdmin(ReadOnlyAdmin):
    """Overdue articles first, then articles waiting for review, oldest first: by default those assigned
    to me."""

    list_display = ["title", "state", "author", "editor", "waiting", "review_link"]
    list_display_links = None
    list_select_related = ["author", "editor"]
    search_fields = ["title"]

    class AssignedFilter(DefaultFirstFilter):
        default_title = "To me"
        title = "assigned"
        parameter_name = "assigned"

        def lookups(self, request, model_admin):
            return [("all", "To anyone"), ("none", "To nobody")]

        def queryset(self, request, queryset):
            if self.value() == "all":
                return queryset
            if self.value() == "none":
                return queryset.filter(editor__isnull=True)
            return queryset.filter(editor__user=request.user)

    list_filter = [AssignedFilter]

    def get_queryset(self, request):
        return ReviewQueue.objects.waiting_for_an_editor()

    def get_ordering(self, request):
        return ["overdue_first", "scheduled_for", "review_requested_at", "pk"]

    @admin.display(description="State")
    def state(self, obj) -> str:
        if obj.status == Article.Status.OVERDUE:
            return format_html(
                "<strong>{}</strong>: its scheduled publication was refused", obj.get_status_display()
            )
        return obj.get_status_display()

    @admin.display(description="Waiting for")
    def waiting(self, obj) -> str:
        since = obj.scheduled_for if obj.status == Article.Status.OVERDUE else obj.review_requested_at
        return timesince(since) if since else "-"

    @admin.display(description="")
    def review_link(self, obj) -> str:
        if obj.status == Article.Status.OVERDUE:
            url = reverse("admin:articles_article_change", args=[obj.pk])
            return format_html('<a class="button" href="{}">Act on it</a>', url)
        url = reverse("admin:articles_article_compare", args=[obj.pk])
        return format_html('<a class="button" href="{}">Review</a>', url)

    def has_module_permission(self, request) -> bool:
        return _is_reviewer(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _is_reviewer(request)
