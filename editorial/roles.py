"""The newsroom's roles and the publisher's policy pages, kept in step with the code.

Created by migration 0002 and synced again after every `migrate` (post_migrate, like Django's own
permissions): a permission added to a role here reaches existing installations without another data
migration, and a test database flushed by a transactional test gets its roles back.
"""

from django.contrib.auth.management import create_permissions

from articles.markdown import render_markdown
from editorial.models.people import PolicyPage

ROLES = {
    "Author": [
        "articles.add_article", "articles.change_article", "articles.view_article",
        "articles.view_topic",
        "editorial.view_person", "editorial.change_person",
        "editorial.add_disclosure", "editorial.change_disclosure", "editorial.delete_disclosure",
        "editorial.view_disclosure",
        "editorial.view_policypage",
    ],
    "Editor": [
        "articles.add_article", "articles.change_article", "articles.view_article",
        "articles.view_all_articles", "articles.review_article", "articles.publish_article",
        "articles.add_topic", "articles.change_topic", "articles.view_topic",
        "articles.add_entity", "articles.change_entity", "articles.view_entity",
        "editorial.add_person", "editorial.change_person", "editorial.view_person", "editorial.manage_people",
        "editorial.add_disclosure", "editorial.change_disclosure", "editorial.delete_disclosure",
        "editorial.view_disclosure",
        "editorial.view_policypage", "editorial.change_policypage",
        "editorial.view_outgoingemail", "editorial.view_auditevent", "editorial.view_aicall",
        "editorial.view_claim", "editorial.add_claim", "editorial.view_evidence",
        "corrections.view_correction",
        "corrections.view_correctionrequest", "corrections.change_correctionrequest",
        "corrections.decide_correctionrequest",
    ],
    "Fact-checker": [
        "articles.view_article", "articles.view_all_articles", "articles.view_topic",
        "editorial.view_person",
        "editorial.view_claim", "editorial.add_claim", "editorial.change_claim", "editorial.check_claim",
        "editorial.view_evidence", "editorial.add_evidence", "editorial.change_evidence",
    ],
    "Corrections desk": [
        "articles.view_article", "articles.view_all_articles", "articles.view_topic",
        "editorial.view_person",
        "corrections.view_correction",
        "corrections.view_correctionrequest", "corrections.change_correctionrequest",
        "corrections.decide_correctionrequest",
    ],
}  # fmt: skip

POLICIES = [
    (
        PolicyPage.Slug.CORRECTIONS,
        PolicyPage.Slug.CORRECTIONS.label,
        "We correct errors of fact promptly and in the open.\n\n"
        "## How to report an error\n\n"
        "Every article has a *Report an error* link. Tell us what is wrong and, if you can, where the right "
        "information is published. You get a reference and a page where you can follow your report.\n\n"
        "## What happens next\n\n"
        "The corrections desk reviews every report. When a report is upheld, the text is corrected, a "
        "note at the end of the article says what was wrong and what is right, and the article shows "
        "the date it was updated. Every correction is listed in our public corrections log.\n\n"
        "## What we do not do\n\n"
        "We do not silently change published facts, and we never delete a correction.",
    ),
    (
        PolicyPage.Slug.AI_USE,
        PolicyPage.Slug.AI_USE.label,
        "AI tools may help our journalists organise research, iterate on drafts, suggest metadata and run "
        "quality checks. They never publish, and they never decide.\n\n"
        "- Every AI-assisted step is recorded, and its output is a suggestion until a named person "
        "accepts it.\n"
        "- Factual claims are checked against reliable sources by people before publication.\n"
        "- Each article names the human editor who is responsible for it.\n"
        "- The *Editorial transparency* box on each article says which kinds of assistance were used.",
    ),
    (
        PolicyPage.Slug.PRINCIPLES,
        PolicyPage.Slug.PRINCIPLES.label,
        "## Accountability\n\n"
        "Every article names its author and the editor responsible for its quality, sourcing, updates and "
        "corrections. Their profiles explain their background, responsibilities and any conflicts of "
        "interest.\n\n"
        "## Accuracy\n\n"
        "Check-worthy claims are verified before publication. Readers can challenge any claim, and material "
        "corrections are reflected in the article's update date.\n\n"
        "## Independence\n\n"
        "Staff disclose financial interests, relationships and funding that could be seen to influence "
        "their work.",
    ),
]


def sync_roles(apps) -> None:
    """Create each role's group and grant it its permissions (never revokes what an admin added)."""
    # Permissions of apps migrated after this one may not exist yet: create them first. Migration-state
    # app configs have no models module, which create_permissions() would take for "no models".
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = Permission.objects.none()
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted |= Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        # A permission whose model a later migration creates is granted by the post_migrate sync.
        group.permissions.add(*wanted)


def sync_policies(apps) -> None:
    """Create the policy pages that are missing; an editor's text is never overwritten."""
    Page = apps.get_model("editorial", "PolicyPage")
    for slug, title, body in POLICIES:
        # Migration models have no custom save(): render the Markdown here.
        Page.objects.get_or_create(
            slug=slug, defaults={"title": title, "body": body, "body_html": render_markdown(body)}
        )
