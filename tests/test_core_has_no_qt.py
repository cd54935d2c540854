"""The core (player/ minus player/ui/) never imports Qt: it runs from a command line and tests fast."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PLAYER = Path(__file__).resolve().parents[1] / "player"


def _core_modules() -> list[Path]:
    return [p for p in PLAYER.rglob("*.py") if "ui" not in p.relative_to(PLAYER).parts]


def test_no_core_module_imports_qt_in_its_source() -> None:
    offenders = []
    for path in _core_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(
                name.split(".")[0] in {"PySide6", "PyQt5", "PyQt6", "shiboken6"} for name in names
            ):
                offenders.append(str(path.relative_to(PLAYER)))
    assert offenders == []


def test_importing_every_core_module_loads_no_qt() -> None:
    modules = sorted(
        ".".join(("player", *p.relative_to(PLAYER).with_suffix("").parts)).removesuffix(".__init__")
        for p in _core_modules()
        if p.name != "__main__.py"
    )
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print(sorted(k for k in sys.modules if k.startswith(('PySide6', 'shiboken6'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert len(modules) > 10
