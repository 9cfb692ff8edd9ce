# Local development and CI entry points. The logic lives in scripts/.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c

.PHONY: help dev test invoke build smoke bench bench-scale bench-burst tools dynamodb-install python-tools-install licenses-install

help:
	@echo "make dev    - local engine (Dynoxide) + tables + dev API key + API on http://127.0.0.1:$${PORT:-3000}"
	@echo "make test   - fmt, clippy, licences, tests on Dynoxide, smoke test behind cargo lambda watch, cfn-lint, checkov, make build and sam build --cached"
	@echo "make invoke FUNCTION=list EVENT=events/list-post.http.json - one event through one function, on the make dev tables"
	@echo "make build  - the eight functions as arm64 Lambda zips (target/lambda/<function>/bootstrap.zip)"
	@echo "make smoke URL=<ApiUrl> KEY=<api key> [WRITE=1] - the smoke test against a deployed stack (read-only unless WRITE=1)"
	@echo "make bench  - cold start and RSS vs a floor and a Node.js peer, warm latency vs bare SDK, zip size, concurrency (docs/benchmarks.md)"
	@echo "make bench-scale - list/count latency in a 100,000-item vs a 100-item project (docs/benchmarks.md)"
	@echo "make bench-burst - an incident in one project: concurrent creates, updates, deletes under transaction locking (docs/benchmarks.md)"
	@echo "make tools  - install the local engine and cargo-deny (.local/) and the PyPI tools (.venv/: cargo-lambda, cfn-lint, sam, schemathesis)"

dev:
	scripts/dev.sh

test:
	scripts/test.sh

# ITEM_ID= and API_KEY= are read from the environment (see scripts/invoke.sh).
invoke:
	scripts/invoke.sh "$(FUNCTION)" "$(EVENT)"

build:
	scripts/build.sh

smoke:
	@URL='$(URL)' KEY='$(KEY)' WRITE='$(WRITE)' scripts/smoke.sh

bench:
	scripts/bench.sh

bench-scale:
	scripts/bench-scale.sh

bench-burst:
	scripts/bench-burst.sh

tools: dynamodb-install python-tools-install licenses-install

dynamodb-install:
	scripts/dynamodb-local.sh install

python-tools-install:
	scripts/python-tools.sh install

licenses-install:
	scripts/licenses.sh install
