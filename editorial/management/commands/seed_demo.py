import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from articles import services as article_services
from articles.models import Article, Topic
from corrections import services as correction_services
from corrections.models import Correction, CorrectionRequest
from editorial import demo_content as demo
from editorial import services as editorial_services
from editorial.models import AssistJob, Claim, Disclosure, Person

DEFAULT_PASSWORD = "newsroom-demo"  # noqa: S105 - a documented demo login, overridable by DEMO_PASSWORD


class Command(BaseCommand):
    help = (
        "Create the demo newsroom: one user per role, profiles, topics, a published article with an accepted "
        "correction, one published over the publish gate with a claim still pending, and a draft."
    )

    def handle(self, *args, **options) -> None:
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        with transaction.atomic():
            self._build(password)
        # After the commit, and after the e-mails it sent: the logins are the last thing printed.
        self.stdout.write(self.style.SUCCESS("Demo newsroom ready. Log in at /admin/ as:"))
        for username, spec in demo.PEOPLE.items():
            self.stdout.write(f"  {username:8} / {password}   ({spec['group']})")
        self.stdout.write(
            "Two-factor sign-in: set it up at /admin/2fa/setup/ (required before anything else when "
            "STAFF_REQUIRE_2FA=true)."
        )

    def _build(self, password: str) -> None:
        users = {username: self._person(username, spec, password) for username, spec in demo.PEOPLE.items()}
        topics = [
            Topic.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})[0]
            for slug, name, description in [
                ("ai-infrastructure", "AI infrastructure", "Compute, power and the networks behind AI."),
                ("energy", "Energy", "Electricity, grids and the transition."),
                ("media", "Media", "How news is made, checked and corrected."),
            ]
        ]
        author, editor = users["author"], users["editor"]
        if not Article.objects.filter(slug=demo.PUBLISHED_SLUG).exists():
            article = self._article(
                demo.PUBLISHED_SLUG,
                demo.PUBLISHED_TITLE,
                demo.PUBLISHED_DEK,
                demo.PUBLISHED_BODY,
                author,
                editor,
                topics[:2],
            )
            self._claims(article, users["checker"])
            self._ai_assist(article, editor)
            article_services.article_submit(article, by=author)
            article_services.article_approve(article, by=editor, note="Sourcing checked.")
            article_services.article_publish(article, by=editor)
            self._correction(article, users["desk"])
        if not Article.objects.filter(slug=demo.OVERRIDDEN_SLUG).exists():
            self._overridden_article(users, topics[2:])
        if not Article.objects.filter(slug=demo.DRAFT_SLUG).exists():
            self._article(
                demo.DRAFT_SLUG, demo.DRAFT_TITLE, demo.DRAFT_DEK, demo.DRAFT_BODY, author, editor, topics[2:]
            )

    def _person(self, username: str, spec: dict, password: str):
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"is_staff": True, "email": f"{username}@newsroom.example"}
        )
        if created or not user.check_password(password):
            user.set_password(password)
            user.save()
        user.groups.add(Group.objects.get(name=spec["group"]))
        person, created = Person.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "user": user,
                "name": spec["name"],
                "title": spec["title"],
                "background": spec["background"],
                "responsibilities": spec["responsibilities"],
            },
        )
        if created:
            kind, statement = spec["disclosure"]
            Disclosure.objects.create(person=person, kind=kind, statement=statement)
        return user

    def _claims(self, article: Article, checker) -> None:
        for text, worthiness, note, evidence in demo.CLAIMS:
            claim = editorial_services.claim_add(article, by=checker, text=text, checkworthiness=worthiness)
            if evidence:
                self._evidence(claim, checker, *evidence)
            status = Claim.Status.VERIFIED if evidence or worthiness > 0.7 else Claim.Status.UNVERIFIABLE
            editorial_services.claim_record_verdict(claim, by=checker, status=status, note=note)

    def _evidence(self, claim: Claim, checker, url: str, title: str, public: bool) -> None:
        # The demo runs offline, where the automatic link check cannot reach the source: the demo's
        # fact-checker vouches for it by hand, which is what lists it under the article.
        editorial_services.evidence_add(
            claim, by=checker, url=url, title=title, public=public, checked_by_hand=True
        )

    def _overridden_article(self, users: dict, topics: list[Topic]) -> None:
        """Published by the editor over the publish gate, one check-worthy claim still pending."""
        author, editor, checker = users["author"], users["editor"], users["checker"]
        article = self._article(
            demo.OVERRIDDEN_SLUG,
            demo.OVERRIDDEN_TITLE,
            demo.OVERRIDDEN_DEK,
            demo.OVERRIDDEN_BODY,
            author,
            editor,
            topics,
        )
        for text, worthiness, verdict, note, evidence in demo.OVERRIDDEN_CLAIMS:
            claim = editorial_services.claim_add(article, by=checker, text=text, checkworthiness=worthiness)
            if evidence:
                self._evidence(claim, checker, *evidence)
            if verdict:
                editorial_services.claim_record_verdict(claim, by=checker, status=verdict, note=note)
        article_services.article_submit(article, by=author)
        article_services.article_approve(article, by=editor, note="Publish for election week.")
        article_services.article_publish(article, by=editor, override_reason=demo.OVERRIDDEN_REASON)

    def _ai_assist(self, article: Article, editor) -> None:
        """Entities and quality checks from the AI provider, run here rather than on a worker, and the
        entities an editor would keep accepted: what the entities and transparency boxes show."""
        for kind in ("entities", "quality"):
            job = editorial_services.ai_job_request(article, kind=kind, by=editor)
            editorial_services.ai_job_run(job.pk)
        job = AssistJob.objects.get(article=article, kind="entities")
        wanted = {
            "International Energy Agency",
            "United States",
            "Ireland",
            "Netherlands",
            "artificial intelligence",
        }
        chosen = [i for i, entity in enumerate(job.output["entities"]) if entity["name"] in wanted]
        if chosen:
            editorial_services.ai_job_accept_entities(job, by=editor, indexes=chosen)

    def _correction(self, article: Article, desk) -> None:
        request = CorrectionRequest.objects.create(
            article=article,
            quoted_text=demo.CORRECTION_QUOTE,
            quote_found=correction_services.quote_found_in(demo.CORRECTION_QUOTE, article.live_version),
            explanation=demo.CORRECTION_EXPLANATION,
            name="A reader",
            ip_hash=correction_services.ip_hash("demo"),
        )
        body = article.live_version.body.replace(demo.CORRECTION_OLD, demo.CORRECTION_NEW)
        correction_services.correction_accept(
            request, by=desk, body=body, kind=Correction.Kind.CLARIFICATION, note=demo.CORRECTION_NOTE
        )

    def _article(self, slug, title, dek, body, author, editor, topics) -> Article:
        article = Article(
            slug=slug,
            title=title,
            dek=dek,
            body=body,
            author=author.person,
            editor=editor.person,
            seo_description=dek,
        )
        return article_services.article_save(article, by=author, reason="Created", topics=topics)
