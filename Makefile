# Hall — the two commands of the README, and the pieces they are made of.
#   make demo   install, migrate and seed the embedded SQLite database, serve on http://127.0.0.1:8000
#   make test   install and run every check and test (SQLite and PostgreSQL)

SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export PATH := $(HOME)/.local/bin:$(PATH)
UV := uv
RUN := $(UV) run --no-sync

.PHONY: demo test install uv check lint typecheck imports pytest serve migrate seed fmt benchmarks

demo: install migrate seed serve

test: install check pytest

install: uv
	$(UV) sync --locked
	$(RUN) python -m hall.compiled build  # mypyc build of the twin's hot modules; skipped with a warning if it cannot

uv:
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --user --quiet uv \
		|| python3 -m pip install --user --quiet --break-system-packages uv
	@command -v uv >/dev/null 2>&1 || { echo "uv could not be installed"; exit 1; }

migrate:
	$(RUN) hall db upgrade

seed:
	$(RUN) hall seed demo

serve:
	$(RUN) hall serve

check: lint typecheck imports

lint:
	$(RUN) ruff check .
	$(RUN) ruff format --check .

typecheck:
	$(RUN) mypy

imports:
	$(RUN) lint-imports

pytest:
	$(RUN) pytest -n 2 --dist loadgroup
	HALL_COMPILED=0 $(RUN) pytest -q -m pure_python tests/unit  # spies the compiled twin cannot have (tests/conftest.py)
	$(RUN) pytest tests/browser  # in a process of its own: Playwright's sync API keeps an event loop current

fmt:
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

benchmarks:
	$(RUN) python benchmarks/routing_bench.py
	$(RUN) python benchmarks/queueing_throughput.py --seconds 20
