"""The layer table of docs/architecture.md, checked: which part of ``player/`` may import which.

The table is the rule: each row names parts of ``player/`` (a package such as ``player/store/`` or
a module such as ``player/errors.py``) and what they may import. Every import statement in
``player/`` (module level, inside functions, under ``TYPE_CHECKING``) is checked against it, so the
core never imports ``player.ui`` or ``player.cli`` and the UI never imports sqlmodel, sqlalchemy or
the store. A failure lists each offending import with its file and line.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLAYER = ROOT / "player"
ARCHITECTURE = ROOT / "docs" / "architecture.md"

# Libraries only the rows that name them may import: the database and Qt.
WATCHED = frozenset({"sqlmodel", "sqlalchemy", "PySide6", "shiboken6"})

# Known exceptions, by full name. The UI holds the store handle and the acting learner only to pass
# them to services (it never opens a session: every store call runs in a service on a TaskRunner
# lane). Routing the two types through a service module would only rename them.
EXCEPTIONS: dict[str, frozenset[str]] = {
    "ui": frozenset({"player.store.db.Store", "player.store.models.Profile"}),
}


@dataclass(frozen=True)
class Import:
    path: Path
    line: int
    name: str  # the full dotted name: ``player.store.db.Store``, ``sqlmodel.select``


def part_of(relative: Path) -> str:
    """``store`` for player/store/db.py, ``errors`` for player/errors.py."""
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def layer_table() -> dict[str, frozenset[str]]:
    """Each part → what it may import (its row's names, its row-mates, itself)."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = text.split("## Layers", 1)[1].split("\n## ", 1)[0]
    allowed: dict[str, frozenset[str]] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 3 or "player/" not in cells[0]:
            continue
        paths = re.findall(r"`(player/[^`]*)`", cells[0])
        parts = {part_of(Path(p).relative_to("player")) for p in paths}
        names = set()
        for item in re.split(r",|/| and ", cells[-1]):
            item = item.strip().strip("`").strip()
            if item.isidentifier():
                names.add(item)
        for part in parts:
            assert part not in allowed, f"{part} has two rows in the layer table"
            allowed[part] = frozenset(names | parts)
    return allowed


def imports(path: Path, source: str | None = None) -> list[Import]:
    """Every name the module at ``path`` (or ``source`` as if it were there) imports."""
    package = path.relative_to(PLAYER.parent).parts[:-1]  # for relative imports
    if source is None:
        source = path.read_text(encoding="utf-8")
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [Import(path, node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - (node.level - 1)])
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found += [Import(path, node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def target_part(name: str) -> str | None:
    """The part of ``player/`` (or the watched library) an imported name belongs to."""
    top, _dot, rest = name.partition(".")
    if top == "player":
        return rest.split(".")[0] if rest else "__init__"
    return top if top in WATCHED else None


def test_the_layer_table_names_every_part_and_only_real_names() -> None:
    table = layer_table()
    parts = {part_of(p.relative_to(PLAYER)) for p in PLAYER.rglob("*.py")}
    missing = sorted(parts - table.keys())
    assert missing == [], (
        f"parts of player/ in no row of the layer table: {missing}. Add each to a row of the "
        "table under '## Layers' in docs/architecture.md, with what it may import."
    )
    unknown = sorted(
        f"{part}: {name}" for part, names in table.items() for name in names - parts - WATCHED
    )
    assert unknown == [], f"names in the layer table that are no part of player/: {unknown}"
    # The rules the product brief states, read from the table itself.
    core = [part for part in table if part not in ("ui", "cli", "__main__")]
    assert [part for part in core if table[part] & {"ui", "cli"}] == []
    assert "cli" not in table["ui"]
    assert table["ui"].isdisjoint({"sqlmodel", "sqlalchemy", "store"})
    assert [k for k, v in table.items() if v & {"PySide6", "shiboken6"}] == ["ui"]


def test_every_import_in_player_follows_the_layer_table() -> None:
    table = layer_table()
    offenders: dict[str, list[str]] = {}  # "file:line" → the names it imports against the table
    for path in sorted(PLAYER.rglob("*.py")):
        part = part_of(path.relative_to(PLAYER))
        may = ", ".join(sorted(table.get(part, frozenset()) - {part})) or "nothing of ours"
        for found in imports(path):
            target = target_part(found.name)
            if target is None or target == part or target in table.get(part, frozenset()):
                continue
            if found.name in EXCEPTIONS.get(part, frozenset()):
                continue
            where = f"{found.path.relative_to(ROOT)}:{found.line} ({part} may import only {may})"
            offenders.setdefault(where, []).append(found.name)
    assert not offenders, (
        "imports against the layer table in docs/architecture.md ('## Layers'); remove each, or, if "
        "the dependency is meant, name the target in the importing part's row:\n"
        + "\n".join(f"{where}: {', '.join(names)}" for where, names in offenders.items())
    )


def test_the_check_sees_imports_inside_functions_and_relative_ones() -> None:
    """The checker itself: a late import in a function and a relative import are both seen."""
    source = "def f():\n    from ..store import models\n    import sqlmodel\n"
    found = [(i.line, i.name) for i in imports(PLAYER / "ui" / "sample.py", source)]
    assert found == [(2, "player.store.models"), (3, "sqlmodel")]
    assert [target_part(name) for _line, name in found] == ["store", "sqlmodel"]
