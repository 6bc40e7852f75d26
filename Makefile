# Makefile for "PyCon 2013 Schedule & Notes" (Sphinx-style).
#
# Every target that runs a tool first makes sure .venv exists and matches the
# pinned requirements: the stamp below is rebuilt whenever requirements.txt,
# requirements-test.txt or pyproject.toml is newer than it. The extension
# itself is installed into it (editable), so `import conference` and the
# `conference` command work there without touching sys.path. Variables can be overridden on the
# command line, e.g. `make html SPHINXOPTS=-q` or `make test PYTEST_ARGS="-k ics"`.

PYTHON      ?= python3
VENV        := .venv
VENV_BIN    := $(VENV)/bin
VENV_STAMP  := $(VENV)/.stamp

SPHINXOPTS  ?= -W --keep-going -n
# livehtml shows warnings but never stops on them (-W): a typo made while
# taking notes must not leave the served pages "no longer in sync".
LIVEOPTS    ?= $(filter-out -W,$(SPHINXOPTS))
SPHINXBUILD ?= $(VENV_BIN)/python -m sphinx
SOURCEDIR   := .
BUILDDIR    := _build

PYTEST_ARGS ?=
# What ruff lints; folders that do not exist (yet) are skipped.
LINT_PATHS  := $(wildcard _ext tests bench tools conf.py)
# sphinx-lint walks the whole tree; it skips any path containing one of these.
RST_IGNORE  := .venv _build .git

# make fuzz: random edit sequences on the real site, incremental vs clean builds.
SEED        ?= 0
COUNT       ?= 200
LENGTH      ?= 5
FUZZ_BUILDERS ?= html

HOST        ?= 127.0.0.1
PORT        ?= 8000

# `make` alone shows the help, as in Sphinx's own Makefile.
.DEFAULT_GOAL := help

.PHONY: help sphinx-help venv html test test-matrix lint fuzz livehtml talk import clean \
	distclean

# `make test-matrix`: the suite on the lowest and the highest supported Sphinx,
# each in its own venv (.venv-sphinx81, ...) from requirements/sphinx-X.Y.txt.
SPHINX_MATRIX ?= 8.1 9.0

help:
	@echo "Usage: make <target> [VARIABLE=value ...]"
	@echo
	@echo "  venv        create/refresh .venv from requirements-test.txt (automatic)"
	@echo "  html        build the site into $(BUILDDIR)/html (SPHINXOPTS='$(SPHINXOPTS)')"
	@echo "  livehtml    rebuild and reload on every change, served on http://$(HOST):$(PORT)/"
	@echo "              (LIVEOPTS='$(LIVEOPTS)': warnings shown, never errors)"
	@echo "  test        ruff, sphinx-lint, then pytest (PYTEST_ARGS='$(PYTEST_ARGS)')"
	@echo "  test-matrix pytest on each Sphinx of SPHINX_MATRIX='$(SPHINX_MATRIX)', own venvs"
	@echo "  lint        ruff, sphinx-lint and mypy only"
	@echo "  fuzz        COUNT random sequences of LENGTH edits from SEED on the real site,"
	@echo "              each incremental build compared with a clean one; prints the"
	@echo "              shortest failing sequence (FUZZ_BUILDERS=html,epub, O=-j2)"
	@echo '  talk        new talk page: make talk DAY=friday TITLE="Some Talk" [FORMAT=md]'
	@echo '  import      import or re-sync a program: make import PROGRAM=schedule.xml [DIR=.]'
	@echo "  clean       remove $(BUILDDIR)"
	@echo "  distclean   remove $(BUILDDIR), $(VENV) and the test-matrix venvs"
	@echo "  <builder>   any other Sphinx builder, e.g. latexpdf, epub, singlehtml,"
	@echo "              linkcheck, man, text; 'make sphinx-help' lists them all"

sphinx-help: $(VENV_STAMP)
	@$(SPHINXBUILD) -M help "$(SOURCEDIR)" "$(BUILDDIR)" $(SPHINXOPTS) $(O)

# One venv serves the build, the tests and the dev tools.
$(VENV_STAMP): requirements.txt requirements-test.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV_BIN)/python -m pip install -r requirements-test.txt
	$(VENV_BIN)/python -m pip install --no-deps -e .
	touch $@

venv: $(VENV_STAMP)

html: $(VENV_STAMP)
	$(SPHINXBUILD) $(SPHINXOPTS) -b html "$(SOURCEDIR)" "$(BUILDDIR)/html" $(O)

lint: $(VENV_STAMP)
	$(VENV_BIN)/ruff check $(LINT_PATHS)
	$(VENV_BIN)/sphinx-lint $(addprefix --ignore ,$(RST_IGNORE)) "$(SOURCEDIR)"
	$(VENV_BIN)/mypy

test: lint
	$(VENV_BIN)/python -m pytest $(PYTEST_ARGS)

fuzz: $(VENV_STAMP)
	$(VENV_BIN)/python tests/editgrammar.py --seed $(SEED) --count $(COUNT) \
		--length $(LENGTH) --builders $(FUZZ_BUILDERS) $(O)

# One venv per Sphinx version X.Y, .venv-sphinxXY, from requirements/sphinx-X.Y.txt,
# rebuilt when its lock or pyproject.toml changes.
define matrix_venv
.venv-sphinx$(subst .,,$(1))/.stamp: requirements/sphinx-$(1).txt pyproject.toml
	$$(PYTHON) -m venv $$(@D)
	$$(@D)/bin/python -m pip install -r $$<
	$$(@D)/bin/python -m pip install --no-deps -e .
	touch $$@
endef
$(foreach v,$(SPHINX_MATRIX),$(eval $(call matrix_venv,$(v))))
MATRIX_STAMPS := $(foreach v,$(SPHINX_MATRIX),.venv-sphinx$(subst .,,$(v))/.stamp)

test-matrix: $(MATRIX_STAMPS)
	@set -e; for stamp in $(MATRIX_STAMPS); do \
		venv=$${stamp%/.stamp}; \
		echo "--- pytest on $$($$venv/bin/python -m sphinx --version) ($$venv)"; \
		$$venv/bin/python -m pytest $(PYTEST_ARGS); \
	done

livehtml: $(VENV_STAMP)
	$(VENV_BIN)/sphinx-autobuild --host $(HOST) --port $(PORT) \
		--ignore "$(BUILDDIR)" --ignore "$(VENV)" \
		$(LIVEOPTS) "$(SOURCEDIR)" "$(BUILDDIR)/html" $(O)

# The title travels through the environment, so quotes and $ in it are safe.
talk: export NEW_TALK_DAY = $(value DAY)
talk: export NEW_TALK_TITLE = $(value TITLE)
talk: export NEW_TALK_FORMAT = $(or $(value FORMAT),rst)
talk: $(VENV_STAMP)
	@if [ -z "$$NEW_TALK_DAY" ] || [ -z "$$NEW_TALK_TITLE" ]; then \
		echo 'usage: make talk DAY=friday TITLE="Some Talk" [FORMAT=md]' >&2; exit 2; fi
	$(VENV_BIN)/conference new-talk --day "$$NEW_TALK_DAY" --title "$$NEW_TALK_TITLE" \
		--format "$$NEW_TALK_FORMAT"

# The program's path and DIR travel through the environment, so spaces and
# quotes in them are safe. TIMEZONE is passed on for programs with offsets only;
# FORMAT=md writes new pages in Markdown (MyST).
DIR ?= .
import: export IMPORT_PROGRAM = $(value PROGRAM)
import: export IMPORT_DIR = $(value DIR)
import: export IMPORT_TIMEZONE = $(value TIMEZONE)
import: export IMPORT_FORMAT = $(or $(value FORMAT),rst)
import: $(VENV_STAMP)
	@if [ -z "$$IMPORT_PROGRAM" ]; then \
		echo 'usage: make import PROGRAM=schedule.xml [DIR=.] [TIMEZONE=Europe/Berlin] [FORMAT=md]' >&2; exit 2; fi
	$(VENV_BIN)/conference import "$$IMPORT_PROGRAM" "$$IMPORT_DIR" --format "$$IMPORT_FORMAT" \
		$${IMPORT_TIMEZONE:+--timezone "$$IMPORT_TIMEZONE"}

clean:
	rm -rf "$(BUILDDIR)"

distclean: clean
	rm -rf "$(VENV)" .venv-sphinx*

# Files the rules above depend on are sources, never targets: these empty
# recipes keep the catch-all rule below from trying to "build" them.
Makefile requirements.txt requirements-test.txt pyproject.toml: ;
requirements/%.txt: ;

# Catch-all: route every other target to Sphinx's "make mode"
# (`make latexpdf`, `make epub`, `make linkcheck`, ...).
%: Makefile $(VENV_STAMP)
	$(SPHINXBUILD) -M $@ "$(SOURCEDIR)" "$(BUILDDIR)" $(SPHINXOPTS) $(O)
