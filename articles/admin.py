from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Count
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.views.decorators.http import require_POST

from articles import gate, hooks, search, services
from articles.admin_base import DefaultFirstFilter, LargeTablePaginator, ReadOnlyAdmin, VersionedAdmin
from articles.diff import version_diff
from articles.editing import HEARTBEAT_SECONDS, editing_touch
from articles.forms import ArticleForm, ReviewNoteForm, WorkflowForm
from articles.models import (
    Article,
    ArticleEntity,
    Entity,
    HistoricalArticle,
    HistoricalArticleEntity,
    ReviewQueue,
    Topic,
    Transition,
)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj, form, change) -> None:
        services.topic_save(obj, by=request.user)


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    """The newsroom's named people, organisations, places and things. Which articles list them, and what
    readers are told about them there, is each article's (its "Entities in the article")."""

    list_display = ["name", "kind", "cluster", "on_articles"]
    list_filter = ["kind", "cluster"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "kind", "cluster", "aliases"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("article_entities"))

    @admin.display(description="Listed on (working copies)", ordering="article_count")
    def on_articles(self, obj) -> int:
        return obj.article_count

    def save_model(self, request, obj, form, change) -> None:
        services.entity_save(obj, by=request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        # A version that listed it keeps pointing at it: only an entity no version ever listed may go.
        if obj is not None and HistoricalArticleEntity.objects.filter(entity_id=obj.pk).exists():
            return False
        return super().has_delete_permission(request, obj)


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


class ArticleEntityInline(admin.TabularInline):
    """The entities the working copy lists, each with the line readers are told about it. Editors choose
    them; they reach readers with the version an editor publishes, and only with a description."""

    model = ArticleEntity
    fields = ["entity", "description", "shown"]
    formfield_overrides = {models.CharField: {"widget": forms.TextInput(attrs={"size": 70})}}
    readonly_fields = ["shown"]
    autocomplete_fields = ["entity"]
    extra = 0
    verbose_name = "entity in the article"
    verbose_name_plural = "entities in the article (shown to readers once published, with a description)"

    @admin.display(description="Readers see it")
    def shown(self, obj) -> str:
        if obj.pk is None:
            return "-"
        return "yes" if obj.description else "not until it has a description"

    def has_view_permission(self, request, obj=None) -> bool:
        return obj is None or ArticleAdmin.may_view(request, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return _is_reviewer(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return _is_reviewer(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return _is_reviewer(request)


def _entity_lines_typed(formset) -> list[services.EntityLine]:
    """The working copy's entity lines with the formset's changes made: rows removed, changed, added.
    (Like Django's own inline saving, a row the form does not carry stays as it is.)"""
    article = formset.instance
    current = {line.entity.pk: line for line in services.working_relations(article).entities}
    was = dict(article.article_entities.values_list("pk", "entity_id")) if article.pk else {}
    for link in formset.deleted_objects:
        current.pop(was.get(link.pk, link.entity_id), None)
    for link, _fields in formset.changed_objects:
        current.pop(was.get(link.pk, link.entity_id), None)
        current[link.entity_id] = services.EntityLine(link.entity, link.description)
    for link in formset.new_objects:
        current[link.entity_id] = services.EntityLine(link.entity, link.description)
    return list(current.values())


@admin.register(Article)
class ArticleAdmin(VersionedAdmin):
    form = ArticleForm
    inlines = [ArticleEntityInline]
    change_form_template = "admin/articles/article/change_form.html"
    list_display = ["title", "workflow", "author", "editor", "published_at", "modified_at", "public_link"]
    list_filter = [StatusFilter, "topics", "author", "editor"]
    list_select_related = ["author", "editor", "live_version"]
    search_fields = ["title", "dek", "body", "slug"]
    # Lists that grow without bound are not counted on every load (see LargeTablePaginator).
    paginator = LargeTablePaginator
    show_full_result_count = False
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

    def get_search_results(self, request, queryset, search_term):
        """Full-text search over the working copies on PostgreSQL (articles/search.py); a plain match of
        `search_fields` elsewhere."""
        if not search.full_text() or not search_term.strip():
            return super().get_search_results(request, queryset, search_term)
        return search.working_matches(queryset, search_term), False

    # Who sees what: editors, checkers and the desk see everything; an author only their own articles.
    # The object-level checks matter as much as the queryset: simple-history's version pages load
    # historical rows directly, bypassing get_queryset().
    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.has_perm("articles.view_all_articles"):
            return qs
        return qs.for_author(request.user)

    @staticmethod
    def _owns(request, obj) -> bool:
        return Article.objects.filter(pk=obj.pk).for_author(request.user).exists()

    @staticmethod
    def may_view(request, obj) -> bool:
        """Whether the user may see this article: every article with view_all_articles, else their own."""
        return request.user.has_perm("articles.view_all_articles") or ArticleAdmin._owns(request, obj)

    def has_view_permission(self, request, obj=None) -> bool:
        if not super().has_view_permission(request, obj):
            return False
        return obj is None or self.may_view(request, obj)

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
        """Nothing yet: the article, its topics and its entities are saved together, as one version, once
        the entity forms are known (save_related)."""
        if not change and not _is_reviewer(request):
            obj.author = request.user.person

    def save_related(self, request, form, formsets, change: bool) -> None:
        entities = None
        for formset in formsets:
            formset.save(commit=False)  # lists what changed, for the admin's log; the service writes
            if isinstance(formset.instance, Article) and formset.model is ArticleEntity:
                entities = _entity_lines_typed(formset) if _is_reviewer(request) else None
        services.article_save(
            form.instance,
            by=request.user,
            reason=form.cleaned_data.get("change_note") or ("Edited" if change else "Created"),
            base_version_id=form.cleaned_data.get("base_version"),
            topics=form.cleaned_data.get("topics"),
            entities=entities,
        )

    def version_context(self, request, obj, record) -> dict:
        base = reverse("admin:articles_article_compare", args=[obj.pk])
        can_restore = self.has_change_permission(request, obj) and services.owns_or_reviews(obj, request.user)
        restore = reverse("admin:articles_article_restore", args=[obj.pk, record.history_id])
        return {
            "compare_url": f"{base}?from={record.number}",
            "restore_url": restore if can_restore else "",
        }

    def version_rows(self, record) -> list[tuple[str, object]]:
        return [
            *super().version_rows(record),
            ("topics", ", ".join(topic.name for topic in record.listed_topics()) or "-"),
            ("entities in the article", _entity_lines(record) or "-"),
        ]

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
        versions = (
            article.history.select_related("history_user")
            .only(*VERSION_ROW, "history_user__username")
            .order_by("-history_date", "-history_id")
        )
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


# What the versions list shows of each version (not its text: a long history is a lot of text).
VERSION_ROW = (
    "history_id",
    "id",
    "number",
    "history_date",
    "history_user",
    "history_change_reason",
    "status",
)


def _entity_lines(record) -> str:
    rows = record.entities.filter(entity__isnull=False).select_related("entity")
    return "\n".join(f"{row.entity.name}: {row.description or '(no description: not shown)'}" for row in rows)


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


def _version(article: Article, number: str | None, default):
    """The version the compare page's `from` or `to` names: its number within the article (3 or v3), or
    "live"."""
    if not number:
        return default
    if number == "live":
        return article.live_version or default
    try:
        return article.history.get(number=int(number.removeprefix("v")))
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
