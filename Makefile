# Drey: `make run` serves the demo blog, `make test` runs the whole suite.
SHELL := /bin/bash
DATA ?= ./drey-data
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: run run-debug build release install test test-browser-repeat test-swift deps bench bench-import soak clean

deps:
	@bash scripts/install-deps.sh

build: deps
	swift build

release: deps
	swift build -c release

# Installs the release build as a service: /opt/drey, drey.service, an nginx site, the `drey` user (Docs/deploy.md).
# PREFIX=/opt/drey and DESTDIR (a staging folder, for packages) are honoured.
install: release
	bash scripts/install.sh

# A release build: the demo blog is served as fast as it will be in production. The last lines it prints name the
# blog, the admin and the way in (a one-time link for the demo's administrator, who has no password yet).
run: release
	.build/release/drey demo --data $(DATA) --if-empty
	.build/release/drey serve --data $(DATA) --host $(HOST) --port $(PORT)

# The same with a debug build (quicker to build while working on Drey).
run-debug: build
	.build/debug/drey demo --data $(DATA) --if-empty
	.build/debug/drey serve --data $(DATA) --host $(HOST) --port $(PORT)

# The whole suite: Swift tests on SQLite and on a throwaway PostgreSQL cluster, with Python's
# feedparser and html5lib as outside clients.
test: deps
	bash scripts/test.sh

# The browser tests N times in a row (default 20): `make test-browser-repeat N=20`.
N ?= 20
test-browser-repeat: deps
	bash scripts/install-deps.sh --test
	bash scripts/test-browser-repeat.sh $(N)

bench: deps
	bash bench/run.sh

# WordPress import of 10,000 posts and 100,000 comments on SQLite and PostgreSQL: time and peak memory.
bench-import: deps
	bash bench/import.sh

# Faults on a release build, loopback only, about 15-18 minutes (not part of `make test`): kill -9 during comment
# load, slowloris, oversized bodies and SIGTERM, then SOAK_MINUTES (default 10) of mixed load. See Docs/soak.md.
soak: deps
	bash bench/soak/run.sh

clean:
	rm -rf .build
