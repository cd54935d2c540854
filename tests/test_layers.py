"""The layer table of docs/architecture.md, checked: which part of ``player/`` may import which.

The table is the rule: each row names parts of ``player/`` (a package such as ``player/store/`` or
a module such as ``player/errors.py``) and what they may import. Every import statement in
``player/`` (module level, inside functions, under ``TYPE_CHECKING``) is checked against it, so the
core never imports ``player.ui`` or ``player.cli`` and the UI never imports sqlmodel, sqlalchemy or
the store. A failure lists each offending import with its file and line.

It also checks that no two modules of ``player/`` import each other, directly or round a circle
(``test_no_import_cycle_in_player``): imports under ``TYPE_CHECKING`` count (a helper that names
the main window's class only for its type hints is still tied to it), imports inside functions
do not (they are how a module defers a heavy import, and they cannot deadlock an import).
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


def module_name(path: Path) -> str:
    """``player.ui.shell.app`` for player/ui/shell/app.py, ``player.ui`` for its __init__.py."""
    parts = list(path.relative_to(PLAYER.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def module_imports(path: Path, source: str | None = None) -> list[Import]:
    """The imports of a module that run when it is imported or type-checked: at module level,
    under ``if``/``try`` (``TYPE_CHECKING`` too) and in class bodies, not inside functions."""
    package = path.relative_to(PLAYER.parent).parts[:-1]
    if source is None:
        source = path.read_text(encoding="utf-8")
    found: list[Import] = []
    pending: list[ast.AST] = [ast.parse(source)]
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Import):
            found += [Import(path, node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - (node.level - 1)])
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found += [Import(path, node.lineno, f"{module}.{alias.name}") for alias in node.names]
        else:
            pending.extend(ast.iter_child_nodes(node))
    return found


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module → the modules of ``player/`` it imports (``module_imports``).

    ``from a.b import c`` is an edge to ``a.b.c`` when that is a module, else to ``a.b``;
    importing ``a.b.c`` also imports the packages ``a`` and ``a.b``, except the importer's own
    packages (Python has imported those before the importer runs)."""
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        own = {name.rsplit(".", depth)[0] for depth in range(1, name.count(".") + 1)}
        targets: set[str] = set()
        for found in module_imports(path):
            target = found.name
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if not target:
                continue
            pieces = target.split(".")
            targets |= {".".join(pieces[:n]) for n in range(1, len(pieces) + 1)}
        graph[name] = targets - own - {name}
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every group of modules that import one another round a circle (Tarjan's strongly
    connected components with more than one module), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(graph.get(module, ())):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(cycles)


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


def test_no_import_cycle_in_player() -> None:
    modules = {module_name(path): path for path in PLAYER.rglob("*.py")}
    graph = import_graph(modules)
    cycles = import_cycles(graph)
    assert cycles == [], (
        "modules of player/ that import one another (under TYPE_CHECKING too); give the helper "
        "a small interface (a Protocol of what it needs, as player/ui/kiosk/controller.py does) "
        "or move what both need into a third module:\n"
        + "\n".join(
            " ↔ ".join(group)
            + ":\n"
            + "\n".join(
                f"    {module} imports {', '.join(sorted(graph[module] & set(group)))}"
                for module in group
            )
            for group in cycles
        )
    )


def test_the_cycle_check_sees_a_circle_through_type_checking_and_not_through_functions() -> None:
    """The checker itself: a circle closed by a ``TYPE_CHECKING`` import is one; a circle
    closed by an import inside a function is none; a module's own package is no edge."""
    sources = {
        "window": "from player.ui.helper import Helper\n",
        "helper": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from player.ui.window import Window\n",
        "late": "def f():\n    from player.ui.window import Window\n",
    }
    found = {
        name: {i.name for i in module_imports(PLAYER / "ui" / f"{name}.py", source)}
        for name, source in sources.items()
    }
    assert found == {
        "window": {"player.ui.helper.Helper"},
        "helper": {"typing.TYPE_CHECKING", "player.ui.window.Window"},
        "late": set(),
    }
    graph = {
        "player.ui.window": {"player.ui.helper"},
        "player.ui.helper": {"player.ui.window"},
        "player.ui.late": set(),
        "player.ui.other": {"player.ui.window"},
    }
    assert import_cycles(graph) == [["player.ui.helper", "player.ui.window"]]
    assert import_cycles({**graph, "player.ui.helper": set()}) == []
    package_and_module = {
        "player.ui.sync": PLAYER / "ui" / "sync" / "__init__.py",
        "player.ui.sync.controller": PLAYER / "ui" / "sync" / "controller.py",
        "player.ui.sync.status_widget": PLAYER / "ui" / "sync" / "status_widget.py",
    }
    # status_widget imports player.ui.sync.controller, whose package is its own: no edge back
    edges = import_graph(package_and_module)
    assert "player.ui.sync" not in edges["player.ui.sync.status_widget"]
    assert "player.ui.sync.status_widget" in edges["player.ui.sync"]
