"""An admin bulk action built by `bulk_action` calls its service on each row and reports each refusal."""

from types import SimpleNamespace

from django.contrib import messages

from articles.admin_base import bulk_action


class Refused(Exception):
    pass


def test_it_does_what_it_can_and_says_why_it_could_not_do_the_rest():
    said: list[tuple[str, int]] = []
    admin = SimpleNamespace(message_user=lambda request, text, level: said.append((text, level)))

    def file(row, *, by):
        if row == "late":
            raise Refused("too late")

    action = bulk_action("file", "File", file, done="{count} filed.", refused=Refused)
    action(admin, SimpleNamespace(user="erin"), ["a", "late", "b"])
    assert action.__name__ == "file" and action.short_description == "File"
    assert said == [("late: too late", messages.ERROR), ("2 filed.", messages.SUCCESS)]
