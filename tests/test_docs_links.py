"""Every relative link in the project's Markdown points to a file in the repository.

A stranger's clone has nothing beside it: a link out of the repository, or to a file that was
moved, is a dead end for them. Web links (``https:``, ``mailto:``) are not checked.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP = {".git", ".venv", "node_modules", "build", "dist"}
LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def markdown_files() -> list[Path]:
    return sorted(
        path for path in ROOT.rglob("*.md") if not SKIP.intersection(path.relative_to(ROOT).parts)
    )


def dead_links(path: Path, text: str) -> list[str]:
    dead = []
    for match in LINK.finditer(text):
        target = match.group(1).split("#", 1)[0]
        if not target or re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", target):
            continue  # an anchor on the same page, or a web link
        resolved = (path.parent / target).resolve()
        line = text.count("\n", 0, match.start()) + 1
        where = f"{path.relative_to(ROOT)}:{line} → {target}"
        if not resolved.is_relative_to(ROOT):
            dead.append(f"{where} (outside the repository)")
        elif not resolved.exists():
            dead.append(f"{where} (no such file)")
    return dead


def test_every_relative_link_in_the_docs_leads_to_a_file_in_the_repository() -> None:
    files = markdown_files()
    assert ROOT / "README.md" in files and ROOT / "docs" / "contract" / "README.md" in files
    dead = [d for path in files for d in dead_links(path, path.read_text(encoding="utf-8"))]
    assert dead == [], "dead links:\n" + "\n".join(dead)


def test_the_check_finds_a_link_out_of_the_repository_and_a_missing_file() -> None:
    page = ROOT / "docs" / "page.md"
    text = "See [the contract](../../elsewhere/contract/README.md) and [x](gone.md).\n[web](https://a.b)"
    assert dead_links(page, text) == [
        "docs/page.md:1 → ../../elsewhere/contract/README.md (outside the repository)",
        "docs/page.md:1 → gone.md (no such file)",
    ]
