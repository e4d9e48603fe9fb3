"""The write-path attacks, replayed over HTTP against a running server by the roles that found them.

Each attacker signs in through the login form, loads the page as a browser would (for its CSRF token),
and posts what the attack posted. Every attempt must be refused and leave every table as it was."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import httpx
import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from articles import services
from articles.models import Article
from editorial.models import Claim, PolicyPage
from tests.factories import ArticleFactory

# The roles and policy pages are migration data: a transactional test restores them (a flush empties them).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

UNWATCHED = {"sessions.session", "editorial.auditevent", "axes.accessattempt", "axes.accesslog"}


def every_row() -> str:
    digest = hashlib.sha256()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or model._meta.label_lower in UNWATCHED:
            continue
        digest.update(repr(list(model._base_manager.order_by("pk").values_list())).encode())
    return digest.hexdigest()


def signed_in(live_server, user) -> httpx.Client:
    client = httpx.Client(base_url=live_server.url, timeout=20)
    page = client.get("/admin/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/admin/login/",
        data={
            "csrfmiddlewaretoken": token,
            "username": user.username,
            "password": "password",
            "next": "/admin/",
        },
        headers={"Referer": live_server.url + "/admin/login/"},
    )
    assert response.status_code == 302, response.text[:500]
    return client


def post_as_browser(client: httpx.Client, path: str, data: dict) -> httpx.Response:
    """GET the page for its CSRF token (the version page answers GET), then POST."""
    page = client.get(path)
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    token = found.group(1) if found else client.cookies.get("csrftoken", "")
    return client.post(
        path,
        data={"csrfmiddlewaretoken": token, **data},
        headers={"Referer": str(client.base_url) + path, "X-CSRFToken": token},
    )


@pytest.fixture
def newsroom(alice, dave, bob, carol, erin):
    draft = ArticleFactory(
        author=alice.person, editor=bob.person, title="Draft on rents", slug="draft-on-rents"
    )
    live = ArticleFactory(author=alice.person, editor=bob.person, title="Council approves homes")
    services.article_submit(live, by=alice)
    services.article_approve(live, by=bob)
    services.article_publish(live, by=bob)
    claim = Claim.objects.create(
        article=live,
        version=live.history.latest(),
        text="The council approved 12 new homes",
        anchor_start=15,
        anchor_end=48,
        created_by=carol,
    )
    scheduled = ArticleFactory(author=alice.person, editor=bob.person, title="Budget preview")
    services.article_submit(scheduled, by=alice)
    services.article_approve(scheduled, by=bob)
    services.article_schedule(scheduled, by=bob, when=timezone.now() + timedelta(minutes=1))
    old_scheduled = scheduled.history.latest()
    services.article_unschedule(scheduled, by=bob)
    policy = PolicyPage.objects.get(slug=PolicyPage.Slug.CORRECTIONS)
    policy.save()
    return {
        "draft": draft,
        "live": live,
        "claim": claim,
        "scheduled": scheduled,
        "old_scheduled": old_scheduled,
        "policy": policy,
    }


def version_path(obj, record) -> str:
    meta = obj._meta
    return f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/history/{record.history_id}/"


def article_fields(article, **changes) -> dict:
    data = {
        "title": article.title,
        "slug": article.slug,
        "dek": article.dek,
        "body": article.body,
        "author": article.author_id,
        "editor": article.editor_id or "",
    }
    return {**data, **changes}


def test_a_fact_checker_cannot_rewrite_another_authors_draft(live_server, newsroom, carol):
    draft = newsroom["draft"]
    client = signed_in(live_server, carol)
    before = every_row()
    response = post_as_browser(
        client,
        version_path(draft, draft.history.latest()),
        article_fields(draft, title="Rewritten by a checker", body="Nothing of the author's text."),
    )
    assert response.status_code in (403, 405)
    assert every_row() == before


def test_the_desk_cannot_move_a_live_articles_address(live_server, newsroom, erin):
    live = newsroom["live"]
    client = signed_in(live_server, erin)
    before = every_row()
    response = post_as_browser(
        client,
        version_path(live, live.history.earliest()),
        article_fields(live, slug="moved-by-the-desk"),
    )
    assert response.status_code in (403, 405)
    assert every_row() == before
    assert httpx.get(live_server.url + live.get_absolute_url()).status_code == 200


def test_an_author_cannot_deface_the_corrections_policy(live_server, newsroom, alice):
    policy = newsroom["policy"]
    client = signed_in(live_server, alice)
    before = every_row()
    response = post_as_browser(
        client,
        version_path(policy, policy.history.latest()),
        {"title": "Corrections policy", "body": "We never correct anything."},
    )
    assert response.status_code in (403, 405)
    assert every_row() == before


def test_an_editor_cannot_take_a_claim_out_of_the_gate_through_its_version_page(live_server, newsroom, bob):
    claim = newsroom["claim"]
    client = signed_in(live_server, bob)
    before = every_row()
    response = post_as_browser(
        client,
        version_path(claim, claim.history.latest()),
        {"checkworthiness": "0", "assigned_to": ""},
    )
    assert response.status_code in (403, 405)
    assert every_row() == before
    assert Claim.objects.blocking().filter(pk=claim.pk).exists()


def test_an_author_cannot_bring_back_a_cancelled_schedule(live_server, newsroom, alice):
    scheduled, old = newsroom["scheduled"], newsroom["old_scheduled"]
    client = signed_in(live_server, alice)
    before = every_row()
    response = post_as_browser(client, version_path(scheduled, old), article_fields(old))
    assert response.status_code in (403, 405)
    assert every_row() == before
    assert services.publish_due_articles(now=timezone.now() + timedelta(minutes=5)) == 0
    scheduled.refresh_from_db()
    assert (scheduled.status, scheduled.live_version_id) == (Article.Status.APPROVED, None)


def test_another_author_cannot_learn_a_drafts_address(live_server, newsroom, dave):
    draft = newsroom["draft"]
    content_type = ContentType.objects.get_for_model(Article)
    response = signed_in(live_server, dave).get(f"/admin/r/{content_type.pk}/{draft.pk}/")
    assert response.status_code == 404
    assert draft.slug not in response.headers.get("Location", "") + response.text


def test_a_fact_checker_cannot_lower_check_worthiness_in_the_claim_form(live_server, newsroom, carol):
    claim = newsroom["claim"]
    client = signed_in(live_server, carol)
    for value in ("0", "7.5"):
        post_as_browser(
            client,
            f"/admin/editorial/claim/{claim.pk}/change/",
            {"checkworthiness": value, "assigned_to": "", **_no_evidence()},
        )
    claim.refresh_from_db()
    assert claim.checkworthiness == 1.0
    assert Claim.objects.blocking().filter(pk=claim.pk).exists()


def _no_evidence() -> dict:
    prefix = "evidence"
    return {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000"}  # fmt: skip
