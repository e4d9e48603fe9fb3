from celery import shared_task

from editorial import services


@shared_task(bind=True, max_retries=4, acks_late=True)
def send_email(self, email_id: int) -> None:
    try:
        services.email_send(email_id)
    except Exception as exc:
        # 1, 2, 4, 8 minutes; the outbox row keeps the error and the attempt count.
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc


@shared_task
def resend_unsent_email() -> int:
    return services.email_resend_unsent()
