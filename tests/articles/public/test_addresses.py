"""An article's address is part of what an editor approves: a slug edit moves the live URL only once it
is published, the old address answers 301 for ever, and an unpublished article leaves a notice (410)."""

import pytest

from articles import services
from articles.models import Article
from corrections import services as correction_services
from tests.factories import ArticleFactory


def edit_slug(article: Article, slug: str, by) -> None:
    article.slug = slug
    services.article_save(article, by=by, reason="New address")


def republish(article: Article, alice, bob) -> None:
    services.article_submit(article, by=alice)
    services.article_approve(article, by=bob)
    services.article_publish(article, by=bob)


def test_a_slug_edit_waits_for_publication(client, published_article, alice):
    old = published_article.slug
    edit_slug(published_article, "council-approves-40-homes", alice)

    assert client.get(f"/articles/{old}/").status_code == 200
    assert client.get("/articles/council-approves-40-homes/").status_code == 404
    assert published_article.get_absolute_url() == f"/articles/{old}/"
    published_article.refresh_from_db()
    assert published_article.has_unpublished_changes


def test_the_old_address_answers_301_for_ever(client, published_article, alice, bob):
    first = published_article.slug
    edit_slug(published_article, "second-address", alice)
    republish(published_article, alice, bob)
    edit_slug(published_article, "third-address", alice)
    republish(published_article, alice, bob)

    for old in (first, "second-address"):
        response = client.get(f"/articles/{old}/")
        assert (response.status_code, response["Location"]) == (301, "/articles/third-address/")
        changes = client.get(f"/articles/{old}/changes/")
        assert (changes.status_code, changes["Location"]) == (301, "/articles/third-address/changes/")
        report = client.get(f"/articles/{old}/corrections/new/")
        assert (report.status_code, report["Location"]) == (301, "/articles/third-address/corrections/new/")
    assert client.get("/articles/third-address/").status_code == 200


def test_going_back_to_an_old_address_serves_it_again(client, published_article, alice, bob):
    first = published_article.slug
    edit_slug(published_article, "for-a-while", alice)
    republish(published_article, alice, bob)
    edit_slug(published_article, first, alice)
    republish(published_article, alice, bob)

    assert client.get(f"/articles/{first}/").status_code == 200
    assert client.get("/articles/for-a-while/")["Location"] == f"/articles/{first}/"


def test_another_article_cannot_take_an_address_readers_know(published_article, alice, bob):
    first = published_article.slug
    edit_slug(published_article, "moved-on", alice)
    republish(published_article, alice, bob)
    other = ArticleFactory(author=alice.person, editor=bob.person)

    for taken in (first, "moved-on"):
        other.slug = taken
        with pytest.raises(services.ArticleActionError, match="choose another slug"):
            services.article_save(other, by=alice, reason="Taking an address")


def test_the_admin_form_says_which_article_holds_the_address(client, published_article, alice, bob):
    other = ArticleFactory(author=alice.person, editor=bob.person, slug="free-for-now")
    client.force_login(bob)
    page = client.get(f"/admin/articles/article/{other.pk}/change/")
    data = {**page.context["adminform"].form.initial, "slug": published_article.slug, "change_note": "x"}
    data = {k: v for k, v in data.items() if v is not None}
    data["topics"] = []
    response = client.post(f"/admin/articles/article/{other.pk}/change/", data)
    assert response.status_code == 200
    assert f"Readers find “{published_article.public_title}” at /articles/{published_article.slug}/" in (
        response.content.decode()
    )


def test_a_correction_keeps_the_live_address(client, published_article, alice, erin):
    live = published_article.slug
    edit_slug(published_article, "unapproved-address", alice)
    body = published_article.live_version.body.replace("12 new homes", "14 new homes")
    correction_services.correction_publish(
        published_article, by=erin, body=body, kind="correction", note="It is 14 homes, not 12."
    )
    published_article.refresh_from_db()
    assert published_article.live_version.slug == live
    assert published_article.slug == "unapproved-address"  # the draft keeps its edit
    assert client.get(f"/articles/{live}/").status_code == 200
    assert client.get("/articles/unapproved-address/").status_code == 404


def test_an_unpublished_article_leaves_a_notice(client, published_article, alice, bob, erin):
    body = published_article.live_version.body.replace("12 new homes", "14 new homes")
    correction = correction_services.correction_publish(
        published_article, by=erin, body=body, kind="correction", note="It is 14 homes, not 12."
    )
    edit_slug(published_article, "never-published", alice)
    services.article_unpublish(published_article, by=bob, reason="The council withdrew the plan.")

    response = client.get(correction.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 410
    assert "Council approves homes" in html
    assert "The council withdrew the plan." in html
    assert "It is 14 homes, not 12." in html
    unpublished = published_article.transitions.last()
    assert (
        f'datetime="{unpublished.at.isoformat(timespec="seconds")}"' in html
        or unpublished.at.strftime("%-d %B %Y") in html
    )
    assert client.get("/articles/never-published/").status_code == 404
    log = client.get("/corrections/").content.decode()
    assert f'href="{correction.get_absolute_url()}"' in log
