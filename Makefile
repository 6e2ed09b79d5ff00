# The two commands a new user needs: `make run` and `make test`. Both install what they need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
LS_VENV := .venv-localstack
PORT ?= 8000
# Test processes (pytest-xdist) for the tests that need no LocalStack. TEST_WORKERS=0: one process.
TEST_WORKERS ?= 2
PYTEST := $(PY) -m pytest -n $(TEST_WORKERS)
# Let Python keep compiled bytecode (__pycache__, git-ignored) even where the shell says not to:
# otherwise every test process, and every server a test starts, compiles the project and
# pytest rewrites every test module again, a few seconds each time.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: install lock lock-upgrade run serve test test-fast test-localstack test-rest test-sqlite-rest test-postgres bench lint migrations-check chromium postgresql localstack clean

# Installs come from the locks (tools/lock.py): every package pinned with its hashes and
# installed without resolving (--no-deps), so what a clone gets does not move with the registry.
# A requirements file changed without `make lock` stops the install, saying so.
# Stamp files make reinstalls cheap: they rerun only when a requirements file or a lock changes.
PIP_LOCKED := -m pip install -q --disable-pip-version-check --require-hashes --no-deps -r
LOCK_INPUTS := requirements.txt requirements-dev.txt requirements-localstack.txt reference_impl/deploy/requirements-worker.txt

$(VENV)/.installed: requirements-dev.lock $(LOCK_INPUTS)
	$(PYTHON) tools/lock.py --check
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) $(PIP_LOCKED) requirements-dev.lock
	$(PY) -m pip check -q
	touch $@

$(LS_VENV)/.installed: requirements-localstack.lock $(LOCK_INPUTS)
	$(PYTHON) tools/lock.py --check
	test -x $(LS_VENV)/bin/python || $(PYTHON) -m venv $(LS_VENV)
	$(LS_VENV)/bin/python $(PIP_LOCKED) requirements-localstack.lock
	touch $@

# After changing a requirements file: resolve again (existing versions kept where they still fit).
# lock-upgrade moves every package to the newest release its pins allow.
lock: $(VENV)/.installed
	$(PY) tools/lock.py

lock-upgrade: $(VENV)/.installed
	$(PY) tools/lock.py --upgrade

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's Chromium for the browser tests (Playwright cannot download its own here).
chromium:
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

# Debian's PostgreSQL for the database tests: the suite starts its own server in a temporary
# folder (tests/postgres_cluster.py), so nothing needs configuring and no service is used.
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq postgresql >/dev/null)

install: $(VENV)/.installed $(LS_VENV)/.installed node_modules/.installed

# studyapp/devstack.py migrates and loads the questions itself, then starts the servers.
run: install
	mkdir -p var
	$(PY) -m studyapp.devstack --port $(PORT)

# Production: collectstatic, migrate, load the questions, gunicorn (README, "Deploying").
# Refuses to start without SECRET_KEY and ALLOWED_HOSTS when DEBUG is off.
serve: $(VENV)/.installed node_modules/.installed
	$(PY) -m studyapp.serve

# The whole suite: SQLite, then every database test again on PostgreSQL, in two lanes at the same
# time, each printed when it ends. The LocalStack tests scale real worker processes and mostly
# wait on them: their lane runs two at a time and has the CPU first. The other lane, every other
# test over TEST_WORKERS processes then the PostgreSQL pass, runs at a slightly lower priority
# (nice 5): it takes the CPU the first leaves idle instead of slowing its timed scaling down.
# Every wait in the suite is for an observed state, so priority changes only how long it takes.
# The browser and LocalStack tests run on SQLite only: what they add is the browser and the
# queues, not the database.
test: install chromium postgresql
	$(MAKE) --no-print-directory -j2 --output-sync=target test-localstack test-rest

# Its own cache folder: the two lanes end at different times, and one cache would keep only the
# last lane's failures (`make test-localstack PYTEST_ARGS=--lf` reruns this lane's).
test-localstack: install
	$(PY) -m pytest -n 2 -m localstack -o cache_dir=.pytest_cache/localstack $(PYTEST_ARGS)

test-rest: install chromium postgresql
	nice -n 5 $(MAKE) --no-print-directory test-sqlite-rest
	nice -n 5 $(MAKE) --no-print-directory test-postgres

test-sqlite-rest: install chromium postgresql
	$(PYTEST) -m "not localstack" $(PYTEST_ARGS)

# Its own cache folder too: the same tests pass or fail per database.
test-postgres: install postgresql
	TEST_DATABASE=postgres $(PYTEST) -m "database and not browser and not localstack" -o cache_dir=.pytest_cache/postgres $(PYTEST_ARGS)

# Everyday feedback: everything but the browser and LocalStack tests (markers set in tests/conftest.py).
test-fast: install postgresql
	$(PYTEST) -m "not browser and not localstack" $(PYTEST_ARGS)

# Every figure of issue #25 beside its goal. BENCH_FULL_SUITE=1 also times `make test` (~10 min).
bench: install
	$(PY) benchmarks/simulate.py
	$(PY) benchmarks/worker.py
	$(PY) benchmarks/lab_burst.py --runs 1
	$(PY) benchmarks/api.py
	$(PY) benchmarks/api_cpu.py
	$(PY) benchmarks/answering.py
	$(PY) benchmarks/bodies.py
	$(PY) benchmarks/gradebook_and_analysis.py
	$(PY) benchmarks/dev_server.py
	$(PY) benchmarks/first_page.py
	$(PY) benchmarks/suite.py $(if $(BENCH_FULL_SUITE),--full)

# mypy with django-stubs and djangorestframework-stubs (config and strictness: [tool.mypy] in
# pyproject.toml) on every app, studyapp, reference_impl, tools and benchmarks (not tests/).
lint: install
	$(VENV)/bin/cfn-lint reference_impl/deploy/template.yaml reference_impl/deploy/bootstrap.yaml
	$(VENV)/bin/mypy

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) $(LS_VENV) node_modules var staticfiles
