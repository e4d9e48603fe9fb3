from django.core.management.base import BaseCommand

from editorial import services


class Command(BaseCommand):
    help = (
        "Queue again the AI jobs and e-mails whose task message was lost or whose worker died; fail the AI "
        "jobs whose worker died on their last attempt, and mark the AI calls their workers left unfinished "
        "as cut short."
    )

    def handle(self, *args, **options) -> None:
        jobs = services.ai_jobs_sweep()
        emails = services.email_resend_unsent()
        self.stdout.write(f"Queued again: {jobs} AI job(s), {emails} e-mail(s).")
