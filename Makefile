# digits: one command to run the product, one to test it. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
HOST ?= 127.0.0.1
API_PORT ?= 8000
WEB_PORT ?= 5173
export MNIST_DIR ?= $(abspath ../shared/data/mnist)
# glibc keeps freed image-sized buffers for reuse instead of returning them to the kernel on every
# request (mallopt(3) tunables, read at process start; measured by `make benchmark-serving`).
export MALLOC_MMAP_THRESHOLD_ ?= 16777216
export MALLOC_TRIM_THRESHOLD_ ?= 67108864

VENV := backend/.venv
PY := $(VENV)/bin/python
BACKEND_STAMP := $(VENV)/.installed
FRONTEND_STAMP := frontend/node_modules/.installed

.PHONY: help install run test test-backend test-frontend test-e2e lint pre-commit format train ensemble tune finetune benchmark benchmark-serving loadtest evaluate report openapi openapi-check compose-check deploy-check scale-demo chromium nginx postgresql redis clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(BACKEND_STAMP): backend/pyproject.toml backend/requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r backend/requirements.lock
	$(PY) -m pip install --quiet --no-deps -e backend
	touch $@

$(FRONTEND_STAMP): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

install: $(BACKEND_STAMP) $(FRONTEND_STAMP) ## Install the backend (virtualenv) and frontend (npm ci)

chromium: ## Install Debian's Chromium for the browser tests (if missing)
	@command -v chromium >/dev/null || { echo "Installing Chromium (apt-get)..."; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq chromium >/dev/null; }

nginx: ## Install Debian's nginx for make scale-demo and make deploy-check (if missing)
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { echo "Installing nginx (apt-get)..."; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq --no-install-recommends nginx >/dev/null; }

redis: ## Install Debian's Redis for the shared feedback rate-limit tests (if missing; the tests start their own server)
	@command -v redis-server >/dev/null || { echo "Installing Redis (apt-get)..."; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq --no-install-recommends redis-server >/dev/null; }

# The feedback tests run on SQLite and on this real PostgreSQL server (role/password digits, local only).
PG_TEST_URL ?= postgresql://digits:digits@127.0.0.1:5432/postgres
export PG_TEST_URL
postgresql: ## Install and start Debian's PostgreSQL for the feedback tests (if missing); role digits
	@SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	command -v pg_lsclusters >/dev/null || { echo "Installing PostgreSQL (apt-get)..."; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq postgresql >/dev/null; }; \
	cluster=$$(pg_lsclusters -h | head -1); \
	[ -n "$$cluster" ] || { echo "no PostgreSQL cluster: pg_createcluster <version> main"; exit 1; }; \
	set -- $$cluster; [ "$$4" = online ] || $$SUDO pg_ctlcluster $$1 $$2 start; \
	for i in $$(seq 30); do pg_isready -q -h 127.0.0.1 -p $$3 && break; sleep 0.5; done; \
	AS_PG="$$( [ "$$(id -u)" = 0 ] && echo runuser -u postgres -- || echo sudo -u postgres )"; \
	$$AS_PG psql -p $$3 -tAc "SELECT 1 FROM pg_roles WHERE rolname='digits'" | grep -q 1 || \
	  $$AS_PG psql -p $$3 -qc "CREATE ROLE digits LOGIN CREATEDB PASSWORD 'digits'"

run: install ## Build the SPA and serve it with the API on the committed model
	cd frontend && npm run build
	@trap 'kill 0' EXIT INT TERM; \
	(cd backend && HOST=$(HOST) PORT=$(API_PORT) LOG_LEVEL=warning ACCESS_LOG=false exec .venv/bin/python -m app) & \
	(cd frontend && DIGITS_API_URL=http://$(HOST):$(API_PORT) exec npx vite preview --host $(HOST) --port $(WEB_PORT) --strictPort >/dev/null) & \
	for i in $$(seq 120); do curl -sf http://$(HOST):$(API_PORT)/health >/dev/null && curl -sf http://$(HOST):$(WEB_PORT)/ >/dev/null && break; sleep 0.5; done; \
	curl -sf http://$(HOST):$(API_PORT)/health >/dev/null || { echo "The API did not start: see the messages above."; exit 1; }; \
	echo; echo "  digits is running. Open http://$(HOST):$(WEB_PORT) and draw a digit."; \
	echo "  API docs: http://$(HOST):$(API_PORT)/docs   Stop with Ctrl+C."; echo; \
	wait

test: install chromium nginx postgresql redis ## Run every test: backend (pytest), frontend unit (Vitest), end-to-end (Playwright)
	$(MAKE) test-backend test-frontend test-e2e

test-backend: $(BACKEND_STAMP) nginx postgresql redis ## Backend tests with line coverage; fails under the floor in backend/pyproject.toml
	cd backend && .venv/bin/python -m pytest --cov --cov-report=term-missing:skip-covered

test-frontend: $(FRONTEND_STAMP)
	cd frontend && npm test

test-e2e: $(BACKEND_STAMP) $(FRONTEND_STAMP) chromium
	cd frontend && npm run test:e2e

lint: install ## ruff (lint + format check), mypy, eslint, tsc --noEmit
	cd backend && .venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy
	cd frontend && npm run lint && npm run typecheck

pre-commit: install ## The lint hooks of .pre-commit-config.yaml on every file (what a git commit runs once installed)
	$(VENV)/bin/pre-commit run --all-files

format: $(BACKEND_STAMP) ## Format the backend with ruff
	cd backend && .venv/bin/ruff format . && .venv/bin/ruff check --fix .

train: $(BACKEND_STAMP) ## Train the CNN in three stages and its segmenter (~105 min on 2 cores), export to LiteRT, evaluate, calibrate the verdicts
	cd backend && .venv/bin/python -m digits.training.train --output models/cnn_stage1.keras $(ARGS)
	cd backend && .venv/bin/python -m digits.training.train --init-from models/cnn_stage1.keras --outlier-exposure 10000 \
	  --epochs 4 --learning-rate 2.5e-4 --output models/cnn_stage2.keras
	cd backend && .venv/bin/python -m digits.training.train --init-from models/cnn_stage2.keras --not-a-digit 20000 \
	  --epochs 6 --learning-rate 2.5e-4 --output models/cnn.keras
	cd backend && .venv/bin/python -m digits.training.train --init-from models/cnn.keras --not-a-digit 20000 \
	  --touching-pairs 8000 --epochs 4 --learning-rate 1.5e-4 --output models/segmenter.keras
	rm -f backend/models/cnn_stage1.* backend/models/cnn_stage2.*
	cd backend && .venv/bin/python -m digits.training.export_litert
	cd backend && .venv/bin/python -m digits.training.export_litert --model models/segmenter.keras
	rm -f backend/models/segmenter.keras backend/models/segmenter_litert.* backend/models/segmenter_litert_int8.*
	cd backend && .venv/bin/python -m digits.evaluation --update-card
	cd backend && .venv/bin/python -m digits.evaluation.open_set --model cnn --model cnn-litert-dynamic --model cnn-litert-int8 --model cnn-segmenter
	cd backend && .venv/bin/python -m digits.evaluation.latency
	cd backend && .venv/bin/python -m digits.training.tracking register models/cnn.keras --alias champion

ensemble: $(BACKEND_STAMP) ## Train a second CNN (make train's three stages, another seed, the same validation split) and serve both averaged as cnn-ensemble (~100 min on 2 cores)
	cd backend && .venv/bin/python -m digits.training.train --seed 7 --split-seed 42 --output models/b_stage1.keras $(ARGS)
	cd backend && .venv/bin/python -m digits.training.train --seed 7 --split-seed 42 --init-from models/b_stage1.keras \
	  --outlier-exposure 10000 --epochs 4 --learning-rate 2.5e-4 --output models/b_stage2.keras
	cd backend && .venv/bin/python -m digits.training.train --seed 7 --split-seed 42 --init-from models/b_stage2.keras \
	  --not-a-digit 20000 --epochs 6 --learning-rate 2.5e-4 --output models/cnn_b.keras
	rm -f backend/models/b_stage1.* backend/models/b_stage2.*
	cd backend && .venv/bin/python -m digits.training.ensemble --member models/cnn.keras --member models/cnn_b.keras
	rm -f backend/models/cnn_b.keras
	cd backend && .venv/bin/python -m digits.evaluation --update-card --strokes-limit 2000 --seed 0 --model cnn-ensemble
	cd backend && .venv/bin/python -m digits.evaluation.open_set --model cnn-ensemble --max-refused=0.01 --max-uncertain=0.01 --count=1000
	cd backend && .venv/bin/python -m digits.evaluation.numbers --model cnn-ensemble --count 100
	cd backend && .venv/bin/python -m digits.evaluation.latency --model cnn-ensemble

finetune: $(BACKEND_STAMP) ## Export the feedback, fine-tune the champion on it, promote it only if better (ARGS=--help)
	cd backend && .venv/bin/python -m digits.feedback.export --output data/feedback/export.jsonl
	cd backend && .venv/bin/python -m digits.finetune --feedback data/feedback/export.jsonl $(ARGS)

tune: $(BACKEND_STAMP) ## Optuna search over the CNN's hyperparameters on validation (resumable; ARGS="--trials 20 --timeout 3600")
	cd backend && .venv/bin/python -m digits.training.tune $(ARGS)

benchmark: $(BACKEND_STAMP) ## Accuracy, latency split, throughput, batch, cold start; two engines compared (ARGS=--help)
	cd backend && .venv/bin/python -m benchmarks.benchmark $(ARGS)

benchmark-serving: $(BACKEND_STAMP) ## Cold start and RSS per worker of the default service; glibc allocator A/B (ARGS=--help)
	cd backend && .venv/bin/python -m benchmarks.serving $(ARGS)

loadtest: $(BACKEND_STAMP) ## 32 clients for 60 s, good and hostile requests: no 5xx, no drops, RSS (ARGS=--help)
	cd backend && .venv/bin/python -m benchmarks.loadtest $(ARGS)

scale-demo: $(BACKEND_STAMP) nginx ## 1 and 2 API replicas behind a local nginx: one worker's capacity, 2 vs 1, a rolling restart with no failed prediction (ARGS=--help)
	cd backend && .venv/bin/python -m benchmarks.scale $(ARGS)

evaluate: $(BACKEND_STAMP) ## Accuracy of every served model on MNIST, optdigits-canvas and drawn strokes
	cd backend && .venv/bin/python -m digits.evaluation $(ARGS)

report: $(BACKEND_STAMP) ## Figures + reports/README.md: data, training curves, evaluation, robustness (~3 min)
	cd backend && .venv/bin/python -m digits.report

openapi: install ## Export the OpenAPI schema and regenerate the SPA's typed client
	cd backend && .venv/bin/python -m app.openapi ../frontend/src/api/openapi.json
	cd frontend && npm run gen:api

openapi-check: $(BACKEND_STAMP) $(FRONTEND_STAMP) ## Fail if frontend/src/api/{openapi.json,schema.ts} differ from what `make openapi` makes
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	(cd backend && .venv/bin/python -m app.openapi "$$tmp/openapi.json") && \
	(cd frontend && npx --no-install openapi-typescript "$$tmp/openapi.json" -o "$$tmp/schema.ts" >/dev/null) && \
	stale=0 && for f in openapi.json schema.ts; do \
	  diff -u "frontend/src/api/$$f" "$$tmp/$$f" | head -60 > "$$tmp/$$f.diff"; \
	  if [ -s "$$tmp/$$f.diff" ]; then cat "$$tmp/$$f.diff"; \
	    echo "frontend/src/api/$$f is out of date with the backend: run 'make openapi' and commit it."; stale=1; fi; \
	done && [ $$stale = 0 ] && echo "frontend/src/api/openapi.json and schema.ts are current"

compose-check: ## Validate docker-compose.yml (needs a docker compose client, no engine)
	@if docker compose version >/dev/null 2>&1; then docker compose config --quiet; \
	elif command -v docker-compose >/dev/null; then docker-compose config --quiet; \
	else echo "no docker compose client: apt-get install docker-compose"; exit 1; fi
	@echo "docker-compose.yml is valid"

deploy-check: $(BACKEND_STAMP) nginx ## Render every Kubernetes overlay and validate it against the schemas (offline); hadolint every Dockerfile; nginx -t
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	for overlay in deploy/k8s/overlays/*/; do \
	  name=$$(basename "$$overlay"); \
	  $(VENV)/bin/kubectl kustomize "$$overlay" > "$$tmp/$$name.yaml" && \
	  $(VENV)/bin/kubernetes-validate --strict --quiet "$$tmp/$$name.yaml" || { echo "deploy/k8s/overlays/$$name: invalid"; exit 1; }; \
	  echo "deploy/k8s/overlays/$$name: $$(grep -c '^kind:' "$$tmp/$$name.yaml") resources valid (Kubernetes $$($(VENV)/bin/kubernetes-validate --version | awk '{print $$NF}') schemas, strict)"; \
	done && \
	$(VENV)/bin/hadolint $$(git ls-files '*Dockerfile') && echo "hadolint: $$(git ls-files '*Dockerfile' | tr '\n' ' ')clean" && \
	printf 'pid %s/nginx.pid;\nerror_log stderr;\nevents {}\nhttp {\n include /etc/nginx/mime.types;\n include %s;\n}\n' "$$tmp" "$(CURDIR)/frontend/nginx.conf" > "$$tmp/nginx.conf" && \
	$$(command -v nginx || echo /usr/sbin/nginx) -q -t -c "$$tmp/nginx.conf" -e stderr && echo "frontend/nginx.conf: nginx -t ok"

clean: ## Remove installed dependencies and build outputs
	rm -rf $(VENV) frontend/node_modules frontend/dist frontend/test-results frontend/playwright-report
