"""Users' knobs as YAML files with a schema: read, validated, and refused with the line at fault.

A bad file stops start-up with an error naming the file, the line and the entry, e.g.
``catalogue.yaml line 42: items[3].fine: give max_yuan, or percent_of with max_percent``,
so the person who edited it can find the mistake without reading a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class ConfigError(ValueError):
    """A configuration file that does not fit its schema; the message names file, line and entry."""


def load_model(path: Path, model: type[M]) -> M:
    """Read `path` as YAML and validate it as `model`."""
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{line}: not valid YAML: {error}") from None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        loc = tuple(first["loc"])
        where = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc).replace(".[", "[")
        raise ConfigError(f"{path} line {_line(root, loc)}: {where or 'file'}: {first['msg']}") from None


def tenant_dirs(config_dir: str | None, demo_dir: Path, filename: str) -> list[Path]:
    """Tenant folders holding `filename`: under the configured folder, or the shipped demo's."""
    base = Path(config_dir) if config_dir else demo_dir
    return sorted(p.parent for p in base.glob(f"*/{filename}"))


def _line(node: Any, loc: tuple[Any, ...]) -> int:
    # Walk the YAML node tree along the error's location; the deepest node found gives the line.
    line = node.start_mark.line + 1 if node is not None else 1
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line
