"""The Grafana dashboard asks only for metrics, labels and values the code defines.

A renamed metric or label would leave a panel silently empty; these tests read every PromQL
expression in deploy/grafana/oneteam.json and check it against the Prometheus registry the
services export (the kit's HTTP metrics, the event bus's metrics, the process collector).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import prometheus_client
import pytest
from prometheus_client.metrics import MetricWrapperBase

import oneteam_eventbus.metrics
import oneteam_servicekit.http
from oneteam_contracts import MESSAGES, topics
from oneteam_devstack.k8s.workloads import WORKLOADS

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "oneteam.json"
FUNCTIONS = {"sum", "max", "min", "avg", "count", "rate", "increase", "irate", "histogram_quantile", "by",
             "without", "and", "or", "unless", "topk", "clamp_min"}
SUFFIXES = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_sum", "_count", "_created"),
            "gauge": ("",), "summary": ("_sum", "_count", "_created")}
# Added by the scrape (Kubernetes service discovery), or by Prometheus itself for histograms.
SCRAPE_LABELS = {"namespace", "pod", "le"}


def _defined_metrics() -> set[str]:
    names = set()
    for family in prometheus_client.REGISTRY.collect():
        names.update(family.name + suffix for suffix in SUFFIXES.get(family.type, ("",)))
    return names


def _defined_labels() -> set[str]:
    labels = set(SCRAPE_LABELS)
    for module in (oneteam_eventbus.metrics, oneteam_servicekit.http):
        for value in vars(module).values():
            if isinstance(value, MetricWrapperBase):
                labels.update(value._labelnames)
    return labels


def _expressions() -> Iterator[tuple[str, str]]:
    dashboard: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            yield panel["title"], target["expr"]


EXPRESSIONS = list(_expressions())


def _metric_names(expr: str) -> set[str]:
    bare = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)
    bare = re.sub(r"\{[^}]*\}|\[[^\]]*\]|\b(?:by|without)\s*\([^)]*\)", " ", bare)
    return {token for token in re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", bare) if token not in FUNCTIONS}


def _matchers(expr: str) -> list[tuple[str, str, str]]:
    return [(label, operator, value) for block in re.findall(r"\{([^}]*)\}", expr)
            for label, operator, value in re.findall(r'(\w+)\s*(=~|!=|!~|=)\s*"((?:[^"\\]|\\.)*)"', block)]


def test_the_dashboard_has_the_golden_signals_and_the_1358_clock() -> None:
    titles = " ".join(title for title, _ in EXPRESSIONS)

    for signal in ("Requests per second", "5xx", "Latency", "Consumer lag", "stage"):
        assert signal in titles


@pytest.mark.parametrize(("title", "expr"), EXPRESSIONS, ids=[title for title, _ in EXPRESSIONS])
def test_every_expression_names_metrics_the_code_defines(title: str, expr: str) -> None:
    names = _metric_names(expr)

    assert names, f"{title}: no metric found in {expr}"
    assert names <= _defined_metrics(), f"{title}: unknown metrics {names - _defined_metrics()}"


@pytest.mark.parametrize(("title", "expr"), EXPRESSIONS, ids=[title for title, _ in EXPRESSIONS])
def test_every_label_and_fixed_value_exists(title: str, expr: str) -> None:
    grouped = {label.strip() for group in re.findall(r"\bby\s*\(([^)]*)\)", expr) for label in group.split(",")}
    matched = _matchers(expr)
    services = {workload.service for workload in WORKLOADS}
    topic_names = {spec.name for spec in topics()}

    assert grouped | {label for label, _, _ in matched} <= _defined_labels()
    for label, operator, value in matched:
        if operator != "=":
            continue
        known = {"service": services, "type": set(MESSAGES), "topic": topic_names}.get(label)
        assert known is None or value in known, f"{title}: {label}={value!r} names nothing"


def test_the_metric_check_would_catch_a_renamed_metric() -> None:
    assert not _metric_names("rate(oneteam_http_requestz_total[5m])") <= _defined_metrics()
