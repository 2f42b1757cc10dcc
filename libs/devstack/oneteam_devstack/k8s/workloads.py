"""Each service's Kubernetes objects: Deployment, Service, migration Job, PDB, HPA, NetworkPolicy.

One `Workload` line per service; every object is made from it, so six services cost one
recipe. Names use hyphens (`case-penalty`) because Kubernetes names are DNS labels; the
Python package and the environment prefix keep the service's own spelling. A `Pool` is a
second set of a service's pods kept for some of its routes, with its own Deployment, Service,
budget and autoscaler (`oneteam_devstack.k8s.gateway` sends those routes there).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PORT = 8000
PART_OF = "oneteam"
KAFKA_CLUSTER = "oneteam"  # the Strimzi Kafka resource's name
# Where the identity provider (Keycloak) runs; services fetch its signing keys (JWKS).
IDENTITY_NAMESPACE = "keycloak"
# Namespaces whose pods may call the services: the ingress gateway, and Prometheus for /metrics.
GATEWAY_NAMESPACE = "ingress-nginx"
MONITORING_NAMESPACE = "monitoring"

Manifest = dict[str, Any]


@dataclass(frozen=True)
class Workload:
    """One service as Kubernetes runs it."""

    service: str  # the service's own name: case_penalty
    database: bool = True  # owns a PostgreSQL database (a CloudNativePG Cluster)
    kafka: bool = True  # talks to the broker (its KafkaUser's credentials)
    secret_keys: tuple[str, ...] = ()  # env vars read from the Secret `<name>-secrets`
    calls: tuple[str, ...] = ()  # other services it calls over HTTP

    @property
    def name(self) -> str:
        return self.service.replace("_", "-")

    @property
    def package(self) -> str:
        return f"oneteam_{self.service}"

    @property
    def prefix(self) -> str:
        return self.service.upper() + "_"

    @property
    def database_cluster(self) -> str:
        return f"{self.name}-db"

    @property
    def image(self) -> str:
        return f"oneteam-{self.service}"  # as docker-compose.yml tags it; overlays set the registry

    def labels(self, component: str) -> dict[str, str]:
        return {"app.kubernetes.io/name": self.name, "app.kubernetes.io/component": component,
                "app.kubernetes.io/part-of": PART_OF}

    def selector(self, component: str = "api") -> dict[str, str]:
        return {"app.kubernetes.io/name": self.name, "app.kubernetes.io/component": component}


@dataclass(frozen=True)
class Pool:
    """Pods of a service kept apart for some of its routes, which the ingress sends there.

    They run the service's image with `env` added; the service's NetworkPolicy covers them (it
    selects every pod of the service), its Service does not (it selects the `api` pods).
    """

    service: str
    component: str  # their label and their objects' suffix: dispatch-positions
    paths: tuple[str, ...]  # exact paths the ingress sends to them
    env: tuple[tuple[str, str], ...] = ()


# Officers' fixes (2 000 officers streaming one every 5 s) share the event loop of dispatch's
# order path on the same pod; on API-only pods of their own (no matcher, no deadline scheduler,
# no incident consumer) they cannot delay an order (docs/scaling.md).
POOLS: tuple[Pool, ...] = (
    Pool("dispatch", "positions", ("/v1/me/positions/stream",),
         (("DISPATCH_BACKGROUND", "false"), ("DISPATCH_CONSUME_INCIDENTS", "false"))),
)


WORKLOADS: tuple[Workload, ...] = (
    Workload("intake", secret_keys=("INTAKE_REPORT_TOKEN_SECRET", "INTAKE_PLATFORM_KEYS")),
    Workload("dispatch"),
    Workload("case_penalty", secret_keys=("CASE_PENALTY_PARTY_KEY", "CASE_PENALTY_PARTY_ENCRYPTION_KEY",
                                          "CASE_PENALTY_PAYMENT_CALLBACK_KEY")),
    Workload("mediation", secret_keys=("MEDIATION_PARTY_KEY",)),
    Workload("evaluation"),
    Workload("console", database=False,  # reads events to wake its picture up (no consumer group)
             calls=("intake", "dispatch", "case_penalty", "mediation", "evaluation")),
)


def _meta(name: str, labels: dict[str, str], **extra: Any) -> Manifest:
    return {"name": name, "labels": labels, **extra}


def _env(workload: Workload) -> list[Manifest]:
    env: list[Manifest] = []
    if workload.database:
        app_secret = f"{workload.database_cluster}-app"  # made by CloudNativePG: username, password
        env += [
            {"name": "DB_USER", "valueFrom": {"secretKeyRef": {"name": app_secret, "key": "username"}}},
            {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": app_secret, "key": "password"}}},
            # $(VAR) is expanded by Kubernetes from the two entries above.
            {"name": f"{workload.prefix}DATABASE_URL",
             "value": f"postgresql+asyncpg://$(DB_USER):$(DB_PASSWORD)@{workload.database_cluster}-rw:5432/"
                      f"{workload.service}"},
            # Migrations run once per release, in the Job, not in every replica.
            {"name": f"{workload.prefix}RUN_MIGRATIONS", "value": "false"},
        ]
    if workload.kafka:
        env += [
            {"name": "KAFKA_SASL_USERNAME", "value": workload.name},
            # The password Strimzi's User Operator generated for the KafkaUser of the same name.
            {"name": "KAFKA_SASL_PASSWORD", "valueFrom": {"secretKeyRef": {"name": workload.name, "key": "password"}}},
        ]
    env += [{"name": key, "valueFrom": {"secretKeyRef": {"name": f"{workload.name}-secrets", "key": key}}}
            for key in workload.secret_keys]
    for called in workload.calls:
        env.append({"name": f"{workload.prefix}{called.upper()}_URL",
                    "value": f"http://{called.replace('_', '-')}:{PORT}"})
    return env


def _volumes(workload: Workload) -> tuple[list[Manifest], list[Manifest]]:
    volumes: list[Manifest] = [{"name": "tmp", "emptyDir": {}}, {"name": "data", "emptyDir": {}}]
    mounts: list[Manifest] = [{"name": "tmp", "mountPath": "/tmp"}, {"name": "data", "mountPath": "/var/lib/oneteam"}]
    if workload.kafka:
        volumes.append({"name": "kafka-ca", "secret": {"secretName": f"{KAFKA_CLUSTER}-cluster-ca-cert",
                                                       "items": [{"key": "ca.crt", "path": "ca.crt"}]}})
        mounts.append({"name": "kafka-ca", "mountPath": "/etc/kafka-ca", "readOnly": True})
    return volumes, mounts


def _container(workload: Workload, command: list[str] | None = None) -> Manifest:
    volumes, mounts = _volumes(workload)
    del volumes
    container: Manifest = {
        "name": workload.name,
        "image": workload.image,
        "envFrom": [{"configMapRef": {"name": "oneteam-common"}}],
        "env": _env(workload),
        "volumeMounts": mounts,
        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                            "capabilities": {"drop": ["ALL"]}},
    }
    if command is not None:
        container["command"] = command
    return container


def _pod_security() -> Manifest:
    # The images run as uid 10001 (services/*/Dockerfile).
    return {"runAsNonRoot": True, "runAsUser": 10001, "runAsGroup": 10001, "fsGroup": 10001,
            "seccompProfile": {"type": "RuntimeDefault"}}


def named(workload: Workload, pool: Pool | None = None) -> tuple[str, str]:
    """The objects' name and the pods' component: the service's API pods, or one of its pools."""
    return (f"{workload.name}-{pool.component}", pool.component) if pool else (workload.name, "api")


def deployment(workload: Workload, pool: Pool | None = None) -> Manifest:
    """The service's pods, with the kit's probes: /healthz (alive) and /readyz (database, broker)."""
    name, component = named(workload, pool)
    container = _container(workload)
    container["env"] += [{"name": key, "value": value} for key, value in (pool.env if pool else ())]
    container.update({
        "ports": [{"name": "http", "containerPort": PORT}],
        "readinessProbe": {"httpGet": {"path": "/readyz", "port": "http"}, "periodSeconds": 5,
                           "timeoutSeconds": 3, "failureThreshold": 3},
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 10,
                          "timeoutSeconds": 5, "failureThreshold": 3},
        # Up to 150 s to start: the event bus retries an absent broker for about 30 s.
        "startupProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 5,
                         "failureThreshold": 30},
        "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}},
    })
    volumes, _ = _volumes(workload)
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": _meta(name, workload.labels(component)),
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": workload.selector(component)},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {
                "metadata": {"labels": workload.labels(component),
                             "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": str(PORT),
                                             "prometheus.io/path": "/metrics"}},
                "spec": {
                    "securityContext": _pod_security(),
                    "terminationGracePeriodSeconds": 30,
                    "containers": [container],
                    "volumes": volumes,
                    "topologySpreadConstraints": [{
                        "maxSkew": 1, "topologyKey": "kubernetes.io/hostname",
                        "whenUnsatisfiable": "ScheduleAnyway",
                        "labelSelector": {"matchLabels": workload.selector(component)}}],
                },
            },
        },
    }


def migration_job(workload: Workload) -> Manifest:
    """`python -m oneteam_<service>.main migrate`, once per release, before the new pods serve."""
    volumes, _ = _volumes(workload)
    container = _container(workload, ["python", "-m", f"{workload.package}.main", "migrate"])
    container["resources"] = {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}}
    return {
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": _meta(f"{workload.name}-migrate", workload.labels("migration")),
        "spec": {
            "backoffLimit": 6,
            # A finished Job is deleted after a day, so the next release can apply it again.
            "ttlSecondsAfterFinished": 86400,
            "template": {
                "metadata": {"labels": workload.labels("migration")},
                "spec": {"restartPolicy": "Never", "securityContext": _pod_security(),
                         "containers": [container], "volumes": volumes},
            },
        },
    }


def service(workload: Workload, pool: Pool | None = None) -> Manifest:
    """The stable in-cluster address `http://<name>:8000`."""
    name, component = named(workload, pool)
    return {
        "apiVersion": "v1", "kind": "Service",
        "metadata": _meta(name, workload.labels(component)),
        "spec": {"selector": workload.selector(component),
                 "ports": [{"name": "http", "port": PORT, "targetPort": "http"}]},
    }


def disruption_budget(workload: Workload, pool: Pool | None = None) -> Manifest:
    """A node drain never takes the last ready replica."""
    name, component = named(workload, pool)
    return {
        "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
        "metadata": _meta(name, workload.labels(component)),
        "spec": {"minAvailable": 1, "selector": {"matchLabels": workload.selector(component)}},
    }


def autoscaler(workload: Workload, max_replicas: int, pool: Pool | None = None) -> Manifest:
    """Scale on CPU; never past the topics' partition count, beyond which consumers sit idle."""
    name, component = named(workload, pool)
    return {
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": _meta(name, workload.labels(component)),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
            "minReplicas": 2, "maxReplicas": max_replicas,
            "metrics": [{"type": "Resource", "resource": {
                "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}],
            # Scaling in moves partitions between replicas: do it slowly.
            "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300}},
        },
    }
