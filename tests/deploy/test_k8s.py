"""The Kubernetes manifests: generated from the registry, valid against the vendored schemas, offline.

deploy/k8s/base is written by `python -m oneteam_devstack.k8s`; these tests keep the committed
files equal to its output, validate every document of the base and the production overlay
against the Kubernetes 1.32 and CRD schemas in deploy/schemas (no cluster, no network), and
check what the manifests promise: probes, migrations, network paths, topics and ACLs.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import yaml

from oneteam_contracts import dead_letter_topic, topics
from oneteam_contracts.access import SERVICES, is_public
from oneteam_devstack.k8s.overlay import build
from oneteam_devstack.k8s.render import K8S_DIR, stale
from oneteam_devstack.k8s.workloads import POOLS, WORKLOADS
from oneteam_dispatch.settings import DispatchSettings
from oneteam_servicekit import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "deploy" / "schemas"
KUBERNETES_SCHEMAS = SCHEMAS / "kubernetes-v1.32.0"
OVERLAYS = ("base", "overlays/production")
CRD_SCHEMAS = {
    ("kafka.strimzi.io/v1beta2", "KafkaTopic"): "kafka.strimzi.io_kafkatopic_v1beta2.json",
    ("kafka.strimzi.io/v1beta2", "KafkaUser"): "kafka.strimzi.io_kafkauser_v1beta2.json",
    ("postgresql.cnpg.io/v1", "Cluster"): "postgresql.cnpg.io_cluster_v1.json",
    ("external-secrets.io/v1", "ExternalSecret"): "external-secrets.io_externalsecret_v1.json",
}


@cache
def _kubernetes_definitions() -> dict[str, Any]:
    definitions: dict[str, Any] = json.loads((KUBERNETES_SCHEMAS / "_definitions.json").read_text())["$defs"]
    return definitions


@cache
def _validator(api_version: str, kind: str) -> Any:
    crd = CRD_SCHEMAS.get((api_version, kind))
    if crd is not None:
        return jsonschema_rs.validator_for(json.loads((SCHEMAS / "crds" / crd).read_text()))
    group, _, version = api_version.rpartition("/")
    suffix = f"-{group.split('.')[0]}-{version}" if group else f"-{version}"
    path = KUBERNETES_SCHEMAS / f"{kind.lower()}{suffix}.json"
    assert path.is_file(), f"no vendored schema for {api_version} {kind} (looked for {path.name})"
    # The kind's file refers to the shared definitions file; put the definitions in one document.
    text = path.read_text().replace("/api/_definitions.json#/$defs/", "#/$defs/")
    return jsonschema_rs.validator_for({**json.loads(text), "$defs": _kubernetes_definitions()})


def _name(document: dict[str, Any]) -> str:
    return f"{document['kind']}/{document['metadata']['name']}"


@cache
def _built(overlay: str) -> list[dict[str, Any]]:
    return build(K8S_DIR / overlay)


def _of_kind(kind: str, overlay: str = "base") -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in _built(overlay) if d["kind"] == kind}


def test_committed_manifests_equal_the_generators_output() -> None:
    assert stale() == [], "run `python -m oneteam_devstack.k8s` and commit deploy/k8s"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_document_is_valid_against_the_kubernetes_and_crd_schemas(overlay: str) -> None:
    problems = []
    for document in _built(overlay):
        validator = _validator(document["apiVersion"], document["kind"])
        problems += [f"{_name(document)}: {error.message} at {list(error.instance_path)}"
                     for error in validator.iter_errors(document)]
    assert problems == []


def test_schema_check_catches_a_misspelt_field() -> None:
    deployment = json.loads(json.dumps(_of_kind("Deployment")["intake"]))
    deployment["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {"httpGet": {"path": "/readyz"}}

    assert not _validator("apps/v1", "Deployment").is_valid(deployment)


@pytest.mark.skipif(shutil.which("kubectl") is None,
                    reason="kubectl is not installed: the Python build alone is checked")
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_python_build_matches_kubectl_kustomize(overlay: str) -> None:
    printed = subprocess.run(["kubectl", "kustomize", str(K8S_DIR / overlay)], check=True,
                             capture_output=True, text=True).stdout
    # kubectl names generated ConfigMaps with a content hash; the Python build does not.
    unhashed = re.sub(r"(oneteam-common)-[a-z0-9]{10}\b", r"\1", printed)

    def key(document: dict[str, Any]) -> str:
        return _name(document)

    assert sorted(yaml.safe_load_all(unhashed), key=key) == sorted(_built(overlay), key=key)


@pytest.fixture
def lag_overlay(tmp_path: Path) -> Path:
    """The production overlay with the consumer-lag component, as docs/deploy.md tells operators to add it."""
    overlay = tmp_path / "with-lag"
    overlay.mkdir()
    (overlay / "kustomization.yaml").write_text(yaml.safe_dump({
        "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
        "resources": [os.path.relpath(K8S_DIR / "overlays" / "production", overlay)],
        "components": [os.path.relpath(K8S_DIR / "components" / "lag-autoscaling", overlay)]}))
    return overlay


def test_lag_component_scales_every_consumer_on_its_own_lag_as_well_as_cpu(lag_overlay: Path) -> None:
    autoscalers = {d["metadata"]["name"]: d for d in build(lag_overlay) if d["kind"] == "HorizontalPodAutoscaler"}
    consumers = {service.name for service in SERVICES if service.consumes}

    for workload in WORKLOADS:
        autoscaler = autoscalers[workload.name]
        assert _validator("autoscaling/v2", "HorizontalPodAutoscaler").is_valid(autoscaler)
        kinds = [metric["type"] for metric in autoscaler["spec"]["metrics"]]
        assert kinds == (["Resource", "External"] if workload.service in consumers else ["Resource"])
        if workload.service in consumers:
            selector = autoscaler["spec"]["metrics"][1]["external"]["metric"]["selector"]["matchLabels"]
            assert selector == {"service": workload.service}


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_lag_component_builds_the_same_with_kubectl(lag_overlay: Path) -> None:
    printed = subprocess.run(["kubectl", "kustomize", str(lag_overlay)], check=True, capture_output=True,
                             text=True).stdout
    autoscalers = [d for d in yaml.safe_load_all(printed) if d["kind"] == "HorizontalPodAutoscaler"]

    assert sorted(autoscalers, key=_name) == sorted(
        (d for d in build(lag_overlay) if d["kind"] == "HorizontalPodAutoscaler"), key=_name)


def test_every_service_with_a_dockerfile_is_deployed() -> None:
    built = {path.parent.name for path in (ROOT / "services").glob("*/Dockerfile")}

    assert built <= {workload.service for workload in WORKLOADS}
    pools = {f"{pool.service.replace('_', '-')}-{pool.component}" for pool in POOLS}
    assert set(_of_kind("Deployment")) == {workload.name for workload in WORKLOADS} | pools


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_ingress_path_reaches_a_port_of_pods_a_deployment_runs(overlay: str) -> None:
    services, deployments = _of_kind("Service", overlay), _of_kind("Deployment", overlay)
    ingresses = _of_kind("Ingress", overlay)

    assert set(ingresses) == {workload.name for workload in WORKLOADS}
    for name, ingress in ingresses.items():
        (rule,) = ingress["spec"]["rules"]
        assert ingress["spec"]["tls"][0]["hosts"] == [rule["host"]]
        assert rule["http"]["paths"][-1]["path"] == "/", f"{name}: everything else goes to the API pods"
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            target = services[backend["name"]]
            assert backend["port"]["number"] in [port["port"] for port in target["spec"]["ports"]]
            selected = [d for d in deployments.values() if target["spec"]["selector"].items()
                        <= d["spec"]["template"]["metadata"]["labels"].items()]
            assert selected, f"{name} {path['path']}: no pods behind {backend['name']}"


def test_the_position_stream_goes_to_api_only_dispatch_pods_its_policy_covers() -> None:
    ingress = _of_kind("Ingress")["dispatch"]
    routes = {path["path"]: (path["pathType"], path["backend"]["service"]["name"])
              for path in ingress["spec"]["rules"][0]["http"]["paths"]}
    pods = _of_kind("Deployment")["dispatch-positions"]["spec"]["template"]
    env = {e["name"]: e.get("value") for e in pods["spec"]["containers"][0]["env"]}
    dispatch_app = importlib.import_module("oneteam_dispatch.api.position_stream")

    assert routes[dispatch_app.PATH] == ("Exact", "dispatch-positions")
    assert [r.path for r in dispatch_app.router.routes] == [dispatch_app.PATH]  # the WebSocket route itself
    assert (env["DISPATCH_BACKGROUND"], env["DISPATCH_CONSUME_INCIDENTS"]) == ("false", "false")
    known = {"DISPATCH_" + name.upper() for name in DispatchSettings.model_fields}
    assert {key for pool in POOLS for key, _ in pool.env} <= known
    # The service's NetworkPolicy (database, Kafka for the relay) covers the pool; its Service does not.
    policy = _of_kind("NetworkPolicy")["dispatch"]["spec"]["podSelector"]["matchLabels"]
    assert policy.items() <= pods["metadata"]["labels"].items()
    assert not _of_kind("Service")["dispatch"]["spec"]["selector"].items() <= pods["metadata"]["labels"].items()
    assert "dispatch-positions" in _of_kind("PodDisruptionBudget") and "dispatch-positions" in _of_kind(
        "HorizontalPodAutoscaler")


def test_the_ingress_admits_the_largest_upload_and_keeps_push_channels_open() -> None:
    largest = ServiceSettings().max_upload_bytes
    for name, ingress in _of_kind("Ingress").items():
        annotations = ingress["metadata"]["annotations"]
        size = annotations["nginx.ingress.kubernetes.io/proxy-body-size"]
        assert int(size.removesuffix("m")) * 1024 * 1024 >= largest, name
        if name in ("dispatch", "console"):  # SSE and the WebSocket: far beyond their 15-20 s heartbeats
            assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 600


@pytest.mark.parametrize("workload", WORKLOADS, ids=lambda w: w.name)
def test_pods_are_probed_on_the_kits_health_endpoints(workload: Any) -> None:
    container = _of_kind("Deployment")[workload.name]["spec"]["template"]["spec"]["containers"][0]

    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["resources"]["requests"]["cpu"]


@pytest.mark.parametrize("workload", [w for w in WORKLOADS if w.database], ids=lambda w: w.name)
def test_migrations_run_in_a_job_with_the_services_own_command(workload: Any) -> None:
    job = _of_kind("Job")[f"{workload.name}-migrate"]
    command = job["spec"]["template"]["spec"]["containers"][0]["command"]
    main = importlib.util.find_spec(f"{workload.package}.main")

    assert command == ["python", "-m", f"{workload.package}.main", "migrate"]
    assert main is not None and main.origin is not None and '["migrate"]' in Path(main.origin).read_text()
    deployment_env = _of_kind("Deployment")[workload.name]["spec"]["template"]["spec"]["containers"][0]["env"]
    assert {"name": f"{workload.prefix}RUN_MIGRATIONS", "value": "false"} in deployment_env


@pytest.mark.parametrize("workload", WORKLOADS, ids=lambda w: w.name)
def test_a_service_reaches_only_its_own_database(workload: Any) -> None:
    policy = _of_kind("NetworkPolicy")[workload.name]
    clusters = [peer["podSelector"]["matchLabels"]["cnpg.io/cluster"]
                for rule in policy["spec"]["egress"] for peer in rule["to"]
                if "cnpg.io/cluster" in peer.get("podSelector", {}).get("matchLabels", {})]

    assert clusters == ([workload.database_cluster] if workload.database else [])
    assert policy["spec"]["policyTypes"] == ["Ingress", "Egress"]


@pytest.mark.parametrize("workload", [w for w in WORKLOADS if w.secret_keys], ids=lambda w: w.name)
def test_secret_keys_are_settings_the_service_reads(workload: Any) -> None:
    module = importlib.import_module(f"{workload.package}.settings")
    settings = next(value for value in vars(module).values() if isinstance(value, type)
                    and issubclass(value, ServiceSettings) and value.__module__ == module.__name__)
    known = {workload.prefix + name.upper() for name in settings.model_fields}

    assert set(workload.secret_keys) <= known


def test_every_registry_topic_and_its_dead_letters_is_a_kafka_topic_with_its_retention() -> None:
    declared = {d["spec"]["topicName"]: d["spec"] for d in _of_kind("KafkaTopic").values()}

    expected = {name for spec in topics() for name in (spec.name, dead_letter_topic(spec.name))}
    assert set(declared) == expected
    for spec in topics():
        assert declared[spec.name]["partitions"] == spec.partitions
        assert declared[spec.name]["config"]["cleanup.policy"] == spec.retention.cleanup_policy
        assert declared[spec.name]["config"]["retention.ms"] == spec.retention.topic_config()["retention.ms"]


def test_autoscalers_stop_at_the_partition_count() -> None:
    partitions = min(spec.partitions for spec in topics())

    assert all(h["spec"]["maxReplicas"] <= partitions for h in _of_kind("HorizontalPodAutoscaler").values())


def test_each_service_is_a_kafka_user_that_writes_only_its_own_topics_and_dead_letters() -> None:
    users = _of_kind("KafkaUser")
    owners = {spec.name: spec for spec in topics()}
    for service in SERVICES:
        acls = users[service.name.replace("_", "-")]["spec"]["authorization"]["acls"]
        written = {a["resource"]["name"] for a in acls if "Write" in a["operations"]}
        allowed = {owners[name].name for name in owners} | {dead_letter_topic(n) for n in owners}
        assert written <= allowed
        assert not any("Create" in a["operations"] for a in acls), "Strimzi creates the topics"


def test_platform_users_read_public_topics_only_and_write_at_most_reports() -> None:
    users = _of_kind("KafkaUser")
    services = {service.name.replace("_", "-") for service in SERVICES}
    public = {spec.name for spec in topics() if is_public(spec)}
    platforms = {name: user for name, user in users.items() if name not in services}
    for name, user in platforms.items():
        acls = user["spec"]["authorization"]["acls"]
        read = {a["resource"]["name"] for a in acls if a["resource"]["type"] == "topic" and "Read" in a["operations"]}
        written = {a["resource"]["name"] for a in acls if "Write" in a["operations"]}
        assert read <= public, name
        assert written <= {"oneteam.inbound-reports"}, name
        groups = [a["resource"] for a in acls if a["resource"]["type"] == "group"]
        assert groups == [{"type": "group", "name": f"{name}.", "patternType": "prefix"}]
