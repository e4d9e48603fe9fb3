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


@shared_task(acks_late=True)
def run_ai_assist_job(job_id: int) -> None:
    """The job row is the record; this only runs it. Failures are written on the row and retried by
    the service (retryable provider errors) or the sweeper (lost messages, dead workers), within
    AI_JOB_MAX_ATTEMPTS attempts in all."""
    services.ai_job_run(job_id)


@shared_task
def sweep_ai_jobs() -> int:
    return services.ai_jobs_sweep()
