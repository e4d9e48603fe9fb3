from django.core.management.base import BaseCommand

from corrections import services


class Command(BaseCommand):
    help = (
        "E-mail the corrections desk a digest of the requests no digest has listed yet (now, or with "
        "--if-due only once CORRECTIONS_DIGEST_MINUTES have passed since the last digest)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--if-due", action="store_true", help="Skip if the last digest is recent.")

    def handle(self, *args, **options) -> None:
        if options["if_due"] and not services.correction_digest_due():
            self.stdout.write("Not due: the last digest is recent.")
            return
        digest = services.correction_digest_send()
        if digest is None:
            self.stdout.write("No digest sent: no new requests, or nobody on the desk to send it to.")
            return
        self.stdout.write(
            f"Digest sent to {len(digest.recipients.splitlines())} address(es), "
            f"listing {digest.entries.count()} request(s)."
        )
