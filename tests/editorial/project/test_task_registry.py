"""A web process rings task bells by name before anything has imported the task modules (only workers
import them when they start): each name the services use still finds its task."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
NAMES = [
    "editorial.tasks.send_email",
    "editorial.tasks.run_ai_assist_job",
    "editorial.tasks.check_evidence_link",
    "articles.tasks.publish_due_articles",
]
PROGRAM = f"""
import sys, django
django.setup()
assert "editorial.tasks" not in sys.modules, "the task modules were imported already"
from editorial.celery import registered
for name in {NAMES!r}:
    print(registered(name).name)
"""


def test_a_fresh_process_finds_every_task_by_name():
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"DJANGO_SETTINGS_MODULE": "editorial.settings", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == NAMES
