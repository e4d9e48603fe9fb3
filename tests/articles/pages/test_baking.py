"""Every page a change shows on is baked once the change commits, before the action returns: the next
reader gets the new page from the store, never the old one."""

import pytest
from pytest_httpserver import HTTPServer

from articles import pages, services
from articles.models import Entity
from articles.services import EntityLine
from articles.sitemaps import SITEMAP_PAGE_SIZE
from corrections import services as desk
from editorial import services as editorial_services
from editorial.models import PolicyPage
from tests.factories import ArticleFactory, TopicFactory
from tests.publishing import publish

pytestmark = pytest.mark.django_db(transaction=True)

BODY = "The council approved 12 new homes in Leeds, the mayor said."


@pytest.fixture
def live(alice, bob, page_store):
    article = ArticleFactory(author=alice.person, editor=bob.person, title="Homes approved", body=BODY)
    leeds = Entity.objects.create(name="Leeds", slug="leeds")
    topic = TopicFactory(name="Housing", slug="housing")
    return publish(article, author=alice, editor=bob, topics=[topic], entities=[EntityLine(leeds, "A city.")])


def stored(path: str) -> str:
    page = pages.read(path)
    assert page is not None, f"{path} is not in the store"
    return page.body.decode()


def test_the_pages_a_version_shows_on_are_listed(live, alice, bob):
    version = live.live_version
    # The store keeps the articles' sitemap's first page (ids 1 to SITEMAP_PAGE_SIZE); the later ones
    # are rendered per request. Which one holds this article depends on how many the suite made before.
    first_sitemap_page = ["/sitemap-articles.xml"] if live.pk <= SITEMAP_PAGE_SIZE else []
    assert set(pages.article_pages(live, version)) == {
        f"/articles/{live.slug}/",
        f"/articles/{live.slug}/changes/",
        "/",
        "/feed/",
        "/topics/housing/",
        "/entities/leeds/",
        "/authors/alice/",
        "/authors/bob/",
        "/sitemap.xml",
        *first_sitemap_page,
        "/sitemap-topics.xml",
        "/sitemap-authors.xml",
        "/sitemap-policies.xml",
        "/corrections/",
        "/corrections/feed/",
    }


def shows(article, path: str) -> bool:
    """Whether the page is stored and shows the article: the sitemap by its address, the corrections log
    and feed not at all while it has no correction, every other page by its title."""
    page = stored(path)
    if path.startswith(("/corrections/", "/sitemap")) and path != "/sitemap-articles.xml":
        return True  # the log without a correction, the sitemap's index and its other sections
    return (article.slug if path.startswith("/sitemap") else article.title) in page


def test_publishing_bakes_every_page_the_article_shows_on_before_it_returns(live):
    for path in pages.article_pages(live, live.live_version):
        assert shows(live, path), path


def test_a_correction_is_on_the_stored_page_when_the_service_returns(client, live, erin):
    before = client.get(live.get_absolute_url())
    desk.correction_publish(
        live, by=erin, body=live.live_version.body.replace("12", "14"), kind="correction", note="It was 14."
    )
    after = client.get(live.get_absolute_url())
    assert after["X-Page-Store"] == "hit"
    assert after["ETag"] != before["ETag"]
    assert "14 new homes" in after.content.decode() and "It was 14." in after.content.decode()
    assert "It was 14." in stored("/corrections/")


def test_unpublishing_takes_the_page_out_of_the_store(client, live, bob):
    services.article_unpublish(live, by=bob, reason="A legal complaint is being reviewed.")
    assert pages.read(f"/articles/{live.slug}/") is None
    assert client.get(f"/articles/{live.slug}/").status_code == 410
    assert "Homes approved" not in stored("/")
    assert pages.read("/topics/housing/") is None  # nothing live is filed under it now: 404


def test_a_slug_change_published_leaves_the_old_address_to_its_redirect(client, live, alice, bob):
    old = live.get_absolute_url()
    live.slug = "homes-approved-for-leeds"
    publish(live, author=alice, editor=bob, topics=list(live.topics.all()))
    assert pages.read(old) is None
    assert client.get(old).status_code == 301
    assert "Homes approved" in stored("/articles/homes-approved-for-leeds/")


def test_renaming_a_topic_bakes_its_hub_and_the_articles_filed_under_it(live, bob):
    topic = live.topics.get()
    topic.name = "Housing and planning"
    services.topic_save(topic, by=bob)
    assert "Housing and planning" in stored(live.get_absolute_url())
    assert "Housing and planning" in stored("/topics/housing/")


def test_renaming_a_person_bakes_every_page_naming_them(live, alice, bob):
    person = alice.person
    person.name = "Alice Okoro"
    editorial_services.person_save(person, by=bob)
    for path in (live.get_absolute_url(), "/", "/authors/alice/", "/topics/housing/"):
        assert "Alice Okoro" in stored(path), path


def test_a_policy_page_is_baked_when_an_editor_changes_it(client, bob, page_store):
    page = PolicyPage.objects.get(slug=PolicyPage.Slug.CORRECTIONS)
    client.get(page.get_absolute_url())
    page.body = "We correct errors within a day."
    editorial_services.policy_page_save(page, by=bob)
    assert "We correct errors within a day." in client.get(page.get_absolute_url()).content.decode()


def test_a_page_that_fails_to_bake_is_removed_not_left_stale(client, live, erin, monkeypatch):
    def broken(path):
        raise RuntimeError("template error")

    monkeypatch.setattr(pages, "render", broken)
    desk.correction_publish(
        live, by=erin, body=live.live_version.body.replace("12", "14"), kind="correction", note="It was 14."
    )
    assert pages.read(live.get_absolute_url()) is None
    monkeypatch.undo()
    assert "14 new homes" in client.get(live.get_absolute_url()).content.decode()


def test_a_large_change_without_a_broker_bakes_every_page_before_it_returns(live, alice, bob, settings):
    settings.PAGE_BAKE_NOW, settings.CELERY_TASK_ALWAYS_EAGER = 2, True
    person = alice.person
    person.name = "Alice Okoro"
    editorial_services.person_save(person, by=bob)
    for path in pages.article_pages(live, live.live_version):
        assert shows(live, path), path
    assert "Alice Okoro" in stored(live.get_absolute_url())


def test_a_large_change_bakes_some_pages_now_and_hands_the_rest_to_a_worker(
    live, alice, bob, settings, monkeypatch
):
    from celery import current_app

    settings.PAGE_BAKE_NOW, settings.CELERY_TASK_ALWAYS_EAGER = 2, False
    sent = []
    monkeypatch.setattr(current_app, "send_task", lambda name, args: sent.append((name, args)))
    person = alice.person
    person.name = "Alice Okoro"
    editorial_services.person_save(person, by=bob)
    ((name, (rest,)),) = sent
    assert name == "articles.tasks.bake_pages" and len(rest) > 0
    assert all(pages.read(path) is None for path in rest)  # not stale meanwhile: rendered per request


def test_the_cdn_is_told_which_pages_changed(live, erin, settings, httpserver: HTTPServer):
    settings.PAGE_PURGE_URL = httpserver.url_for("/purge")
    settings.PAGE_PURGE_TOKEN = "s3cret"
    httpserver.expect_request("/purge", method="POST").respond_with_data("ok")
    desk.correction_publish(
        live, by=erin, body=live.live_version.body.replace("12", "14"), kind="correction", note="It was 14."
    )
    (request, _response), *_ = httpserver.log
    keys = request.headers["Surrogate-Key"].split()
    assert f"article-{live.pk}" in keys and "home" in keys and "corrections" in keys
    assert request.headers["Authorization"] == "Bearer s3cret"
    assert f"{settings.SITE_URL}{live.get_absolute_url()}" in request.get_json()["urls"]
