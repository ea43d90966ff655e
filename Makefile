# The two commands of the README: `make demo` and `make test`. Everything else follows from them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pip.lock requirements.lock pyproject.toml 2>/dev/null | cksum | cut -d' ' -f1)

.PHONY: install demo test lint bench clean

# The fill-in LKE form's test recalculates its formulas with LibreOffice (skipped without it, but CI).
LIBREOFFICE_PACKAGE := libreoffice-calc-nogui
# The monitoring report's layout test renders it in headless Chromium (skipped without it, but CI).
CHROMIUM_PACKAGE := chromium

# $(call test_program,COMMAND,PACKAGE,TEST): when COMMAND is missing, installs the Debian PACKAGE
# that has it (as root); without it TEST is skipped, except under CI, where it fails.
define test_program
@if command -v $(1) >/dev/null; then :; \
elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
  echo "Installing $(2) ($(3))"; \
  apt-get install -y -q $(2) >/dev/null 2>&1 || \
  (apt-get update -q >/dev/null && apt-get install -y -q $(2) >/dev/null 2>&1) || \
  echo "Could not install $(2): $(3) will be skipped"; \
else echo "Without $(1), $(3) will be skipped; install: $(2)"; fi
endef

$(STAMP):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "zi-orchestrator needs Python 3.11 or newer")'
	$(call test_program,soffice,$(LIBREOFFICE_PACKAGE),the LKE form test)
	$(call test_program,chromium,$(CHROMIUM_PACKAGE),the report layout test)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r pip.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	@# The embedded Prefect API's database (~/.prefect, or PREFECT_HOME), made once here (11 s
	@# on 2 cores) rather than by the first flow a person runs, the demo's included.
	@PREFECT_SERVER_ANALYTICS_ENABLED=false $(BIN)/prefect server database upgrade -y >/dev/null \
	  || echo "Prefect's database not prepared: the first flow will make it (about 10 s more)"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/zi demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

# The property-based fuzzer of `zi score` and the importers with thousands of examples (the normal
# run has a few hundred): exit 0 or 2, never a traceback, Indonesian messages, bounded output.
.PHONY: fuzz
fuzz: $(STAMP)
	ZI_FUZZ_FACTOR=$${ZI_FUZZ_FACTOR:-20} $(BIN)/pytest -p no:cacheprovider tests/cli/test_fuzz_importers.py

bench: $(STAMP)
	$(BIN)/python bench/score_units.py

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .pytest_cache
