# Two commands do all the set-up on a fresh machine:
#   make demo   create .venv, install the pinned dependencies, curate the embedded demo corpora and build a demo mix
#   make test   the same set-up (plus Debian's chromium for the browser test), then the whole test suite
# and one more to use the Prefect UI:
#   make serve  a local Prefect server (127.0.0.1:4200) with the pipeline's deployments
PYTHON   ?= python3
VENV     := .venv
BIN      := $(VENV)/bin
STAMP    := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium

.PHONY: demo test serve install browser clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,ray,s3]'
	touch $(STAMP)

install: $(STAMP)

# The browser test drives Debian's chromium through Playwright (no browser download). Where
# apt-get cannot run (no root, no sudo), the test skips and says so.
browser:
	@test -x $(CHROMIUM) || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo -n ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
	  || echo "chromium not installed: tests/test_ui_browser.py will be skipped"; }

demo: $(STAMP)
	$(BIN)/curate demo

test: $(STAMP) browser
	$(BIN)/python -m pytest -n 2 -q

serve: $(STAMP)
	$(BIN)/curate serve

clean:
	rm -rf $(VENV) runs
