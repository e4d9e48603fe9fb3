import pytest

from corrections.models import CorrectionRequest

URL = "/admin/corrections/correctionrequest/"


@pytest.fixture
def request_(published_article):
    return CorrectionRequest.objects.create(
        article=published_article, quoted_text="approved 12 new homes", quote_found=True, ip_hash="x" * 64,
        explanation='It was 14 <script>alert("x")</script>', email="sam@example.org",
    )  # fmt: skip


def test_it_lists_open_requests_oldest_first_for_the_desk(client, erin, request_, published_article):
    newer = CorrectionRequest.objects.create(
        article=published_article, explanation="Another", ip_hash="y" * 64
    )
    closed = CorrectionRequest.objects.create(
        article=published_article, explanation="Old", ip_hash="z" * 64, status="declined"
    )
    client.force_login(erin)
    html = client.get(URL).content.decode()
    assert html.index(request_.reference) < html.index(newer.reference)
    assert closed.reference not in html
    assert closed.reference in client.get(URL + "?state=all").content.decode()


def test_it_shows_reader_text_escaped_and_read_only(client, erin, request_):
    client.force_login(erin)
    html = client.get(f"{URL}{request_.pk}/change/").content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    client.post(f"{URL}{request_.pk}/change/", {"explanation": "Rewritten by staff", "assigned_to": erin.pk})
    request_.refresh_from_db()
    assert request_.explanation.startswith("It was 14") and request_.assigned_to == erin


def test_it_marks_the_quote_in_the_live_text(client, erin, request_):
    client.force_login(erin)
    html = client.get(f"{URL}{request_.pk}/accept/").content.decode()
    assert "<mark>approved 12 new homes</mark>" in html


def test_it_accepts_from_the_admin(client, erin, request_, published_article):
    client.force_login(erin)
    body = published_article.live_version.body.replace("12 new homes", "14 new homes")
    response = client.post(
        f"{URL}{request_.pk}/accept/",
        {"body": body, "kind": "correction", "note": "It is 14 homes.", "reply": ""},
    )
    assert response.status_code == 302
    request_.refresh_from_db()
    assert request_.status == "accepted"
    published_article.refresh_from_db()
    assert "14 new homes" in published_article.live_version.body


def test_it_shows_why_an_acceptance_failed(client, erin, request_, published_article):
    client.force_login(erin)
    response = client.post(
        f"{URL}{request_.pk}/accept/",
        {"body": published_article.live_version.body, "kind": "correction", "note": "x"},
    )
    assert response.status_code == 200
    assert "same as the live text" in response.content.decode()


def test_it_declines_from_the_admin(client, erin, request_):
    client.force_login(erin)
    assert (
        "This field is required."
        in client.post(f"{URL}{request_.pk}/decline/", {"reply": ""}).content.decode()
    )
    client.post(f"{URL}{request_.pk}/decline/", {"reply": "Our source says 12."})
    request_.refresh_from_db()
    assert (request_.status, request_.reply) == ("declined", "Our source says 12.")


def test_it_assigns_merges_and_files_spam_with_actions(client, erin, request_, published_article):
    twin = CorrectionRequest.objects.create(article=published_article, explanation="Same", ip_hash="y" * 64)
    spam = CorrectionRequest.objects.create(article=published_article, explanation="Buy", ip_hash="s" * 64)
    client.force_login(erin)
    client.post(URL, {"action": "assign_to_me", "_selected_action": [request_.pk]})
    client.post(URL, {"action": "merge_duplicates", "_selected_action": [request_.pk, twin.pk]})
    client.post(URL, {"action": "mark_spam", "_selected_action": [spam.pk]})
    request_.refresh_from_db()
    twin.refresh_from_db()
    spam.refresh_from_db()
    assert request_.assigned_to == erin
    assert (twin.status, twin.duplicate_of) == ("duplicate", request_)
    assert spam.status == "spam"


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_it_keeps_the_requests_from_people_outside_the_desk(client, request, request_, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{request_.pk}/accept/").status_code in (302, 403)
    assert client.post(f"{URL}{request_.pk}/decline/", {"reply": "no"}).status_code in (302, 403)
    assert CorrectionRequest.objects.get().status == "received"


def test_it_marks_a_quote_that_crosses_a_line_break(request_):
    from corrections.admin import highlight

    text = "A cluster draws as much as a city of 80,000\nhomes, “officials” said. <b>"
    assert str(highlight(text, 'a city of 80,000 homes, "officials"')) == (
        "A cluster draws as much as <mark>a city of 80,000\nhomes, “officials”</mark> said. &lt;b&gt;"
    )
    assert (
        str(highlight(text, "not in the text"))
        == "A cluster draws as much as a city of 80,000\nhomes, “officials” said. &lt;b&gt;"
    )
