from celery import shared_task

from articles import services


@shared_task
def publish_due_articles() -> int:
    """Beat runs this every minute; running it twice, or on two workers at once, publishes once."""
    return services.publish_due_articles()
