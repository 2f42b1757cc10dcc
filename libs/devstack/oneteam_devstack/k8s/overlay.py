"""Build a kustomization in Python, for checks where `kubectl kustomize` is not installed.

Only what deploy/k8s uses: `resources` (files and directories), `components` (their
patches), `namespace`, `labels`, `images`, `configMapGenerator` (create and merge) and JSON
6902 `patches` with `replace` or `add` operations and a `target` selecting by group, kind and
name (a regular expression).
Anything else is refused, so a kustomization that grows past this subset fails the check
instead of being validated wrongly. ConfigMap names carry no hash suffix here; where kubectl is
installed, tests/deploy/test_k8s.py compares this build with kubectl's.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml

Manifest = dict[str, Any]
SUPPORTED = {"apiVersion", "kind", "resources", "components", "namespace", "labels", "images", "configMapGenerator",
             "patches"}


class UnsupportedKustomization(ValueError):
    """The kustomization uses a feature this builder does not implement."""


def build(directory: Path) -> list[Manifest]:
    """The documents `kubectl kustomize <directory>` would print (names of ConfigMaps unhashed)."""
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text(encoding="utf-8"))
    unknown = set(kustomization) - SUPPORTED
    if unknown:
        raise UnsupportedKustomization(f"{directory}/kustomization.yaml: unsupported fields {sorted(unknown)}")
    documents: list[Manifest] = []
    for resource in kustomization.get("resources", []):
        path = directory / resource
        if path.is_dir():
            documents += build(path)
        else:
            documents += [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]
    for component in kustomization.get("components", []):
        # A component's patches apply to what the including kustomization has built so far,
        # before its own generators and patches (kustomize's order).
        included = yaml.safe_load((directory / component / "kustomization.yaml").read_text(encoding="utf-8"))
        if set(included) - {"apiVersion", "kind", "patches"}:
            raise UnsupportedKustomization(f"{component}: only patches are supported in a component")
        for patch in included.get("patches", []):
            _patch(documents, patch)
    for generator in kustomization.get("configMapGenerator", []):
        _generate_config_map(documents, generator)
    for patch in kustomization.get("patches", []):
        _patch(documents, patch)
    for image in kustomization.get("images", []):
        _set_image(documents, image)
    for entry in kustomization.get("labels", []):
        for document in documents:
            document["metadata"].setdefault("labels", {}).update(entry["pairs"])
    if "namespace" in kustomization:
        for document in documents:
            document["metadata"]["namespace"] = kustomization["namespace"]
    return documents


def _generate_config_map(documents: list[Manifest], generator: dict[str, Any]) -> None:
    data = dict(literal.split("=", 1) for literal in generator.get("literals", []))
    behavior = generator.get("behavior", "create")
    existing = [d for d in documents if d["kind"] == "ConfigMap" and d["metadata"]["name"] == generator["name"]]
    if behavior == "merge":
        if not existing:
            raise UnsupportedKustomization(f"configMapGenerator {generator['name']}: nothing to merge into")
        existing[0]["data"].update(data)
    elif behavior == "create":
        documents.insert(0, {"apiVersion": "v1", "kind": "ConfigMap",
                             "metadata": {"name": generator["name"]}, "data": data})
    else:
        raise UnsupportedKustomization(f"configMapGenerator behavior {behavior!r}")


def _selected(document: Manifest, target: dict[str, str]) -> bool:
    group = document["apiVersion"].rpartition("/")[0]
    return ((target.get("kind") in (None, document["kind"]))
            and (target.get("group") in (None, group))
            and re.fullmatch(target.get("name", ".*"), document["metadata"]["name"]) is not None)


def _patch(documents: list[Manifest], patch: dict[str, Any]) -> None:
    operations = yaml.safe_load(patch["patch"])
    for document in documents:
        if not _selected(document, patch["target"]):
            continue
        for operation in operations:
            if operation["op"] not in ("replace", "add"):
                raise UnsupportedKustomization(f"patch operation {operation['op']!r}")
            *parents, last = [_step(part) for part in operation["path"].lstrip("/").split("/")]
            node: Any = document
            for part in parents:
                node = node[part]
            if operation["op"] == "replace" and not _has(node, last):
                raise UnsupportedKustomization(f"replace of a missing {operation['path']}")
            if last == "-" and isinstance(node, list):
                node.append(copy.deepcopy(operation["value"]))
            else:
                node[last] = copy.deepcopy(operation["value"])


def _has(node: Any, step: str | int) -> bool:
    if isinstance(node, dict):
        return step in node
    return isinstance(step, int) and step < len(node)


def _step(part: str) -> str | int:
    part = part.replace("~1", "/").replace("~0", "~")
    return int(part) if part.isdigit() else part


def _set_image(documents: list[Manifest], image: dict[str, str]) -> None:
    for document in documents:
        template = document.get("spec", {}).get("template", {}).get("spec", {})
        for container in template.get("containers", []):
            if container["image"].split(":")[0] == image["name"]:
                container["image"] = f"{image.get('newName', image['name'])}:{image['newTag']}"
