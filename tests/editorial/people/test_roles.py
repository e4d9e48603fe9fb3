import pytest
from django.contrib.auth.models import Group


@pytest.mark.parametrize(
    ("role", "granted", "withheld"),
    [
        ("Author", {"articles.change_article"}, {"articles.publish_article", "articles.view_all_articles"}),
        ("Editor", {"articles.publish_article", "articles.review_article", "editorial.manage_people"}, set()),
        ("Fact-checker", {"articles.view_all_articles"}, {"articles.change_article"}),
        ("Corrections desk", {"corrections.view_correction"}, {"articles.change_article"}),
    ],
)
def test_it_creates_each_role_with_its_permissions(db, role, granted, withheld):
    perms = {
        f"{app}.{code}"
        for app, code in Group.objects.get(name=role).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }
    assert granted <= perms
    assert not withheld & perms
