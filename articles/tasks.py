from celery import shared_task

from articles import pages, services


@shared_task
def publish_due_articles() -> int:
    """Beat runs this every minute; running it twice, or on two workers at once, publishes once."""
    return services.publish_due_articles()


@shared_task
def bake_pages(paths: list[str]) -> int:
    """Bake the pages of a large change (a person renamed on a thousand articles) after the action
    returned; they were removed from the store then, so readers got them rendered per request meanwhile."""
    return len(pages.bake(paths))
