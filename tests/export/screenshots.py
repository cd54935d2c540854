"""Regenerate the export screenshots in docs/screenshots/ (needs pdftoppm and chromium).

    .venv/bin/python -m tests.export.screenshots

- ``pdf-title.png``, ``pdf-toc.png``, ``pdf-lesson.png``: pages of the First Aid Basics sample
  (Git Basics when the samples are absent) and a Git Basics lesson, with ``pdftoppm -r 60``;
- ``pdf-multilingual.png``: the four lesson pages of the multilingual fixture side by side;
- ``lms-lesson.png``, ``lms-lesson-phone.png``: a lesson page of the LMS package in headless
  Chromium (``--screenshot``), at desktop and phone widths.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from PIL import Image

from player.export.lms import build_lms
from player.export.pdf import build_pdf
from player.package import ParsedPackage, parse_package
from tests.conftest import FIXTURES, REPO, SAMPLES
from tests.export.chromium import FLAGS, find_chromium

OUT = REPO / "docs" / "screenshots"


def _pdf(parsed: ParsedPackage, folder: Path, name: str) -> Path:
    path = folder / f"{name}.pdf"
    with path.open("wb") as out:
        build_pdf(parsed, out)
    return path


def _page(pdf: Path, page: int, folder: Path) -> Image.Image:
    prefix = folder / f"{pdf.stem}-{page}"
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-singlefile", "-f", str(page), "-l", str(page),
         str(pdf), str(prefix)],
        check=True,
    )  # fmt: skip
    return Image.open(f"{prefix}.png").convert("RGB")


def _border(image: Image.Image) -> Image.Image:
    """A thin grey frame, so that a white page stands out on a white README."""
    framed = Image.new("RGB", (image.width + 2, image.height + 2), (190, 194, 200))
    framed.paste(image, (1, 1))
    return framed


def _side_by_side(images: list[Image.Image], gap: int = 12) -> Image.Image:
    width = sum(i.width for i in images) + gap * (len(images) - 1)
    sheet = Image.new("RGB", (width, max(i.height for i in images)), (255, 255, 255))
    x = 0
    for image in images:
        sheet.paste(image, (x, 0))
        x += image.width + gap
    return sheet


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sample = SAMPLES / "first-aid-basics.json"
        book = parse_package(
            (sample if sample.exists() else FIXTURES / "git-basics.json").read_bytes()
        )
        git = parse_package((FIXTURES / "git-basics.json").read_bytes())
        world = parse_package((FIXTURES / "multilingual.json").read_bytes())
        book_pdf = _pdf(book, folder, "book")
        git_pdf = _pdf(git, folder, "git")
        world_pdf = _pdf(world, folder, "world")
        _border(_page(book_pdf, 1, folder)).save(OUT / "pdf-title.png")
        _border(_page(book_pdf, 2, folder)).save(OUT / "pdf-toc.png")
        _border(_page(git_pdf, 5, folder)).save(OUT / "pdf-lesson.png")
        pages = [_border(_page(world_pdf, n, folder)) for n in (3, 4, 5, 6)]
        _side_by_side(pages).save(OUT / "pdf-multilingual.png")

        out = io.BytesIO()
        build_lms(git, out)
        site = folder / "site"
        zipfile.ZipFile(out).extractall(site)
        [lesson] = sorted((site / "lessons").glob("003-*.html"))
        profile = folder / "chromium-profile"
        shot = folder / "lms.png"
        subprocess.run(
            [find_chromium(), *FLAGS, f"--user-data-dir={profile}", "--window-size=900,1250",
             f"--screenshot={shot}", lesson.as_uri()],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        shutil.copy(shot, OUT / "lms-lesson.png")
        subprocess.run(
            [find_chromium(), *FLAGS, f"--user-data-dir={profile}", "--window-size=390,844",
             f"--screenshot={shot}", lesson.as_uri()],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        shutil.copy(shot, OUT / "lms-lesson-phone.png")
    for name in sorted(p.name for p in OUT.glob("*.png") if p.name.startswith(("pdf-", "lms-"))):
        print(OUT / name)


if __name__ == "__main__":
    main()
