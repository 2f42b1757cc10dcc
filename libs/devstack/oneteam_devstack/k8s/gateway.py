"""The public entry: an Ingress per service, on a host of its own.

Officers' and citizens' apps, grid-worker integrations, other platforms and the command centre
reach the services through the site's ingress controller (ingress-nginx, in the namespace the
NetworkPolicies admit). Each service answers on `<name>.<DOMAIN>`, so its `/v1/...` paths pass
unchanged, with no rewriting that would tie the manifests to one controller. A service's pools
(`workloads.POOLS`) get their exact paths on the same host.
"""

from __future__ import annotations

from oneteam_devstack.k8s.workloads import POOLS, PORT, Manifest, Pool, Workload, named
from oneteam_servicekit import ServiceSettings

DOMAIN = "oneteam.example.gov.cn"  # the site's: overlays patch the hosts
TLS_SECRET = "oneteam-tls"  # a certificate for *.DOMAIN (cert-manager's, or the site's)
INGRESS_CLASS = "nginx"
# Services that hold connections open: the officer's push channel (SSE), the position stream
# (WebSocket) and the command centre's screen (SSE). ingress-nginx cuts a connection idle for
# 60 s by default; their heartbeats come every 15-20 s, this is the ceiling of one connection.
LONG_LIVED = {"dispatch", "console"}
LONG_LIVED_S = 3600


def _upload_limit() -> str:
    """The kit's largest body (photos, evidence, CSV), as nginx's size: 1 MiB by default there."""
    limit = ServiceSettings.model_fields["max_upload_bytes"].default
    return f"{-(-limit // (1024 * 1024))}m"


def host(workload: Workload) -> str:
    return f"{workload.name}.{DOMAIN}"


def _backend(name: str) -> Manifest:
    return {"service": {"name": name, "port": {"number": PORT}}}


def ingress(workload: Workload) -> Manifest:
    """The service's host: its pools' exact paths first, then everything else to its API pods."""
    pools: list[Pool] = [pool for pool in POOLS if pool.service == workload.service]
    paths = [{"path": path, "pathType": "Exact", "backend": _backend(named(workload, pool)[0])}
             for pool in pools for path in pool.paths]
    paths.append({"path": "/", "pathType": "Prefix", "backend": _backend(workload.name)})
    annotations = {"nginx.ingress.kubernetes.io/proxy-body-size": _upload_limit()}
    if workload.service in LONG_LIVED:
        annotations |= {"nginx.ingress.kubernetes.io/proxy-read-timeout": str(LONG_LIVED_S),
                        "nginx.ingress.kubernetes.io/proxy-send-timeout": str(LONG_LIVED_S)}
    return {
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": workload.name, "labels": workload.labels("api"), "annotations": annotations},
        "spec": {
            "ingressClassName": INGRESS_CLASS,
            "tls": [{"hosts": [host(workload)], "secretName": TLS_SECRET}],
            "rules": [{"host": host(workload), "http": {"paths": paths}}],
        },
    }
