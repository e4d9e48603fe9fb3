"""The beat schedule, run inside a web process that has no broker (`make run`: SQLite, no REDIS_URL,
tasks in-process), so that scheduled articles go live there too.

editorial.wsgi starts it: runserver loads the WSGI application only in the process that serves (never in
its autoreloader's parent), gunicorn in each worker, and tests never, unless they start it themselves.
With a broker, Celery beat runs the schedule instead (SCHEDULE_IN_PROCESS follows REDIS_URL). Every job
on the schedule is safe to run from several processes at once: each row is locked and re-checked."""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections

from editorial.celery import app, registered

log = logging.getLogger(__name__)

MINUTE = 60.0

_lock = threading.Lock()
_stopping = threading.Event()
_thread: threading.Thread | None = None


def periods(tick: float) -> dict[str, float]:
    """Each scheduled task and how often it runs here: beat's every-minute jobs every tick, the others at
    beat's own period."""
    schedule = app.conf.beat_schedule.values()
    return {entry["task"]: tick if entry["schedule"] <= MINUTE else entry["schedule"] for entry in schedule}


def run_due(last_run: dict[str, float], tick: float, now: float) -> list[str]:
    """Run, one after the other in this thread, every task whose period has passed since it last ran
    here (all of them the first time); the names of those run. A failing task is logged, not raised."""
    ran = []
    for task, period in periods(tick).items():
        if task in last_run and now - last_run[task] < period:
            continue
        last_run[task] = now
        ran.append(task)
        try:
            registered(task)()
        except Exception:
            log.exception("scheduled task %s failed; it runs again in %s s", task, period)
        finally:
            close_old_connections()  # this thread's own connection: never left open across ticks
    return ran


def _loop(tick: float) -> None:
    last_run: dict[str, float] = {}
    while not _stopping.is_set():
        run_due(last_run, tick, time.monotonic())
        _stopping.wait(tick)


def start(*, tick: float | None = None) -> bool:
    """Start the schedule's thread, once per process; False if it is already running."""
    global _thread
    with _lock:
        if _thread is not None and _thread.is_alive():
            return False
        tick = tick or settings.SCHEDULE_TICK_SECONDS
        _stopping.clear()
        _thread = threading.Thread(target=_loop, args=(tick,), name="local-beat", daemon=True)
        _thread.start()
    log.info("no broker: this process runs the beat schedule, publishing due articles every %s s", tick)
    return True


def start_if_configured() -> bool:
    """Start the thread if this process should run the schedule itself (SCHEDULE_IN_PROCESS)."""
    return settings.SCHEDULE_IN_PROCESS and start()


def stop(timeout: float | None = 10.0) -> None:
    """Stop the thread after the task it is running, if any, and wait for it up to `timeout` seconds."""
    global _thread
    with _lock:
        thread, _thread = _thread, None
        _stopping.set()
    if thread is not None:
        thread.join(timeout)
