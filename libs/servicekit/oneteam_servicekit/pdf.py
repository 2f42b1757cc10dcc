"""Chinese documents as PDF, with reportlab's built-in CID font (STSong-Light), so no font file
has to be shipped or installed. Needs the `documents` extra (`oneteam-servicekit[documents]`)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
_MARGIN, _SIZE, _LEADING = 64.0, 11.0, 18.0


def render_pdf(title: str, number: str, lines: Sequence[str]) -> bytes:
    """An A4 PDF: title, number, then the lines wrapped to the page width (a blank line stays blank)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    width, height = A4
    canvas.setTitle(f"{title} {number}")
    canvas.setFont(FONT, 18)
    canvas.drawCentredString(width / 2, height - _MARGIN, title)
    canvas.setFont(FONT, _SIZE)
    canvas.drawCentredString(width / 2, height - _MARGIN - 26, number)
    y = height - _MARGIN - 60
    for line in lines:
        for row in _wrap(line, width - 2 * _MARGIN) or [""]:
            if y < _MARGIN:
                canvas.showPage()
                canvas.setFont(FONT, _SIZE)
                y = height - _MARGIN
            canvas.drawString(_MARGIN, y, row)
            y -= _LEADING
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _wrap(text: str, width: float) -> list[str]:
    # Chinese wraps between any two characters; measure with the font rather than count them.
    rows, row = [], ""
    for char in text:
        if row and pdfmetrics.stringWidth(row + char, FONT, _SIZE) > width:
            rows.append(row)
            row = ""
        row += char
    return [*rows, row] if row else rows
