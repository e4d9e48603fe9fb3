from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from articles import services
from articles.models import Article, Topic


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

    class Meta:
        model = Article
        fields = ["title", "slug", "dek", "body", "seo_description", "author", "editor", "topics"]
        widgets = {"body": forms.Textarea(attrs={"rows": 30, "class": "vLargeTextField markdown"})}


def _is_reviewer(request) -> bool:
    return request.user.has_perm("articles.review_article")


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    form = ArticleForm
    list_display = ["title", "status", "author", "editor", "published_at", "modified_at", "public_link"]
    list_filter = ["status", "topics", "author", "editor"]
    list_select_related = ["author", "editor"]
    search_fields = ["title", "dek", "body", "slug"]
    date_hierarchy = "created_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["topics"]
    raw_id_fields = ["author", "editor"]
    readonly_fields = ["status", "public_link", "published_at", "updated_at", "created_at", "modified_at"]
    history_list_display = ["status", "history_change_reason"]
    actions = ["submit_selected", "approve_selected", "publish_selected"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "dek", "body", "change_note"]}),
        ("People", {"fields": ["author", "editor"]}),
        ("Metadata", {"fields": ["topics", "seo_description"]}),
        (
            "Publication",
            {"fields": ["status", "public_link", "published_at", "updated_at", "created_at", "modified_at"]},
        ),
    ]

    @admin.display(description="Public page")
    def public_link(self, obj: Article) -> str:
        if obj.pk is None or not obj.is_live:
            return "Not live"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            obj.get_absolute_url(),
            obj.get_absolute_url(),
        )

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
        return super().has_delete_permission(request, obj) and (
            obj is None or self.has_change_permission(request, obj)
        )

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
        obj._history_user = request.user
        obj._change_reason = form.cleaned_data.get("change_note") or ("Edited" if change else "Created")
        super().save_model(request, obj, form, change)

    def _run(self, request, queryset, action, done: str) -> None:
        ok = 0
        for article in queryset:
            try:
                action(article, by=request.user)
                ok += 1
            except services.ArticleActionError as exc:
                self.message_user(request, str(exc), messages.ERROR)
        if ok:
            self.message_user(request, f"{ok} article(s) {done}.", messages.SUCCESS)

    @admin.action(description="Submit selected for review")
    def submit_selected(self, request, queryset):
        self._run(request, queryset, services.article_submit, "submitted for review")

    @admin.action(description="Approve selected", permissions=["review"])
    def approve_selected(self, request, queryset):
        self._run(request, queryset, services.article_approve, "approved")

    @admin.action(description="Publish selected", permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._run(request, queryset, services.article_publish, "published")

    def has_review_permission(self, request) -> bool:
        return _is_reviewer(request)

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm("articles.publish_article")
