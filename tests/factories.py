import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from articles.models import Article, Topic
from corrections.models import Correction
from editorial.models import Disclosure, Person


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    is_staff = True
    password = factory.django.Password("password")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person {n}")
    slug = factory.Sequence(lambda n: f"person-{n}")
    title = "Reporter"


class DisclosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Disclosure

    person = factory.SubFactory(PersonFactory)
    kind = Disclosure.Kind.FINANCIAL
    statement = "Owns shares in a company this person covers."


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Article {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    dek = "A short standfirst."
    body = "## A section\n\nThe council approved 12 new homes, the mayor said."
    author = factory.SubFactory(PersonFactory)


class CorrectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Correction

    article = factory.SubFactory(ArticleFactory)
    note = "An earlier version gave the wrong figure. It is 12, not 21."
    published_at = factory.LazyFunction(timezone.now)
    accepted_by = factory.SubFactory(UserFactory)
