"""The repository's Markdown stands on its own: every relative link reaches a file (and heading)
inside the repository, so a reader of the project alone never meets a dead link."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Tool and build folders hold other projects' Markdown (virtualenv, caches, data, egg-info).
SKIPPED_DIRS = {"node_modules", "__pycache__"}

_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_CODE_SPAN = re.compile(r"(`+).*?\1")
_INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+[\"'(][^)]*)?\)")
_REFERENCE_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")
_HTML_LINK = re.compile(r"""<(?:a|img)\b[^>]*?\b(?:href|src)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")


@dataclass(frozen=True)
class Link:
    """One link as written in a Markdown file."""

    source: Path
    line: int
    target: str

    def __str__(self) -> str:
        return f"{self.source.relative_to(ROOT)}:{self.line}: {self.target}"


def markdown_files(root: Path = ROOT) -> list[Path]:
    """Every Markdown file of the repository, outside hidden, tool and build folders."""
    found = []
    for folder, dirs, files in os.walk(root):
        # Pruned in place, so .venv and .data (databases, Kafka jars) are never walked.
        dirs[:] = [d for d in dirs if not (d.startswith(".") or d in SKIPPED_DIRS or d.endswith(".egg-info"))]
        found += [Path(folder) / name for name in files if name.endswith(".md")]
    return sorted(found)


def _prose_lines(text: str) -> Iterator[tuple[int, str]]:
    """Numbered lines outside fenced code blocks, with inline code spans blanked out."""
    fence: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        opening = _FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)
            continue
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
            continue
        yield number, _CODE_SPAN.sub("", line)


def links(path: Path) -> list[Link]:
    """The links of one Markdown file: inline, reference definitions and HTML href/src."""
    found = []
    for number, line in _prose_lines(path.read_text(encoding="utf-8")):
        targets = [m.group(1) for m in _INLINE_LINK.finditer(line)]
        targets += [m.group(1) for m in _REFERENCE_DEF.finditer(line)]
        targets += [m.group(1) for m in _HTML_LINK.finditer(line)]
        found += [Link(path, number, t.strip("<>")) for t in targets]
    return found


def anchors(path: Path) -> set[str]:
    """The heading anchors a Markdown file offers, slugged the way GitHub does it."""
    seen: dict[str, int] = {}
    result = set()
    for _, line in _prose_lines(path.read_text(encoding="utf-8")):
        heading = _HEADING.match(line)
        if heading is None:
            continue
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading.group(1))  # a link keeps its text
        slug = re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        result.add(slug if count == 0 else f"{slug}-{count}")
    return result


def problem(link: Link, root: Path = ROOT) -> str | None:
    """Why `link` is broken, or None when it is fine (or not a relative link at all)."""
    if _SCHEME.match(link.target) or link.target.startswith("//"):
        return None  # a URL: not a file of ours
    path_part, _, fragment = link.target.partition("#")
    path_part = unquote(path_part.split("?", 1)[0])
    if path_part.startswith("/"):
        return "absolute path: write it relative to the file"
    target = (link.source.parent / path_part).resolve() if path_part else link.source
    if not target.is_relative_to(root.resolve()):
        return "points outside the repository"
    if not target.exists():
        return "no such file or folder"
    if fragment and target.suffix == ".md" and unquote(fragment).lower() not in anchors(target):
        return f"no heading #{fragment} in {target.relative_to(root.resolve())}"
    return None


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_reaches_a_file_in_the_repository(path: Path) -> None:
    broken = [f"{link} — {reason}" for link in links(path) if (reason := problem(link)) is not None]
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_the_readme_and_the_guides_are_checked() -> None:
    checked = {p.relative_to(ROOT).as_posix() for p in markdown_files()}
    assert {"README.md", "docs/domain.md", "docs/contributing.md"} <= checked


def test_a_link_leaving_the_repository_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "repo" / "README.md"
    page.parent.mkdir()
    (tmp_path / "shared.md").write_text("# Outside\n")
    page.write_text("See [the brief](../shared.md).\n")
    [link] = links(page)
    assert problem(link, root=page.parent) == "points outside the repository"


def test_a_link_to_a_missing_file_or_heading_is_refused(tmp_path: Path) -> None:
    (tmp_path / "guide.md").write_text("# Words we use (ubiquitous language)\n")
    page = tmp_path / "README.md"
    page.write_text("[gone](docs/gone.md) [words](guide.md#words-we-use-ubiquitous-language) "
                    "[wrong](guide.md#words)\n")
    reasons = [problem(link, root=tmp_path) for link in links(page)]
    assert reasons == ["no such file or folder", None, "no heading #words in guide.md"]


def test_urls_and_links_inside_code_are_left_alone(tmp_path: Path) -> None:
    page = tmp_path / "README.md"
    page.write_text("[site](https://example.org) [mail](mailto:a@example.org)\n"
                    "`[not a link](nowhere.md)`\n```\n[also not](nowhere.md)\n```\n")
    assert [problem(link, root=tmp_path) for link in links(page)] == [None, None]
