import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.generic import DetailView, TemplateView

from articles import hooks, pages, search
from articles.diff import FIELDS, changed_paragraphs, version_diff
from articles.forms import SearchForm
from articles.models import Article, Entity, Listing, OldAddress, Topic, Transition

# What readers are shown of a change: the text and the byline, not metadata.
PUBLIC_FIELDS = [f for f in FIELDS if f[0] in ("title", "dek", "body", "author", "editor")]


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
PAGE_SIZE = 20


@dataclass(frozen=True)
class Newest:
    """One page of a list, newest first: its rows, and where the next (older) page starts. Keyset
    pagination: no count and no offset, so the thousandth page costs what the first does."""

    rows: list
    older: str | None


def newest_first(rows: QuerySet, before: str | None, *, key: str = "pk", size: int = PAGE_SIZE) -> Newest:
    """The `size` rows of `rows` (ordered by published_at, then `key`, both descending) that come after
    the cursor `before` ("<microseconds since 1970>.<key>", from the page before); 404 for a bad one."""
    if before:
        try:
            micros, last = (int(part) for part in before.split("."))
            when = EPOCH + timedelta(microseconds=micros)
        except (ValueError, OverflowError):
            raise Http404("No such page.") from None
        rows = rows.filter(Q(published_at__lt=when) | Q(published_at=when, **{f"{key}__lt": last}))
    found = list(rows.order_by("-published_at", f"-{key}")[: size + 1])
    if len(found) <= size:
        return Newest(found, None)
    edge = found[size - 1]
    return Newest(
        found[:size], f"{(edge.published_at - EPOCH) // timedelta(microseconds=1)}.{getattr(edge, key)}"
    )


def listed(kind: str, target_id: int, before: str | None) -> Newest:
    """A page of the live articles listed under a topic, entity or person (Listing), newest first."""
    rows = Listing.objects.of(kind, target_id).select_related(
        "article", "article__live_version", "article__live_version__author", "article__live_version__editor"
    )
    page = newest_first(rows, before, key="article_id")
    return Newest([listing.article for listing in page.rows], page.older)


class HomeView(pages.SurrogateKeys, TemplateView):
    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        page = newest_first(Article.objects.live().with_live_version(), self.request.GET.get("before"))
        return super().get_context_data(articles=page.rows, older=page.older, **kwargs)

    def surrogate_keys(self, context):
        return ["home"]


class TopicView(pages.SurrogateKeys, TemplateView):
    """A topic's hub: the live articles whose live version is filed under it, newest first. A topic no
    live version is filed under has no public page (it may be on a draft only)."""

    template_name = "articles/topic.html"

    def get_context_data(self, **kwargs):
        self.topic = get_object_or_404(Topic, slug=self.kwargs["slug"])
        page = listed(Listing.Kind.TOPIC, self.topic.pk, self.request.GET.get("before"))
        if not page.rows:
            raise Http404("No live article is filed under this topic.")
        return super().get_context_data(topic=self.topic, articles=page.rows, older=page.older, **kwargs)

    def surrogate_keys(self, context):
        return [f"topic-{self.topic.pk}"]


class SearchView(TemplateView):
    """Readers' search over the live versions (articles/search.py). Rendered per request, never baked:
    every query is a page of its own. Search engines are told not to index it."""

    template_name = "articles/search.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex"
        return response

    def get_context_data(self, **kwargs):
        form = SearchForm(self.request.GET)
        context = super().get_context_data(form=form, **kwargs)
        if not form.is_valid():
            if "page" in form.errors:
                raise Http404("No such page.")
            return context
        terms = form.cleaned_data["q"]
        if terms:
            context["results"] = search.live_page(terms, form.cleaned_data["page"] or 1)
        return context


def elsewhere(request, slug: str, route: str) -> HttpResponse:
    """The answer for an address where no live article stands now: a 301 to the current address of the
    article that stood there before, the notice of an article that was unpublished from it, or 404."""
    moved = OldAddress.objects.filter(slug=slug).select_related("article").first()
    if moved is not None:
        return HttpResponsePermanentRedirect(reverse(route, args=[moved.article.public_slug]))
    for article in Article.objects.filter(
        live_version__isnull=True, transitions__version__slug=slug
    ).distinct():
        unpublished = (
            article.transitions.filter(to_status=Article.Status.UNPUBLISHED).order_by("-at", "-pk").first()
        )
        if unpublished is not None and article.public_slug == slug:
            context = {
                "article": article,
                "unpublished": unpublished,
                "corrections": article.corrections.all(),
            }
            return TemplateResponse(request, "articles/gone.html", context, status=410)
    raise Http404("No article at this address.")


class AtAddress:
    """A page of the live article at /articles/<slug>/…: found by its live version's slug; an old or
    vacated address answers as `elsewhere` says."""

    route = "articles:detail"
    slug_field = "live_version__slug"

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)  # type: ignore[misc]
        except Http404:
            return elsewhere(request, kwargs["slug"], self.route)


class ArticleView(AtAddress, pages.SurrogateKeys, DetailView):
    """The public page shows the live snapshot, never the working copy."""

    template_name = "articles/article.html"
    context_object_name = "article"

    def get_queryset(self):
        return Article.objects.live().with_live_version().prefetch_related("corrections")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version = context["version"] = self.object.live_version
        # What the other parts show readers about the article (its sources, the AI help used).
        for page_context in hooks.get_hooks(hooks.ARTICLE_PAGE_CONTEXT):
            context.update(page_context(self.object))
        context["topics"] = topics = list(version.listed_topics())
        context["entities"] = entities = version.shown_entities()
        context["entity_clusters"] = len({row.entity.cluster for row in entities})
        absolute = self.request.build_absolute_uri
        context["json_ld"] = json_ld_script(article_json_ld(self.object, absolute, topics=topics))
        return context

    def surrogate_keys(self, context):
        return pages.version_keys(self.object, context["version"])


def _person_ld(person, absolute) -> dict | None:
    if person is None:
        return None
    return {"@type": "Person", "name": person.name, "url": absolute(person.get_absolute_url())}


def article_json_ld(article: Article, absolute, *, topics=None) -> dict:
    """schema.org NewsArticle for the live version: who wrote it, who answers for it, what was corrected."""
    version = article.live_version
    topics = version.listed_topics() if topics is None else topics
    return {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.public_title,
        "description": version.seo_description or version.dek,
        "url": absolute(article.get_absolute_url()),
        "mainEntityOfPage": absolute(article.get_absolute_url()),
        "datePublished": article.published_at.isoformat(),
        "dateModified": article.date_modified.isoformat(),
        "author": [_person_ld(version.author, absolute)],
        "editor": _person_ld(version.editor, absolute),
        "keywords": [topic.name for topic in topics],
        "correction": [
            {
                "@type": "CorrectionComment",
                "text": correction.note,
                "datePublished": correction.published_at.isoformat(),
            }
            for correction in article.corrections.all()
        ],
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": settings.PUBLISHER_NAME,
            "url": absolute("/"),
            # The publisher's policies are other parts' pages (hooks.PUBLISHER_JSON_LD).
            **{
                key: url
                for extra in hooks.get_hooks(hooks.PUBLISHER_JSON_LD)
                for key, url in extra(absolute).items()
            },
        },
    }


def _publisher_extras(absolute) -> dict:
    extras: dict = {}
    for extra in hooks.get_hooks(hooks.PUBLISHER_JSON_LD):
        extras.update(extra(absolute))
    return extras


def json_ld_script(data: dict) -> str:
    """Serialise for a <script type="application/ld+json"> block: '<', '>' and '&' are escaped so
    text from the article can never close the script element."""
    text = json.dumps(data, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 - escaped above


class EntityView(pages.SurrogateKeys, TemplateView):
    """An entity's hub: the live articles whose live version shows it to readers, newest first, and what
    the newest of them says it is. An entity no live version shows has no public page."""

    template_name = "articles/entity.html"

    def get_context_data(self, **kwargs):
        self.entity = get_object_or_404(Entity, slug=self.kwargs["slug"])
        page = listed(Listing.Kind.ENTITY, self.entity.pk, self.request.GET.get("before"))
        if not page.rows:
            raise Http404("No live article shows this entity.")
        description = self.entity.public_description()
        return super().get_context_data(
            entity=self.entity, description=description, articles=page.rows, older=page.older, **kwargs
        )

    def surrogate_keys(self, context):
        return [f"entity-{self.entity.pk}"]


class ChangesView(AtAddress, pages.SurrogateKeys, DetailView):
    """The public record of what changed after publication: every version that was live, newest first,
    each with its difference from the one before."""

    template_name = "articles/changes.html"
    context_object_name = "article"
    route = "articles:changes"

    def get_queryset(self):
        return Article.objects.live().with_live_version()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["entries"] = public_changes(self.object)
        return context

    def surrogate_keys(self, context):
        return pages.version_keys(self.object, self.object.live_version)


def public_changes(article: Article) -> list[dict]:
    """Each version that went live, by publication or by correction, with what changed before it."""
    published = [
        (transition.at, transition.version, transition.update_note, "")
        for transition in Transition.objects.filter(article=article, to_status=Article.Status.PUBLISHED)
        .select_related("version", "version__author", "version__editor")
        .order_by("at", "pk")
    ]
    # Corrections are another app's rows, read through the reverse relation only.
    corrected = [
        (correction.published_at, correction.to_version, correction.note, correction.get_kind_display())
        for correction in article.corrections.select_related(
            "to_version", "to_version__author", "to_version__editor"
        )
        if correction.to_version_id
    ]
    entries, previous = [], None
    for at, version, note, kind in sorted(published + corrected, key=lambda entry: entry[0]):
        if previous is not None and version.content_hash == previous.content_hash:
            continue  # republished unchanged
        entries.append(
            {
                "at": at,
                "version": version,
                "first": previous is None,
                "kind": kind,
                "update_note": "" if kind else note,
                "correction_note": note if kind else "",
                "diffs": _public_diffs(previous, version) if previous else [],
            }
        )
        previous = version
    return entries[::-1]


def _public_diffs(previous, version) -> list[dict]:
    return [
        {
            "label": diff.label,
            "hunks": changed_paragraphs(previous.body, version.body) if diff.field == "body" else [diff.html],
        }
        for diff in version_diff(previous, version, PUBLIC_FIELDS)
        if diff.changed
    ]
