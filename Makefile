# The two commands of the README: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test models check-models sdk check-sdk lint unit functional e2e load clean

$(STAMP): pyproject.toml sdk/setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[local,dev]' -e ./sdk
	touch $(STAMP)

## Start the local stack: embedded moto server, resources from template.yaml, gateway on :3000.
run: $(STAMP)
	$(BIN)/shop run

## Every check and every test tier.
test: $(STAMP) check-models check-sdk lint
	$(BIN)/python -m pytest -n 2 --dist loadgroup

## Regenerate domain/models.py from openapi.yaml.
models: $(STAMP)
	$(BIN)/datamodel-codegen

## Fail when the committed models differ from what openapi.yaml generates.
check-models: $(STAMP)
	$(BIN)/datamodel-codegen --output $(VENV)/models.check.py 2>/dev/null
	@diff -u domain/models.py $(VENV)/models.check.py \
	  || (echo "domain/models.py drifted from openapi.yaml: run 'make models' and commit" && exit 1)

## Regenerate the Python SDK (sdk/, package shop_client) from openapi.yaml with openapi-python-client.
sdk: $(STAMP)
	$(BIN)/python sdk/generate.py

## Fail when the committed SDK differs from what openapi.yaml generates (regenerates into a temp dir, offline).
check-sdk: $(STAMP)
	$(BIN)/python sdk/generate.py --check

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

## Static checks: the contract, and template.yaml through cfn-lint (with the serverless rules plugin) and
## checkov. Each finding left is suppressed on its resource in template.yaml, with the reason.
lint: $(STAMP) $(CHECKOV_STAMP)
	$(BIN)/openapi-spec-validator openapi.yaml
	$(BIN)/cfn-lint --append-rules cfn_lint_serverless.rules -- template.yaml
	CKV_SKIP_PACKAGE_UPDATE_CHECK=true $(TOOLS)/bin/checkov --config-file .checkov.yaml -f template.yaml

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit
functional: $(STAMP)
	$(BIN)/python -m pytest tests/functional
e2e: $(STAMP)
	$(BIN)/python -m pytest tests/e2e

clean:
	rm -rf $(VENV) .pytest_cache

## `sam build` runs these (template.yaml: BuildMethod makefile): the project's code and its runtime
## dependencies from pyproject.toml, as arm64 wheels for the Lambda runtime.
LAMBDA_PLATFORM := --platform manylinux2014_aarch64 --implementation cp --python-version 3.12 --only-binary=:all:
build-ClientsFunction build-OrdersFunction build-InvoicesFunction build-ApprovalFunction build-PaidOrderFunction build-RedriveFunction:
	$(PYTHON) -m pip install --quiet --no-compile --no-deps --target "$(ARTIFACTS_DIR)" .
	$(PYTHON) -m pip install --quiet --no-compile --target "$(ARTIFACTS_DIR)" $(LAMBDA_PLATFORM) \
	  $$($(PYTHON) -c 'import tomllib; print(" ".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))')

## A bounded load test of the running local stack (`make run` in another terminal); results in bench/load-results.json.
load: $(STAMP)
	$(BIN)/shop load
