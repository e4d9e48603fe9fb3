# Newsroom: `make run` serves the demo newsroom, `make test` runs the tests.
# uv is installed with pip when missing; it creates .venv from uv.lock with Python 3.12.

SHELL := /bin/bash
UV := $(shell uv --version >/dev/null 2>&1 && echo uv || echo python3 -m uv)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup lint bench

setup:
	@$(UV) --version >/dev/null 2>&1 || \
		python3 -m pip install --user --quiet uv || \
		python3 -m pip install --user --quiet --break-system-packages uv
	$(UV) sync --quiet

# The demo signs in with passwords only; production requires two-factor sign-in for staff.
# No REDIS_URL: tasks run in-process and the serving process runs the beat schedule (editorial/local_beat.py).
run: export STAFF_REQUIRE_2FA ?= false
# Links in e-mails point at the address being served (make run PORT=8001).
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: setup
	$(UV) run python manage.py migrate --noinput
	$(UV) run python manage.py collectstatic --noinput --verbosity 0
	$(UV) run python manage.py seed_demo
	@echo "Newsroom is at http://$(HOST):$(PORT)/  (back office: http://$(HOST):$(PORT)/admin/)"
	@echo "With no broker the server itself publishes scheduled articles (every SCHEDULE_TICK_SECONDS, default 60)."
	$(UV) run python manage.py runserver $(HOST):$(PORT)

test: setup
	$(UV) run pytest

# The published-pages and scale benchmarks need PostgreSQL and Redis on 127.0.0.1 (BENCH_DATABASE_URL,
# BENCH_POSTGRES, BENCH_REDIS_URL; they make their own databases) and wrk, Debian's load generator
# (installed here when missing). The correction-form benchmark starts a redis-server of its own, to stop it.
bench: setup
	@command -v wrk >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	$(UV) run python bench/pages_bench.py
	$(UV) run python bench/scale_bench.py
	$(UV) run python bench/ai_bench.py
	$(UV) run python bench/login_bench.py
	$(UV) run python bench/report_bench.py

lint: setup
	$(UV) run ruff check .
	$(UV) run ruff format --check .
