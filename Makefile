# Drey: `make run` serves the demo blog, `make test` runs the whole suite.
SHELL := /bin/bash
DATA ?= ./drey-data
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: run build release test test-swift deps bench clean

deps:
	@bash scripts/install-deps.sh

build: deps
	swift build

release: deps
	swift build -c release

run: build
	.build/debug/drey demo --data $(DATA) --if-empty
	.build/debug/drey serve --data $(DATA) --host $(HOST) --port $(PORT)

# The whole suite: Swift tests on SQLite and on a throwaway PostgreSQL cluster, with Python's
# feedparser and html5lib as outside clients.
test: deps
	bash scripts/test.sh

bench: deps
	bash bench/run.sh

clean:
	rm -rf .build
