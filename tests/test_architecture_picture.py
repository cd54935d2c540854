"""docs/architecture.svg, the map of ``player/``, is what docs/diagrams/architecture_svg.py draws
from the tree now: a new screen package or service changes the picture, so it cannot go stale."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "docs" / "diagrams" / "architecture_svg.py"


def drawer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("architecture_svg", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def test_the_committed_picture_is_what_the_script_draws_from_the_tree() -> None:
    drawn = drawer().draw()
    committed = (ROOT / "docs" / "architecture.svg").read_text(encoding="utf-8")
    assert committed == drawn, (
        "docs/architecture.svg is out of date: run python docs/diagrams/architecture_svg.py"
    )


def test_the_picture_names_every_screen_package_and_service(tmp_path: Path) -> None:
    """The map is drawn from the tree: a new screen package shows up in it."""
    module = drawer()
    svg = ElementTree.fromstring(module.draw())
    words = {node.text for node in svg.iter("{http://www.w3.org/2000/svg}text")}
    screens = {p.name for p in (ROOT / "player" / "ui").iterdir() if (p / "__init__.py").exists()}
    assert {f"{name}/" for name in screens} <= words
    assert {"reading", "handles", "access"} <= words
    fake = tmp_path / "player"
    for folder in (
        "ui/newscreen",
        "ui/shell",
        "cli",
        "sync",
        "export",
        "services",
        "package",
        "render",
        "search",
    ):
        (fake / folder).mkdir(parents=True)
        (fake / folder / "__init__.py").write_text("", encoding="utf-8")
    words = {
        node.text
        for node in ElementTree.fromstring(module.draw(fake)).iter(
            "{http://www.w3.org/2000/svg}text"
        )
    }
    assert "newscreen/" in words and "shell/" in words
