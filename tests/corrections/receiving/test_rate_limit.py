import time

import pytest
from django.core.cache import cache

from corrections.forms import form_token
from corrections.models import CorrectionRequest
from tests.factories import ArticleFactory


def post(client, article, ip="203.0.113.7"):
    data = {"explanation": "The date is wrong.", "started": form_token(time.time() - 30)}
    return client.post(f"/articles/{article.slug}/corrections/new/", data, REMOTE_ADDR=ip)


@pytest.fixture(autouse=True)
def small_limits(settings):
    cache.clear()
    settings.CORRECTIONS_RATE_LIMIT = (3, 600)
    settings.CORRECTIONS_ARTICLE_CAP = (5, 3600)


def test_it_limits_requests_per_address(client, published_article):
    statuses = [post(client, published_article).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    response = post(client, published_article)
    assert "Please wait a little" in response.content.decode()
    assert CorrectionRequest.objects.count() == 3
    assert post(client, published_article, ip="198.51.100.1").status_code == 302  # another reader


def test_a_flooded_article_still_takes_reports_and_holds_them_for_the_desk(client, published_article):
    statuses = [post(client, published_article, ip=f"192.0.2.{i}").status_code for i in range(8)]
    assert statuses == [302] * 8  # rotating addresses cannot close the channel
    held = list(CorrectionRequest.objects.order_by("pk").values_list("held_because", flat=True))
    assert held == [""] * 5 + ["flood"] * 3
    assert CorrectionRequest.objects.queue().count() == 5
    assert CorrectionRequest.objects.suspected().count() == 3
    # A new reader after the flood is heard too: stored, held with the batch.
    assert post(client, published_article, ip="198.51.100.99").status_code == 302
    assert CorrectionRequest.objects.count() == 9


def test_a_cache_restarted_empty_counts_from_the_stored_reports(client, published_article):
    assert [post(client, published_article).status_code for _ in range(3)] == [302] * 3
    cache.clear()  # Redis restarted with nothing in it
    assert post(client, published_article).status_code == 429
    assert CorrectionRequest.objects.count() == 3


def test_it_counts_the_address_behind_the_configured_proxy(client, published_article, settings):
    settings.NUM_PROXIES = 1
    for i in range(3):
        headers = {"HTTP_X_FORWARDED_FOR": f"spoofed-{i}, 203.0.113.50"}
        data = {"explanation": "x", "started": form_token(time.time() - 30)}
        client.post(f"/articles/{published_article.slug}/corrections/new/", data, **headers)
    headers = {"HTTP_X_FORWARDED_FOR": "spoofed-9, 203.0.113.50"}
    data = {"explanation": "x", "started": form_token(time.time() - 30)}
    assert (
        client.post(f"/articles/{published_article.slug}/corrections/new/", data, **headers).status_code
        == 429
    )


def test_it_still_accepts_valid_requests_when_redis_is_down(client, published_article, settings):
    # A Redis cache on a port where nothing listens: every cache call fails, as when Redis is stopped.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    statuses = [post(client, published_article).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]  # stored, and the limit still holds, counted from the rows
    assert CorrectionRequest.objects.count() == 3


def test_it_keeps_limits_apart_per_article(client, published_article, alice, bob):
    from articles import services

    other = ArticleFactory(author=alice.person, editor=bob.person)
    services.article_submit(other, by=alice)
    services.article_approve(other, by=bob)
    services.article_publish(other, by=bob)
    for _ in range(3):
        post(client, published_article)
    assert post(client, other).status_code == 429  # the per-address limit spans articles


def test_it_stores_the_request_when_the_broker_is_down(
    client, published_article, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from editorial import tasks
    from editorial.models import OutgoingEmail

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.send_email, "apply_async", broker_down)
    data = {"explanation": "Wrong date.", "email": "sam@example.org",
            "started": form_token(time.time() - 30)}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(f"/articles/{published_article.slug}/corrections/new/", data)

    assert response.status_code == 302
    assert len(callbacks) == 1
    assert CorrectionRequest.objects.get().email == "sam@example.org"
    email = OutgoingEmail.objects.get(template="correction-received")
    assert (email.status, email.ring_failed) == ("queued", True)  # the sweeper rings it at once
    assert "the sweeper will retry" in caplog.text
