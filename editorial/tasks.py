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


@shared_task(bind=True, max_retries=2, acks_late=True)
def check_evidence_link(self, evidence_id: int) -> None:
    services.evidence_check_link(evidence_id)


@shared_task
def recheck_evidence_links() -> int:
    return services.evidence_recheck_stale()
