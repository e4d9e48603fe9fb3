"""A publication's update note and the reason for overriding the publish gate become columns of the
transition. They used to be lines of its note, prefixed "Update: " and "Gate overridden: " (a schedule's
whole note was its override reason); this moves them out, and back on reversal."""

from django.db import migrations, models

UPDATE, OVERRIDDEN = "Update: ", "Gate overridden: "


def split_notes(apps, schema_editor):
    Transition = apps.get_model("articles", "Transition")
    for move in Transition.objects.filter(to_status="scheduled").exclude(note=""):
        Transition.objects.filter(pk=move.pk).update(override_reason=move.note, note="")
    for move in Transition.objects.filter(to_status="published").exclude(note=""):
        kept, found = [], {"update_note": "", "override_reason": ""}
        for line in move.note.splitlines():
            if line.startswith(UPDATE):
                found["update_note"] = line.removeprefix(UPDATE)
            elif line.startswith(OVERRIDDEN):
                found["override_reason"] = line.removeprefix(OVERRIDDEN)
            else:
                kept.append(line)
        Transition.objects.filter(pk=move.pk).update(note="\n".join(kept), **found)


def join_notes(apps, schema_editor):
    Transition = apps.get_model("articles", "Transition")
    for move in Transition.objects.filter(to_status="scheduled").exclude(override_reason=""):
        Transition.objects.filter(pk=move.pk).update(note=move.override_reason)
    for move in Transition.objects.filter(to_status="published"):
        lines = [
            f"{OVERRIDDEN}{move.override_reason}" if move.override_reason else "",
            f"{UPDATE}{move.update_note}" if move.update_note else "",
            move.note,
        ]
        Transition.objects.filter(pk=move.pk).update(note="\n".join(line for line in lines if line))


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_slug_help")]

    operations = [
        migrations.AddField(
            model_name="transition",
            name="override_reason",
            field=models.TextField(
                blank=True, help_text="Why the editor published or scheduled over the publish gate's problems."
            ),
        ),
        migrations.AddField(
            model_name="transition",
            name="update_note",
            field=models.TextField(
                blank=True,
                help_text="A republication's public note: the substantive update readers are told of.",
            ),
        ),
        migrations.AlterField(
            model_name="transition",
            name="note",
            field=models.TextField(blank=True, help_text="What the person said with the move, to the next one."),
        ),
        migrations.RunPython(split_notes, join_notes),
    ]
