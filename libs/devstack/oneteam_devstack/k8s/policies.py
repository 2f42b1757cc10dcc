"""NetworkPolicies: a service reaches only its database, Kafka, DNS and the identity provider;
only the gateway, the console and Prometheus reach it."""

from __future__ import annotations

from oneteam_devstack.k8s.workloads import (
    GATEWAY_NAMESPACE,
    IDENTITY_NAMESPACE,
    KAFKA_CLUSTER,
    MONITORING_NAMESPACE,
    PORT,
    WORKLOADS,
    Manifest,
    Workload,
)

KAFKA_TLS_PORT = 9093  # Strimzi's `tls` listener, SASL/SCRAM over TLS


def _namespace(name: str) -> Manifest:
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": name}}}


def _callers(workload: Workload) -> list[Manifest]:
    callers = [_namespace(GATEWAY_NAMESPACE), _namespace(MONITORING_NAMESPACE)]
    callers += [{"podSelector": {"matchLabels": other.selector()}}
                for other in WORKLOADS if workload.service in other.calls]
    return callers


def _egress(workload: Workload) -> list[Manifest]:
    rules: list[Manifest] = [
        {"to": [_namespace("kube-system")],
         "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]},
        {"to": [_namespace(IDENTITY_NAMESPACE)],
         "ports": [{"protocol": "TCP", "port": 8080}, {"protocol": "TCP", "port": 8443}]},
    ]
    if workload.database:
        rules.append({"to": [{"podSelector": {"matchLabels": {"cnpg.io/cluster": workload.database_cluster}}}],
                      "ports": [{"protocol": "TCP", "port": 5432}]})
    if workload.kafka:
        # Bootstrap and every broker pod of the cluster.
        rules.append({"to": [{"podSelector": {"matchLabels": {"strimzi.io/cluster": KAFKA_CLUSTER,
                                                              "strimzi.io/kind": "Kafka"}}}],
                      "ports": [{"protocol": "TCP", "port": KAFKA_TLS_PORT}]})
    for called in workload.calls:
        target = next(w for w in WORKLOADS if w.service == called)
        rules.append({"to": [{"podSelector": {"matchLabels": target.selector()}}],
                      "ports": [{"protocol": "TCP", "port": PORT}]})
    return rules


def network_policy(workload: Workload) -> Manifest:
    """Default deny for the service's pods (the API's and the migration Job's), then these paths."""
    return {
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
        "metadata": {"name": workload.name, "labels": workload.labels("api")},
        "spec": {
            # Every pod of the service: the API replicas and the migration Job.
            "podSelector": {"matchLabels": {"app.kubernetes.io/name": workload.name}},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": _callers(workload), "ports": [{"protocol": "TCP", "port": PORT}]}],
            "egress": _egress(workload),
        },
    }
