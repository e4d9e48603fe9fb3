"""Every back-office URL, for every persona, GET and POST, against a table written by hand.

The URLs are enumerated from the admin site itself, so a view added without a row here fails the test.
Each request runs in a savepoint that is rolled back; every table (sessions and the audit trail aside) is
fingerprinted before and after, so a refused POST that still changed a row shows as "!".

Outcomes, per persona (anonymous, alice = the article's author, dave = another author, bob = editor,
carol = fact-checker, erin = corrections desk):
  L  sent to the login page
  -  refused: 403, 404, 405, or sent back to the admin index (an object outside the user's list)
  Y  GET answered (200, or a redirect that is not a refusal)
  0  POST accepted and answered, nothing changed (a form with errors, a refusal message from a service)
  W  POST changed rows
  !  a refusal that changed rows, or a GET that changed rows: never expected
  E  a server error: never expected
"""

from __future__ import annotations

import copy
import hashlib
from datetime import timedelta

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver
from django.utils import timezone

from articles import services as article_services
from articles.forms import WorkflowForm
from articles.models import Article, ArticleEntity, Entity
from corrections.models import CorrectionRequest
from editorial.models import (
    AICall,
    AssistJob,
    AuditEvent,
    Claim,
    Disclosure,
    Evidence,
    OutgoingEmail,
    PolicyPage,
)
from tests.factories import ArticleFactory, CorrectionFactory, TopicFactory, UserFactory

PERSONAS = ["anon", "alice", "dave", "bob", "carol", "erin"]

# Tables whose rows a request may legitimately write whatever the answer: the session, and the audit trail
# (a GET of a non-public page writes one row by design).
UNWATCHED = {"sessions.session", "editorial.auditevent"}

# fmt: off
#   URL name (variant)                              GET (anon alice dave bob carol erin)  POST
EXPECTED: dict[str, tuple[str, str]] = {
    # The site: every staff member has an index; an app's page lists what they may see in it.
    "index":                                        ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    "app_list:articles":                            ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    "app_list:editorial":                           ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    "app_list:corrections":                         ("L - - Y - Y", "L - - 0 - 0"),
    "app_list:auth":                                ("L - - - - -", "L - - - - -"),
    "app_list:axes":                                ("L - - Y - -", "L - - 0 - -"),
    "app_list:otp_static":                          ("L - - Y - -", "L - - 0 - -"),
    "app_list:otp_totp":                            ("L - - Y - -", "L - - 0 - -"),
    "login":                                        ("Y - - - - -", "W W W W W W"),
    "logout":                                       ("L - - - - -", "L 0 0 0 0 0"),
    "password_change":                              ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    "password_change_done":                         ("L Y Y Y Y Y", "L - - - - -"),
    "two_factor":                                   ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    "two_factor_setup":                             ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    "jsi18n":                                       ("L Y Y Y Y Y", "L - - - - -"),
    "autocomplete":                                 ("L - - - - -", "L - - - - -"),
    "view_on_site":                                 ("L Y - Y Y Y", "L 0 - 0 0 0"),
    # Articles: authors write their own, editors every one; checkers and the desk read them all.
    "articles_article_add":                         ("L Y Y Y - -", "L 0 0 0 - -"),
    "articles_article_change":                      ("L Y - Y Y Y", "L W - W - -"),
    "articles_article_changelist":                  ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    "articles_article_redirect":                    ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    "articles_article_delete":                      ("L - - - - -", "L - - - - -"),
    "articles_article_history":                     ("L Y - Y Y Y", "L 0 - 0 0 0"),
    "articles_article_simple_history":              ("L Y - Y Y Y", "L - - - - -"),
    "articles_article_versions":                    ("L Y - Y Y Y", "L 0 - 0 0 0"),
    "articles_article_compare":                     ("L Y - Y Y Y", "L 0 - 0 0 0"),
    "articles_article_restore":                     ("L - - - - -", "L W - W - -"),
    "articles_article_note":                        ("L - - - - -", "L W - W 0 0"),
    "articles_article_editing":                     ("L - - - - -", "L 0 - 0 - -"),
    "articles_article_workflow:submit":             ("L Y - Y - -", "L W - W - -"),
    "articles_article_workflow:request_changes":    ("L - - Y - -", "L - - 0 - -"),
    "articles_article_workflow:approve":            ("L - - Y - -", "L - - 0 - -"),
    "articles_article_workflow:publish":            ("L - - Y - -", "L - - 0 - -"),
    "articles_article_workflow:schedule":           ("L - - Y - -", "L - - 0 - -"),
    "articles_article_workflow:unschedule":         ("L - - Y - -", "L - - 0 - -"),
    "articles_article_workflow:unpublish":          ("L - - Y - -", "L - - W - -"),
    "articles_article_workflow:send_back":          ("L - - Y - -", "L - - 0 - -"),
    "articles_reviewqueue_add":                     ("L - - - - -", "L - - - - -"),
    "articles_reviewqueue_change":                  ("L - - Y - -", "L - - - - -"),
    "articles_reviewqueue_changelist":              ("L - - Y - -", "L - - 0 - -"),
    "articles_reviewqueue_redirect":                ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    "articles_reviewqueue_delete":                  ("L - - - - -", "L - - - - -"),
    "articles_reviewqueue_history":                 ("L - - Y - -", "L - - 0 - -"),
    "articles_topic_add":                           ("L - - Y - -", "L - - 0 - -"),
    "articles_topic_change":                        ("L Y Y Y Y Y", "L - - W - -"),
    "articles_topic_changelist":                    ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    "articles_topic_redirect":                      ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    "articles_topic_delete":                        ("L - - - - -", "L - - - - -"),
    "articles_topic_history":                       ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    # Entities: editors keep the newsroom's list; which articles list them is each article's (its form).
    # One a version ever listed is never deleted (its hub and old versions point at it).
    "articles_entity_add":                          ("L - - Y - -", "L - - 0 - -"),
    "articles_entity_change":                       ("L - - Y - -", "L - - W - -"),
    "articles_entity_changelist":                   ("L - - Y - -", "L - - 0 - -"),
    "articles_entity_redirect":                     ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    "articles_entity_delete":                       ("L - - - - -", "L - - - - -"),
    "articles_entity_history":                      ("L - - Y - -", "L - - 0 - -"),
    # Accounts and groups: superusers only.
    "auth_group_add":                               ("L - - - - -", "L - - - - -"),
    "auth_group_change":                            ("L - - - - -", "L - - - - -"),
    "auth_group_changelist":                        ("L - - - - -", "L - - - - -"),
    "auth_group_redirect":                          ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    "auth_group_delete":                            ("L - - - - -", "L - - - - -"),
    "auth_group_history":                           ("L - - - - -", "L - - - - -"),
    "auth_user_add":                                ("L - - - - -", "L - - - - -"),
    "auth_user_change":                             ("L - - - - -", "L - - - - -"),
    "auth_user_changelist":                         ("L - - - - -", "L - - - - -"),
    "auth_user_redirect":                           ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    "auth_user_delete":                             ("L - - - - -", "L - - - - -"),
    "auth_user_history":                            ("L - - - - -", "L - - - - -"),
    "auth_user_password_change":                    ("L - - - - -", "L - - - - -"),
    # Sign-in protection: editors lift a lockout (delete the attempt) and reset a lost device; the logs
    # of sign-ins stay as they are.
    "axes_accessattempt_add":                       ("L - - - - -", "L - - - - -"),
    "axes_accessattempt_change":                    ("L - - Y - -", "L - - - - -"),
    "axes_accessattempt_changelist":                ("L - - Y - -", "L - - W - -"),
    "axes_accessattempt_redirect":                  ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    "axes_accessattempt_delete":                    ("L - - Y - -", "L - - W - -"),
    "axes_accessattempt_history":                   ("L - - Y - -", "L - - 0 - -"),
    "axes_accesslog_add":                           ("L - - - - -", "L - - - - -"),
    "axes_accesslog_change":                        ("L - - Y - -", "L - - - - -"),
    "axes_accesslog_changelist":                    ("L - - Y - -", "L - - 0 - -"),
    "axes_accesslog_redirect":                      ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    "axes_accesslog_delete":                        ("L - - - - -", "L - - - - -"),
    "axes_accesslog_history":                       ("L - - Y - -", "L - - 0 - -"),
    "axes_accessfailurelog_add":                    ("L - - - - -", "L - - - - -"),
    "axes_accessfailurelog_change":                 ("L - - Y - -", "L - - - - -"),
    "axes_accessfailurelog_changelist":             ("L - - Y - -", "L - - 0 - -"),
    "axes_accessfailurelog_redirect":               ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    "axes_accessfailurelog_delete":                 ("L - - - - -", "L - - - - -"),
    "axes_accessfailurelog_history":                ("L - - Y - -", "L - - 0 - -"),
    "otp_totp_totpdevice_add":                      ("L - - - - -", "L - - - - -"),
    "otp_totp_totpdevice_change":                   ("L - - Y - -", "L - - - - -"),
    "otp_totp_totpdevice_changelist":               ("L - - Y - -", "L - - W - -"),
    "otp_totp_totpdevice_redirect":                 ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    "otp_totp_totpdevice_delete":                   ("L - - Y - -", "L - - W - -"),
    "otp_totp_totpdevice_history":                  ("L - - Y - -", "L - - 0 - -"),
    "otp_totp_totpdevice_config":                   ("L - - - - -", "L - - - - -"),
    "otp_totp_totpdevice_qrcode":                   ("L - - - - -", "L - - - - -"),
    "otp_static_staticdevice_add":                  ("L - - - - -", "L - - - - -"),
    "otp_static_staticdevice_change":               ("L - - Y - -", "L - - - - -"),
    "otp_static_staticdevice_changelist":           ("L - - Y - -", "L - - W - -"),
    "otp_static_staticdevice_redirect":             ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    "otp_static_staticdevice_delete":               ("L - - Y - -", "L - - W - -"),
    "otp_static_staticdevice_history":              ("L - - Y - -", "L - - 0 - -"),
    # People: each author their own profile and disclosures; editors everyone's.
    "editorial_person_add":                         ("L - - Y - -", "L - - 0 - -"),
    "editorial_person_change":                      ("L Y - Y - -", "L W - W - -"),
    "editorial_person_changelist":                  ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    "editorial_person_redirect":                    ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    "editorial_person_delete":                      ("L - - - - -", "L - - - - -"),
    "editorial_person_history":                     ("L Y - Y - -", "L 0 - 0 - -"),
    "editorial_person_simple_history":              ("L Y - Y - -", "L - - - - -"),
    "editorial_disclosure_add":                     ("L Y Y Y - -", "L 0 0 0 - -"),
    "editorial_disclosure_change":                  ("L Y - Y - -", "L W - W - -"),
    "editorial_disclosure_changelist":              ("L Y Y Y - -", "L W 0 W - -"),
    "editorial_disclosure_redirect":                ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    "editorial_disclosure_delete":                  ("L Y - Y - -", "L W - W - -"),
    "editorial_disclosure_history":                 ("L Y - Y - -", "L 0 - 0 - -"),
    "editorial_disclosure_simple_history":          ("L Y - Y - -", "L - - - - -"),
    "editorial_policypage_add":                     ("L - - - - -", "L - - - - -"),
    "editorial_policypage_change":                  ("L Y Y Y - -", "L - - W - -"),
    "editorial_policypage_changelist":              ("L Y Y Y - -", "L 0 0 0 - -"),
    "editorial_policypage_redirect":                ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    "editorial_policypage_delete":                  ("L - - - - -", "L - - - - -"),
    "editorial_policypage_history":                 ("L Y Y Y - -", "L 0 0 0 - -"),
    "editorial_policypage_simple_history":          ("L Y Y Y - -", "L - - - - -"),
    # Records nobody edits: the outbox, the audit trail, the outbound AI calls (editors read them).
    "editorial_outgoingemail_add":                  ("L - - - - -", "L - - - - -"),
    "editorial_outgoingemail_change":               ("L - - Y - -", "L - - - - -"),
    "editorial_outgoingemail_changelist":           ("L - - Y - -", "L - - 0 - -"),
    "editorial_outgoingemail_redirect":             ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    "editorial_outgoingemail_delete":               ("L - - - - -", "L - - - - -"),
    "editorial_outgoingemail_history":              ("L - - Y - -", "L - - 0 - -"),
    "editorial_auditevent_add":                     ("L - - - - -", "L - - - - -"),
    "editorial_auditevent_change":                  ("L - - Y - -", "L - - - - -"),
    "editorial_auditevent_changelist":              ("L - - Y - -", "L - - 0 - -"),
    "editorial_auditevent_redirect":                ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    "editorial_auditevent_delete":                  ("L - - - - -", "L - - - - -"),
    "editorial_auditevent_history":                 ("L - - Y - -", "L - - 0 - -"),
    "editorial_aicall_add":                         ("L - - - - -", "L - - - - -"),
    "editorial_aicall_change":                      ("L - - Y - -", "L - - - - -"),
    "editorial_aicall_changelist":                  ("L - - Y - -", "L - - 0 - -"),
    "editorial_aicall_redirect":                    ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    "editorial_aicall_delete":                      ("L - - - - -", "L - - - - -"),
    "editorial_aicall_history":                     ("L - - Y - -", "L - - 0 - -"),
    # AI assist: whoever may see the article sees its jobs; its author or an editor asks; an editor
    # accepts entities (the others are refused by the service, with a message).
    "editorial_assistjob_add":                      ("L - - - - -", "L - - - - -"),
    "editorial_assistjob_change":                   ("L Y - Y Y Y", "L - - - - -"),
    "editorial_assistjob_changelist":               ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    "editorial_assistjob_redirect":                 ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    "editorial_assistjob_delete":                   ("L - - - - -", "L - - - - -"),
    "editorial_assistjob_history":                  ("L Y - Y Y Y", "L 0 - 0 0 0"),
    "editorial_assistjob_request":                  ("L Y Y Y Y Y", "L W 0 W 0 0"),
    "editorial_assistjob_status":                   ("L Y - Y Y Y", "L 0 - 0 0 0"),
    "editorial_assistjob_accept":                   ("L Y - Y Y Y", "L 0 - W 0 0"),
    # The fact-check queue: checkers record verdicts; taking a claim out of the gate is an editor's call.
    "editorial_claim_add":                          ("L - - Y Y -", "L - - 0 0 -"),
    "editorial_claim_change":                       ("L - - Y Y -", "L - - - W -"),
    "editorial_claim_changelist":                   ("L - - Y Y -", "L - - 0 0 -"),
    "editorial_claim_redirect":                     ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    "editorial_claim_delete":                       ("L - - - - -", "L - - - - -"),
    "editorial_claim_history":                      ("L - - Y Y -", "L - - 0 0 -"),
    "editorial_claim_simple_history":               ("L - - Y Y -", "L - - - - -"),
    "editorial_claim_dashboard":                    ("L - - Y Y -", "L - - 0 0 -"),
    "editorial_claim_verdict":                      ("L - - - Y -", "L - - - W -"),
    "editorial_claim_checkworthiness":              ("L - - Y Y -", "L - - W 0 -"),
    # Corrections: the desk and editors triage and decide; the public record is never edited here.
    "corrections_correctionrequest_add":            ("L - - - - -", "L - - - - -"),
    "corrections_correctionrequest_change":         ("L - - Y - Y", "L - - W - W"),
    "corrections_correctionrequest_changelist":     ("L - - Y - Y", "L - - 0 - 0"),
    "corrections_correctionrequest_redirect":       ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    "corrections_correctionrequest_delete":         ("L - - - - -", "L - - - - -"),
    "corrections_correctionrequest_history":        ("L - - Y - Y", "L - - 0 - 0"),
    "corrections_correctionrequest_simple_history": ("L - - Y - Y", "L - - - - -"),
    "corrections_correctionrequest_accept":         ("L - - Y - Y", "L - - W - W"),
    "corrections_correctionrequest_decline":        ("L - - Y - Y", "L - - W - W"),
    "corrections_correction_add":                   ("L - - - - -", "L - - - - -"),
    "corrections_correction_change":                ("L - - Y - Y", "L - - - - -"),
    "corrections_correction_changelist":            ("L - - Y - Y", "L - - 0 - 0"),
    "corrections_correction_redirect":              ("L Y Y Y Y Y", "L 0 0 0 0 0"),
    "corrections_correction_delete":                ("L - - - - -", "L - - - - -"),
    "corrections_correction_history":               ("L - - Y - Y", "L - - 0 - 0"),
}
# fmt: on


# Building the world


def _live_article_with_draft(alice, bob, topic):
    """A published article with a later, unpublished version."""
    article = ArticleFactory(author=alice.person, editor=bob.person, title="Council approves homes")
    article.topics.add(topic)
    article_services.article_submit(article, by=alice)
    article_services.article_approve(article, by=bob)
    article_services.article_publish(article, by=bob)
    article.body += "\n\nA later paragraph, not yet published."
    article_services.article_save(article, by=alice, reason="Second paragraph")
    return article


def _checked_claim(article, carol):
    claim = Claim.objects.create(
        article=article,
        version=article.history.latest(),
        text="The council approved 12 new homes",
        anchor_start=15,
        anchor_end=48,
        created_by=carol,
    )
    Evidence.objects.create(claim=claim, url="https://example.org/minutes", added_by=carol)
    return claim


def _ai_job_and_call(article, alice):
    job = AssistJob.objects.create(
        article=article,
        version=article.history.latest(),
        kind=AssistJob.Kind.ENTITIES,
        status=AssistJob.Status.SUCCEEDED,
        provider="local",
        model="rules",
        prompt_version="1",
        input_sha256="0" * 64,
        requested_by=alice,
        output={"entities": [{"name": "Council", "type": "organisation", "cluster": "Government",
                              "description": "The city council.", "aliases": [], "mentions": 1}]},
    )  # fmt: skip
    call = AICall.objects.create(
        job=job, provider="openai", model="m", bytes_sent=10, input_sha256="0" * 64, requested_by=alice
    )
    return job, call


@pytest.fixture
def world(alice, dave, bob, carol, erin):
    topic = TopicFactory(name="Housing")
    article = _live_article_with_draft(alice, bob, topic)
    waiting = ArticleFactory(author=alice.person, editor=bob.person, title="Bus lanes plan")
    article_services.article_submit(waiting, by=alice)
    disclosure = Disclosure.objects.create(person=alice.person, kind="financial", statement="Owns a flat.")
    claim = _checked_claim(article, carol)
    job, call = _ai_job_and_call(article, alice)
    entity = Entity.objects.create(name="Council", slug="council")
    ArticleEntity.objects.create(article=article, entity=entity, accepted_by=bob)
    report = CorrectionRequest.objects.create(
        article=article, quoted_text="12 new homes", explanation="It was 21.", ip_hash="x" * 64
    )
    correction = CorrectionFactory(article=article, accepted_by=erin)
    email = OutgoingEmail.objects.create(template="t", to="a@example.com", subject="s", body_text="b")
    event = AuditEvent.objects.create(kind=AuditEvent.Kind.SIGNED_IN, user=bob)
    policy = PolicyPage.objects.get(slug=PolicyPage.Slug.CORRECTIONS)
    policy.save()  # the data migration's rows have no version yet
    return {
        "extra": _security_rows(UserFactory(username="enrolled")),
        "users": {"alice": alice, "dave": dave, "bob": bob, "carol": carol, "erin": erin},
        "objects": {
            "auth.user": alice,
            "auth.group": Group.objects.get(name="Author"),
            "articles.topic": topic,
            "articles.entity": entity,
            "articles.article": article,
            "articles.reviewqueue": waiting,
            "editorial.person": alice.person,
            "editorial.disclosure": disclosure,
            "editorial.policypage": policy,
            "editorial.outgoingemail": email,
            "editorial.claim": claim,
            "editorial.assistjob": job,
            "editorial.aicall": call,
            "editorial.auditevent": event,
            "corrections.correctionrequest": report,
            "corrections.correction": correction,
        },
    }


def _security_rows(user) -> dict:
    """One row of each sign-in protection model the admin lists: lockouts and two-factor devices."""
    rows = {}
    if apps.is_installed("axes"):
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        seen = {"username": user.username, "ip_address": "127.0.0.1", "user_agent": "pytest"}
        rows["axes.accessattempt"] = AccessAttempt.objects.create(**seen, failures_since_start=1)
        rows["axes.accesslog"] = AccessLog.objects.create(**seen)
        rows["axes.accessfailurelog"] = AccessFailureLog.objects.create(**seen)
    if apps.is_installed("django_otp.plugins.otp_totp"):
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        rows["otp_totp.totpdevice"] = TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
        rows["otp_static.staticdevice"] = StaticDevice.objects.create(user=user, name="Recovery codes")
    return rows


# Enumerating the admin's URLs


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _model_key(route: str) -> str | None:
    parts = route.split("/")
    key = f"{parts[0]}.{parts[1]}" if len(parts) > 2 else None
    return key if key and apps.is_installed(parts[0]) or key in _known_models() else None


def _known_models() -> set[str]:
    return {model._meta.label_lower for model in admin.site._registry}


def cases(world) -> dict[str, str]:
    """Every admin URL as {case name: path}."""
    found: dict[str, str] = {}
    for route, pattern in _walk(admin.site.get_urls()):
        name = pattern.name
        if route == "(?P<url>.*)$":
            continue  # the catch-all that turns unknown addresses into 404s
        key = next((k for k in _known_models() if route.startswith(k.replace(".", "/") + "/")), None)
        obj = {**world["objects"], **world["extra"]}.get(key) if key else None
        if name is None:  # Django's old-style "<id>/" address, redirected to the change page
            name = f"{key.replace('.', '_')}_redirect"
        if route.startswith("^(?P<app_label>"):
            for label in sorted(route.split("(?P<app_label>")[1].split(")")[0].split("|")):
                found[f"app_list:{label}"] = f"/admin/{label}/"
            continue
        path = "/admin/" + route
        if "^(" in route:  # simple-history's version page: a regular expression with two groups
            record = obj.history.order_by("history_id").first()
            path = "/admin/" + route.split("^")[0] + f"{obj.pk}/history/{record.history_id}/"
        path = path.replace("<path:object_id>", str(obj.pk) if obj else "")
        path = path.replace("<id>", str(obj.pk) if obj else "").replace(
            "<int:pk>", str(obj.pk) if obj else ""
        )
        if "<int:history_id>" in path:
            path = path.replace(
                "<int:history_id>", str(obj.history.order_by("history_id").first().history_id)
            )
        if "<int:content_type_id>" in path:
            article = world["objects"]["articles.article"]
            ct = ContentType.objects.get_for_model(Article)
            path = f"/admin/r/{ct.pk}/{article.pk}/"
        if "<str:action>" in path:
            for action in WorkflowForm.FIELDS:
                found[f"{name}:{action}"] = path.replace("<str:action>", action)
            continue
        assert "<" not in path and "(" not in path, f"no value for a parameter of {route}"
        found[name] = path
    return found


# What a POST sends


def _superuser_request():
    request = RequestFactory().get("/")
    request.user = UserFactory(username="matrix-root", is_superuser=True)
    return request


def form_payload(model_admin, obj, request) -> dict:
    """A valid submission of the model's admin form for `obj` (or a new one), with one text changed."""
    form_class = model_admin.get_form(request, obj, change=obj is not None)
    form = form_class(instance=obj)
    data: dict = {}
    changed = False
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        else:
            data[name] = str(value)
            text = isinstance(form.fields[name], forms.CharField) and not isinstance(
                form.fields[name], forms.SlugField
            )
            if not changed and text and value:
                data[name] = value + " [changed]"
                changed = True
    for formset, _inline in model_admin.get_formsets_with_inlines(request, obj):
        prefix = formset.get_default_prefix()
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0",
                 f"{prefix}-MAX_NUM_FORMS": "1000"}  # fmt: skip
    return data


def payload(case: str, world, request) -> dict:
    objects = {**world["objects"], **world["extra"]}
    name = case.split(":")[0]
    key = next((k for k in _known_models() if name.startswith(k.replace(".", "_") + "_")), None)
    model_admin = admin.site._registry.get(apps.get_model(key)) if key else None
    obj = objects.get(key)
    article = objects["articles.article"]
    tomorrow = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    match name.removeprefix(key.replace(".", "_") + "_") if key else name:
        case "change" | "simple_history":
            return form_payload(model_admin, obj, request)
        case "add":
            return form_payload(model_admin, None, request)
        case "delete":
            return {"post": "yes"}
        case "changelist":
            return {
                "action": "delete_selected",
                "_selected_action": [str(obj.pk)],
                "post": "yes",
                "index": "0",
            }
        case "workflow":
            reason = "The council confirmed the figures by telephone this morning."
            return {
                "note": "Figures checked against the minutes.",
                "override_reason": reason,
                "when": tomorrow,
            }
        case "note":
            return {"note-body": "Please check the second paragraph."}
        case "verdict":
            return {"status": Claim.Status.VERIFIED, "note": "Matches the council minutes of 3 May."}
        case "checkworthiness":
            value, reason = "0.2", "Background, not a figure readers rely on for the story."
            return {"checkworthiness": value, "value": value, "reason": reason}
        case "request":
            return {"article": str(article.pk), "kind": AssistJob.Kind.QUALITY}
        case "accept" if key == "editorial.assistjob":
            return {"items": "0"}
        case "accept":
            body = article.live_version.body.replace("12 new homes", "21 new homes")
            return {
                "body": body,
                "kind": "correction",
                "note": "The figure was 21, not 12.",
                "reply": "Thank you.",
            }
        case "decline":
            return {"reply": "We checked the minutes: the figure is right."}
        case "login":
            return {"username": "alice", "password": "password"}
    return {}


# Running it


def _watched_models():
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.label_lower not in UNWATCHED and not model._meta.proxy
    ]


def fingerprint() -> dict[str, str]:
    """Something per table that changes whenever a row is written. On PostgreSQL, the current transaction's
    own write counters (one query); elsewhere, a digest of every row."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables")
            writes = dict(cursor.fetchall())
        return {
            model._meta.label_lower: str(writes.get(model._meta.db_table, 0)) for model in _watched_models()
        }
    tables = {}
    for model in _watched_models():
        rows = list(model._base_manager.order_by("pk").values_list())
        tables[model._meta.label_lower] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return tables


def outcome(method: str, response, changed: list[str]) -> str:
    status = response.status_code
    location = response.headers.get("Location", "")
    if status >= 500:
        return "E"
    if status in (301, 302) and "/admin/login/" in location:
        return "L"
    if changed and (status in (403, 404, 405) or method == "GET"):
        return "!"
    # The admin sends a user back to its index for an object outside their list, and after a delete.
    refused = status in (403, 404, 405) or (
        status == 302 and location.rstrip("/") == "/admin" and not changed
    )
    if refused:
        return "-"
    if method == "GET":
        return "Y"
    return "W" if changed else "0"


def observe(client: Client, method: str, path: str, data: dict) -> tuple[str, str]:
    # Signing in or out through a case must not change who asks the next one.
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        before = fingerprint()
        response = client.get(path) if method == "GET" else client.post(path, data)
        changed = [label for label, digest in fingerprint().items() if before.get(label) != digest]
        transaction.set_rollback(True)
    client.cookies = cookies
    detail = f"{response.status_code} {response.headers.get('Location', '')} {','.join(changed)}".strip()
    return outcome(method, response, changed), detail


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_admin_url_answers_each_persona_as_the_table_says(world, persona):
    client = Client(raise_request_exception=False)
    if persona != "anon":
        client.force_login(world["users"][persona])
    request = _superuser_request()
    index = PERSONAS.index(persona)
    found = cases(world)
    missing_rows = sorted(set(found) - set(EXPECTED))
    mismatches = []
    for case, path in sorted(found.items()):
        for method, column in (("GET", 0), ("POST", 1)):
            got, detail = observe(client, method, path, payload(case, world, request))
            expected = EXPECTED.get(case, ("??????", "??????"))[column].replace(" ", "")[index]
            if got != expected:
                mismatches.append(f"{case:48} {method:4} expected {expected} got {got}  ({path} -> {detail})")
    assert not missing_rows, "admin URLs with no row in EXPECTED: " + ", ".join(missing_rows)
    assert not mismatches, f"{persona}:\n" + "\n".join(mismatches)


def test_the_table_has_no_row_for_an_address_that_is_gone(world):
    assert set(EXPECTED) <= set(cases(world))
