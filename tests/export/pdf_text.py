"""Reading an exported PDF back with pypdf: its text without footers, its outline, its contents."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from pypdf import PdfReader

_SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    """Whitespace-insensitive form: the PDF wraps lines where the source did not."""
    return _SPACE.sub(" ", text).strip()


@dataclass
class PdfView:
    reader: PdfReader
    pages: list[str]  # text of each page, without the footer

    @property
    def text(self) -> str:
        return squash(" ".join(self.pages))

    def outline(self) -> list[tuple[str, int]]:
        """(title, 1-based page) of the top-level outline entries."""
        entries = []
        for item in self.reader.outline:
            assert not isinstance(item, list), "the outline has only top-level entries"
            page = self.reader.get_destination_page_number(item)
            assert page is not None and item.title is not None
            entries.append((str(item.title), page + 1))
        return entries


def read_pdf(data: bytes) -> PdfView:
    reader = PdfReader(io.BytesIO(data))
    pages = []
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text() or ""
        if number > 1:
            # The footer (course title, page number) is drawn first on every page but the title page.
            lines = text.split("\n")
            if len(lines) >= 2 and lines[1].strip() == str(number):
                text = "\n".join(lines[2:])
        pages.append(text)
    return PdfView(reader, pages)
