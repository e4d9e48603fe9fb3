from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from articles.models import Article, HistoricalArticle
from editorial import demo_content as demo
from editorial.models import Disclosure, Person


def counts() -> tuple[int, ...]:
    return (
        get_user_model().objects.count(),
        Person.objects.count(),
        Disclosure.objects.count(),
        Article.objects.count(),
        HistoricalArticle.objects.count(),
    )


def test_it_builds_the_demo_newsroom_once(db, client, capsys):
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")

    assert counts() == first == (4, 4, 4, 3, 5)  # versions: 3, 1 and 1; workflow moves are none
    out = capsys.readouterr().out
    assert "editor   / newsroom-demo" in out
    assert Article.objects.live().count() == 2
    article = Article.objects.live().get(slug=demo.PUBLISHED_SLUG)
    assert "<table>" in article.live_version.body_html
    assert "<blockquote>" in article.live_version.body_html
    assert article.live_version.body_html.count("<h2") >= 3
    assert article.editor.user.username == "editor"
    assert client.get(article.get_absolute_url()).status_code == 200
    assert Article.objects.get(status=Article.Status.DRAFT).live_version is None
    correction = article.corrections.get()
    assert correction.kind == "clarification" and correction.requests.get().status == "accepted"
    assert "several US states" in article.live_version.body
    assert article.updated_at == correction.published_at
    claims = article.claims.all()
    assert len(claims) == 3 and all(claim.status != "pending" and claim.checked_by for claim in claims)
    assert "IEA, Energy and AI (2025)" in client.get(article.get_absolute_url()).content.decode()


def test_it_uses_the_password_from_the_environment(db, client, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "a-better-secret-42")
    call_command("seed_demo")
    # Through the sign-in form: the lockout check needs a request, which client.login() does not give.
    response = client.post(reverse("admin:login"), {"username": "desk", "password": "a-better-secret-42"})
    assert response.status_code == 302 and client.get(reverse("admin:index")).status_code == 200
