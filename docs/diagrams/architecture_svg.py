"""Draws docs/architecture.svg, the map of ``player/``, from the packages and modules on disk.

Run ``python docs/diagrams/architecture_svg.py`` after adding a screen package or a service;
``tests/test_architecture_picture.py`` fails while the committed picture differs from what this
script draws, so the map cannot go stale. Plain SVG text: boxes, labels and arrows, no fonts
embedded, nothing to install.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[2]
PLAYER = ROOT / "player"
TARGET = ROOT / "docs" / "architecture.svg"

WIDTH = 960
LEFT = 24
FONT = "font-family='DejaVu Sans, Verdana, sans-serif'"
COLOURS = {
    "ui": ("#e8f0fe", "#3367d6"),
    "cli": ("#fef7e0", "#b06000"),
    "services": ("#e6f4ea", "#137333"),
    "core": ("#f1f3f4", "#5f6368"),
    "store": ("#fce8e6", "#c5221f"),
    "lane": ("#ffffff", "#3367d6"),
}


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int
    h: int

    @property
    def top(self) -> tuple[int, int]:
        return self.x + self.w // 2, self.y

    @property
    def bottom(self) -> tuple[int, int]:
        return self.x + self.w // 2, self.y + self.h


def packages(folder: Path) -> list[str]:
    """The packages directly in ``folder`` (folders with an ``__init__.py``), sorted."""
    return sorted(p.name for p in folder.iterdir() if (p / "__init__.py").is_file())


def modules(folder: Path) -> list[str]:
    """The modules directly in ``folder``, without ``__init__``, sorted."""
    return sorted(p.stem for p in folder.glob("*.py") if p.stem != "__init__")


def rect(box: Box, kind: str, *, rx: int = 8) -> str:
    fill, stroke = COLOURS[kind]
    return (
        f"<rect x='{box.x}' y='{box.y}' width='{box.w}' height='{box.h}' rx='{rx}' "
        f"fill='{fill}' stroke='{stroke}' stroke-width='1.5'/>"
    )


def text(
    x: int, y: int, words: str, *, size: int = 13, bold: bool = False, anchor: str = "start"
) -> str:
    weight = " font-weight='bold'" if bold else ""
    return (
        f"<text x='{x}' y='{y}' {FONT} font-size='{size}'{weight} text-anchor='{anchor}' "
        f"fill='#202124'>{escape(words)}</text>"
    )


def arrow(start: tuple[int, int], end: tuple[int, int], label: str = "") -> list[str]:
    (x1, y1), (x2, y2) = start, end
    parts = [
        f"<line x1='{x1}' y1='{y1}' x2='{x2}' y2='{y2}' stroke='#5f6368' stroke-width='1.5' "
        "marker-end='url(#head)'/>"
    ]
    if label:
        parts.append(text((x1 + x2) // 2 + 6, (y1 + y2) // 2 + 4, label, size=11))
    return parts


def chips(x: int, y: int, width: int, names: list[str], kind: str) -> tuple[list[str], int]:
    """Small labelled boxes in rows inside ``width``; the SVG and the height they take."""
    parts: list[str] = []
    cx, cy, row_h = x, y, 24
    for name in names:
        w = 14 + 7 * len(name)
        if cx + w > x + width:
            cx, cy = x, cy + row_h + 6
        parts.append(rect(Box(cx, cy, w, row_h), kind, rx=5))
        parts.append(text(cx + w // 2, cy + 16, name, size=12, anchor="middle"))
        cx += w + 6
    return parts, cy + row_h - y


def layer(
    parts: list[str], y: int, title: str, names: list[str], kind: str, x: int = 24, w: int = 912
) -> Box:
    """A labelled box of chips (``names``) at ``y``; its box."""
    inner, inner_h = chips(x + 16, y + 32, w - 32, names, "lane")
    box = Box(x, y, w, inner_h + 46)
    parts += [rect(box, kind), text(x + 12, y + 21, title, bold=True)]
    parts += inner
    return box


def draw(player: Path = PLAYER) -> str:
    """The picture of the tree at ``player`` (the project's ``player/`` by default)."""
    parts: list[str] = []
    parts.append(
        text(
            WIDTH // 2,
            28,
            "player/: who uses whom (arrows), drawn from the tree",
            size=16,
            bold=True,
            anchor="middle",
        )
    )
    y = 46
    ui_names = [f"{name}/" for name in packages(player / "ui")] + ["tasks.py"]
    ui = layer(parts, y, "player/ui: the Qt window, one package per screen", ui_names, "ui", w=600)
    cli = layer(parts, y, "player/cli: course-player", modules(player / "cli"), "cli", x=636, w=300)
    y = max(ui.y + ui.h, cli.y + cli.h) + 36

    lanes = Box(24, y, 600, 60)
    parts += [
        rect(lanes, "ui"),
        text(
            36,
            y + 20,
            "TaskRunner lanes: ops run off the UI thread, results come back on it",
            size=12,
            bold=True,
        ),
    ]
    lane_x = 36
    for lane, what in (
        ("read", "reads, exports"),
        ("write", "the one writer"),
        ("network", "sync, sign-in, buy"),
    ):
        parts += [
            rect(Box(lane_x, y + 29, 188, 22), "lane", rx=5),
            text(lane_x + 94, y + 44, f"{lane}: {what}", size=11, anchor="middle"),
        ]
        lane_x += 194
    parts += arrow(ui.bottom, lanes.top)
    y += lanes.h + 36

    sync = layer(
        parts, y, "player/sync: the contract's client", modules(player / "sync"), "core", w=446
    )
    export = layer(
        parts, y, "player/export: PDF, SCORM", modules(player / "export"), "core", x=490, w=446
    )
    parts += arrow((sync.x + sync.w // 2, lanes.y + lanes.h), sync.top, "network lane")
    parts += arrow((export.x + 80, lanes.y + lanes.h), (export.x + 80, export.y), "read lane")
    parts += arrow(
        (cli.x + cli.w // 2, cli.y + cli.h), (cli.x + cli.w // 2, export.y), "also sync, services"
    )
    y = max(sync.y + sync.h, export.y + export.h) + 36

    services = layer(
        parts,
        y,
        "player/services: the one way in (reading: what the window shows, immutable values)",
        modules(player / "services"),
        "services",
    )
    parts += arrow(sync.bottom, (sync.bottom[0], services.y))
    parts += arrow(export.bottom, (export.bottom[0], services.y))
    # the window's read and write lanes reach the services round the left of sync
    lane_exit = lanes.y + lanes.h // 2
    parts.append(
        f"<path d='M{lanes.x},{lane_exit} L{lanes.x - 12},{lane_exit} "
        f"L{lanes.x - 12},{services.y + 16} L{lanes.x},{services.y + 16}' stroke='#5f6368' "
        "stroke-width='1.5' fill='none' marker-end='url(#head)'/>"
    )
    parts.append(text(lanes.x + 8, services.y - 8, "read and write lanes", size=11))
    y = services.y + services.h + 36

    core = ["package", "render", "search"]
    boxes = []
    x = 24
    for name in core:
        box = Box(x, y, 300, 46)
        boxes.append(box)
        parts += [
            rect(box, "core"),
            text(x + 150, y + 20, f"player/{name}", bold=True, anchor="middle"),
            text(x + 150, y + 37, ", ".join(modules(player / name)), size=10, anchor="middle"),
        ]
        x += 306
    for box in boxes:
        parts += arrow((box.top[0], services.y + services.h), box.top)
    y += 46 + 36

    store = Box(24, y, 912, 52)
    parts += [
        rect(store, "store"),
        text(
            36,
            y + 21,
            "player/store: SQLite (SQLModel, WAL, ordered migrations); one writer (Store.write)",
            bold=True,
        ),
        text(
            36,
            y + 40,
            "the window never opens a session: it holds the Store handle and the acting Profile (services/handles.py)",
            size=11,
        ),
    ]
    parts += arrow(boxes[2].bottom, (boxes[2].bottom[0], store.y), "the index")
    # the services' sessions reach the store round the right of package, render and search
    right = services.x + services.w
    side = services.y + services.h // 2
    parts.append(
        f"<path d='M{right},{side} L{right + 12},{side} L{right + 12},{store.y + 26} "
        f"L{right},{store.y + 26}' stroke='#5f6368' stroke-width='1.5' fill='none' "
        "marker-end='url(#head)'/>"
    )
    y += store.h + 20

    head = (
        "<defs><marker id='head' markerWidth='10' markerHeight='8' refX='9' refY='4' orient='auto'>"
        "<path d='M0,0 L10,4 L0,8 z' fill='#5f6368'/></marker></defs>"
    )
    body = "\n".join(parts)
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{y}' "
        f"viewBox='0 0 {WIDTH} {y}'>\n<rect width='100%' height='100%' fill='white'/>\n"
        f"{head}\n{body}\n</svg>\n"
    )


def main() -> int:
    TARGET.write_text(draw(), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
