"""An article with something for every kind of AI help, and a job run to the end in-process."""

from editorial import services, tasks
from editorial.models import AssistJob

BODY = (
    "The International Energy Agency said data centres used 415 terawatt-hours in 2024.\n\n"
    "Utilities in Ireland and the Netherlands are rationing new connections."
)


def finished(article, kind: str, by) -> AssistJob:
    job = services.ai_job_request(article, kind=kind, by=by)
    tasks.run_ai_assist_job(job.pk)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    return job
