"""Chinese documents as PDF, with reportlab's built-in CID font (STSong-Light), so no font file
has to be shipped or installed. Needs the `documents` extra (`oneteam-servicekit[documents]`)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
_MARGIN, _SIZE, _LEADING, _GAP = 64.0, 11.0, 18.0, 12.0


def render_pdf(title: str, number: str, lines: Sequence[str], images: Sequence[bytes] = ()) -> bytes:
    """An A4 PDF: title, number, the lines wrapped to the page width (a blank line stays blank), then the images.

    Each image (PNG or JPEG bytes) is drawn at one pixel a point, shrunk to the text's width and
    the page's height with its aspect ratio kept, and starts a new page when the rest of this
    one cannot hold it. Bytes that are no image raise ValueError.
    """
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
                y = _new_page(canvas)
            canvas.drawString(_MARGIN, y, row)
            y -= _LEADING
    for place, image in enumerate(images, 1):
        picture = _reader(image, place)
        w, h = _fit(picture.getSize(), width - 2 * _MARGIN, height - 2 * _MARGIN)
        if y - h < _MARGIN:
            y = _new_page(canvas)
        # mask="auto" keeps a PNG's transparent parts transparent instead of black.
        canvas.drawImage(picture, (width - w) / 2, y - h, width=w, height=h, mask="auto")
        y -= h + _GAP
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _new_page(canvas: Canvas) -> float:
    canvas.showPage()
    canvas.setFont(FONT, _SIZE)
    return float(A4[1] - _MARGIN)


def _reader(image: bytes, place: int) -> ImageReader:
    try:
        picture = ImageReader(io.BytesIO(image))
        picture.getSize()  # reads the header, so bad bytes fail here, naming their place
    except Exception as error:  # reportlab wraps PIL's errors in its own, of no fixed class
        raise ValueError(f"image {place} is no PNG or JPEG the PDF can hold: {error}") from error
    return picture


def _fit(size: tuple[int, int], width: float, height: float) -> tuple[float, float]:
    # Never enlarged: a small picture blown up to the page width would only look blurred.
    scale = min(1.0, width / size[0], height / size[1])
    return size[0] * scale, size[1] * scale


def _wrap(text: str, width: float) -> list[str]:
    # Chinese wraps between any two characters; measure with the font rather than count them.
    rows, row = [], ""
    for char in text:
        if row and pdfmetrics.stringWidth(row + char, FONT, _SIZE) > width:
            rows.append(row)
            row = ""
        row += char
    return [*rows, row] if row else rows
