# Linli: `make demo` runs the main job, `make test` runs the whole test suite.
# Both install what is missing first (Debian packages, then a virtual environment) and
# install nothing on a second run.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Runtime libraries of the kiosk (Kivy offscreen on Mesa, speech out, audio in, CJK font);
# chromium runs the web console's browser tests; nginx, openssl and the PostgreSQL client
# tools run the deployment files and backups in the tests (docs/DEPLOY.md); faketime runs
# kiosks with skewed clocks.
DEBS := libegl1 libegl-mesa0 libgl1 libgl1-mesa-dri libmtdev1 \
        espeak-ng libespeak-ng1 libportaudio2 sox fonts-wqy-microhei \
        chromium nginx-light openssl postgresql-client faketime

PYTEST_ARGS ?=

.PHONY: demo test deps debs venv clean audit

demo: deps
	$(BIN)/linli demo

test: deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

deps: debs venv

debs:
	@scripts/ensure-debs $(DEBS)

venv: $(STAMP)

# Reinstalls only when the project's declared dependencies change.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# Known vulnerabilities in the exact versions installed in .venv (pip-audit, from its own
# venv so it does not change the project's). Needs PyPI's JSON API or OSV on the network;
# --strict makes a package that could not be checked a failure, never a silent pass.
AUDIT_VENV := .venv-tools
audit: deps
	@test -x $(AUDIT_VENV)/bin/pip-audit || { $(PYTHON) -m venv $(AUDIT_VENV) && \
		$(AUDIT_VENV)/bin/pip install --quiet 'pip-audit>=2.7,<3'; }
	$(BIN)/python -m pip freeze --exclude-editable > $(VENV)/installed-requirements.txt
	$(AUDIT_VENV)/bin/pip-audit --requirement $(VENV)/installed-requirements.txt \
		--no-deps --disable-pip --strict --progress-spinner off

clean:
	rm -rf $(VENV) $(AUDIT_VENV) .pytest_cache build *.egg-info
