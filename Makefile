# Makefile for "PyCon 2013 Schedule & Notes" (Sphinx-style).
#
# Every target that runs a tool first makes sure .venv exists and matches the
# pinned requirements: the stamp below is rebuilt whenever requirements.txt or
# requirements-test.txt is newer than it. Variables can be overridden on the
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

HOST        ?= 127.0.0.1
PORT        ?= 8000

# `make` alone shows the help, as in Sphinx's own Makefile.
.DEFAULT_GOAL := help

.PHONY: help sphinx-help venv html test lint livehtml talk clean distclean

help:
	@echo "Usage: make <target> [VARIABLE=value ...]"
	@echo
	@echo "  venv        create/refresh .venv from requirements-test.txt (automatic)"
	@echo "  html        build the site into $(BUILDDIR)/html (SPHINXOPTS='$(SPHINXOPTS)')"
	@echo "  livehtml    rebuild and reload on every change, served on http://$(HOST):$(PORT)/"
	@echo "              (LIVEOPTS='$(LIVEOPTS)': warnings shown, never errors)"
	@echo "  test        ruff, sphinx-lint, then pytest (PYTEST_ARGS='$(PYTEST_ARGS)')"
	@echo "  lint        ruff and sphinx-lint only"
	@echo '  talk        new talk page: make talk DAY=friday TITLE="Some Talk"'
	@echo "  clean       remove $(BUILDDIR)"
	@echo "  distclean   remove $(BUILDDIR) and $(VENV)"
	@echo "  <builder>   any other Sphinx builder, e.g. latexpdf, epub, singlehtml,"
	@echo "              linkcheck, man, text; 'make sphinx-help' lists them all"

sphinx-help: $(VENV_STAMP)
	@$(SPHINXBUILD) -M help "$(SOURCEDIR)" "$(BUILDDIR)" $(SPHINXOPTS) $(O)

# One venv serves the build, the tests and the dev tools.
$(VENV_STAMP): requirements.txt requirements-test.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV_BIN)/python -m pip install -r requirements-test.txt
	touch $@

venv: $(VENV_STAMP)

html: $(VENV_STAMP)
	$(SPHINXBUILD) $(SPHINXOPTS) -b html "$(SOURCEDIR)" "$(BUILDDIR)/html" $(O)

lint: $(VENV_STAMP)
	$(VENV_BIN)/ruff check $(LINT_PATHS)
	$(VENV_BIN)/sphinx-lint $(addprefix --ignore ,$(RST_IGNORE)) "$(SOURCEDIR)"

test: lint
	$(VENV_BIN)/python -m pytest $(PYTEST_ARGS)

livehtml: $(VENV_STAMP)
	$(VENV_BIN)/sphinx-autobuild --host $(HOST) --port $(PORT) \
		--ignore "$(BUILDDIR)" --ignore "$(VENV)" \
		$(LIVEOPTS) "$(SOURCEDIR)" "$(BUILDDIR)/html" $(O)

# The title travels through the environment, so quotes and $ in it are safe.
talk: export NEW_TALK_DAY = $(value DAY)
talk: export NEW_TALK_TITLE = $(value TITLE)
talk: $(VENV_STAMP)
	@if [ -z "$$NEW_TALK_DAY" ] || [ -z "$$NEW_TALK_TITLE" ]; then \
		echo 'usage: make talk DAY=friday TITLE="Some Talk"' >&2; exit 2; fi
	$(VENV_BIN)/python tools/new_talk.py --day "$$NEW_TALK_DAY" --title "$$NEW_TALK_TITLE"

clean:
	rm -rf "$(BUILDDIR)"

distclean: clean
	rm -rf "$(VENV)"

# Files the rules above depend on are sources, never targets: these empty
# recipes keep the catch-all rule below from trying to "build" them.
Makefile requirements.txt requirements-test.txt: ;

# Catch-all: route every other target to Sphinx's "make mode"
# (`make latexpdf`, `make epub`, `make linkcheck`, ...).
%: Makefile $(VENV_STAMP)
	$(SPHINXBUILD) -M $@ "$(SOURCEDIR)" "$(BUILDDIR)" $(SPHINXOPTS) $(O)
