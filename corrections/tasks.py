from celery import shared_task

from corrections import services


@shared_task
def send_corrections_digest() -> int:
    """Beat runs this every few minutes; a digest goes out once CORRECTIONS_DIGEST_MINUTES have passed
    since the last one. Returns how many requests it listed."""
    if not services.correction_digest_due():
        return 0
    digest = services.correction_digest_send()
    return digest.entries.count() if digest else 0
