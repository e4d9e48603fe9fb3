import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Max
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import DetailView

from articles import pages
from articles.models import Article, Listing
from articles.views import listed
from editorial.celery import broker_reachable
from editorial.models import Disclosure, Person, PolicyPage
from editorial.services import transparency
from editorial.sitemaps import SITEMAP_PAGE_SIZE, SITEMAPS

log = logging.getLogger(__name__)


class AuthorView(pages.SurrogateKeys, DetailView):
    model = Person
    template_name = "editorial/author.html"
    context_object_name = "person"

    def get_context_data(self, **kwargs):
        person = self.object
        context = super().get_context_data(**kwargs)
        context["disclosures"] = Disclosure.objects.filter(person=person).active()
        context["disclosures_reviewed_at"] = Disclosure.history.filter(person_id=person.pk).aggregate(
            at=Max("history_date")
        )["at"]
        page = listed(Listing.Kind.PERSON, person.pk, self.request.GET.get("before"))
        context["articles"], context["older"] = page.rows, page.older
        return context

    def surrogate_keys(self, context):
        return [f"person-{self.object.pk}"]


def policy(request, slug: str):
    page = get_object_or_404(PolicyPage, slug=slug)
    return render(request, "editorial/policy.html", {"page": page})


def article_page_context(article: Article) -> dict:
    """What an article's public page shows of the newsroom's work on it (hooks.ARTICLE_PAGE_CONTEXT):
    the transparency facts of its live version, and the public sources of the claims checked by then."""
    facts = transparency.article_transparency(article)
    return {"transparency": facts, "sources": list(facts.sources)}


def article_pages(article: Article, versions) -> list[str]:
    """Editorial's public pages showing something of these versions of an article
    (hooks.ARTICLE_PAGES): the profiles of the people their bylines name, and the sitemap."""
    people = {person for version in versions for person in (version.author, version.editor) if person}
    # The sitemap's sections; the articles' only where the article stands on its first page (the one
    # the page store keeps: its pages are ranges of ids).
    sections = [name for name in SITEMAPS if name != "articles" or article.pk <= SITEMAP_PAGE_SIZE]
    sitemap = [reverse("sitemap"), *(reverse("sitemap-section", args=[name]) for name in sections)]
    return [*sitemap, *(person.get_absolute_url() for person in people)]


def site_pages() -> list[str]:
    """Editorial's public pages that show no article (hooks.SITE_PAGES): the policies, robots.txt."""
    return [reverse("robots"), *(page.get_absolute_url() for page in PolicyPage.objects.all())]


def publisher_json_ld(absolute) -> dict:
    """The publisher's policies in an article's schema.org data (hooks.PUBLISHER_JSON_LD)."""

    def url(slug: str) -> str:
        return absolute(reverse("editorial:policy", args=[slug]))

    return {
        "correctionsPolicy": url(PolicyPage.Slug.CORRECTIONS),
        "publishingPrinciples": url(PolicyPage.Slug.PRINCIPLES),
        "ethicsPolicy": url(PolicyPage.Slug.AI_USE),
    }


@require_GET
def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        # Not the report status pages: they say noindex, and a crawler kept out never reads that.
        f"Sitemap: {sitemap}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain")


def _check(name: str, probe) -> tuple[str, str]:
    try:
        probe()
    except Exception as exc:
        log.warning("healthz: %s failed: %s", name, exc)
        return name, f"error: {type(exc).__name__}"
    return name, "ok"


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    cache.set("healthz", "ok", 10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache did not return what was stored")


def _broker() -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return  # Tasks run in-process: there is no broker to reach.
    broker_reachable()


@never_cache
@require_GET
def healthz(request):
    checks = dict(
        _check(name, probe)
        for name, probe in [("database", _database), ("cache", _cache), ("broker", _broker)]
    )
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )
