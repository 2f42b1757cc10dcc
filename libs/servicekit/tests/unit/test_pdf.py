"""Pictures in a PDF: each one in the flow after the text, its aspect ratio kept, on a new page when it does not fit."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from pypdf import PdfReader

from oneteam_servicekit.pdf import render_pdf

TEXT_WIDTH = 595.2756 - 2 * 64  # A4 less both margins, in points
# reportlab places a picture as `q w 0 0 h x y cm /FormXob.<digest> Do Q`.
PLACED = re.compile(rb"([\d.]+) 0 0 ([\d.]+) ([\d.]+) ([\d.]+) cm\s*/FormXob\.\w+ Do")


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (214, 39, 40, 160)).save(out, "PNG")
    return out.getvalue()


def _placed(pdf: bytes) -> list[list[tuple[float, ...]]]:
    """Each page's pictures as (width, height, x, y) in points."""
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        contents = page.get_contents()
        assert contents is not None
        pages.append([tuple(float(v) for v in found) for found in PLACED.findall(contents.get_data())])
    return pages


def test_each_picture_is_an_image_of_the_pdf_after_the_text() -> None:
    pdf = render_pdf("效能评价日报", "330106004 2026-11-25", ["指标", "响应 50.0%"], [_png(80, 40), _png(60, 60)])

    reader = PdfReader(io.BytesIO(pdf))
    sizes = sorted(image.image.size for page in reader.pages for image in page.images if image.image)
    assert sizes == [(60, 60), (80, 40)]
    assert "响应 50.0%" in reader.pages[0].extract_text()
    (first, second), = _placed(pdf)
    assert first[:2] == (80, 40) and second[:2] == (60, 60)  # one pixel a point: small pictures are not blown up
    assert second[3] + second[1] < first[3]  # the second below the first


def test_a_picture_wider_than_the_text_is_shrunk_with_its_aspect_ratio() -> None:
    (wide,), = _placed(render_pdf("t", "n", [], [_png(2000, 500)]))

    assert wide[0] == pytest.approx(TEXT_WIDTH, abs=0.01) and wide[0] / wide[1] == pytest.approx(4.0)


def test_a_picture_taller_than_the_page_is_shrunk_to_the_page() -> None:
    title_page, (tall,) = _placed(render_pdf("t", "n", [], [_png(300, 3000)]))

    assert title_page == []  # below the title there is no page's height left
    assert tall[1] == pytest.approx(841.8898 - 2 * 64, abs=0.01) and tall[1] / tall[0] == pytest.approx(10.0)


def test_a_picture_that_does_not_fit_the_rest_of_the_page_starts_the_next() -> None:
    pages = _placed(render_pdf("t", "n", ["行"] * 30, [_png(400, 100), _png(400, 400)]))

    assert [len(images) for images in pages] == [1, 1]
    assert pages[1][0][3] + pages[1][0][1] == pytest.approx(841.8898 - 64, abs=0.01)  # at the top of the new page


def test_bytes_that_are_no_picture_are_refused_by_their_place() -> None:
    with pytest.raises(ValueError, match="image 2"):
        render_pdf("t", "n", [], [_png(10, 10), b"not a picture"])
