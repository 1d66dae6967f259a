"""Drawing seal QR codes and finding them again in images, degraded photos and PDFs."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, ImageDraw, ImageFilter

from attkit.seals import codec, qr
from attkit.seals.qr import ScanProblem
from tests.seals.seal_helpers import DAY, T0, authority

TEN_LINES = {
    "n": "MX-EUC-2026-000123",
    "g": [[i, "VIII.SA.4", "9301.90", 250 * i, 1_250_000] for i in range(1, 11)],
    "h": bytes(32),
}


def seal_text() -> str:
    return authority("MX").seal(TEN_LINES)


def png_of(text: str, scale: int = 4) -> bytes:
    return qr.make_qr(text, kind="png", scale=scale).data


def to_bytes(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def test_make_qr_uses_level_q_alphanumeric_and_reports_the_version() -> None:
    text = seal_text()
    svg = qr.make_qr(text)
    assert svg.media_type == "image/svg+xml" and svg.data.lstrip().startswith(b"<?xml")
    png = qr.make_qr(text, kind="png")
    assert png.media_type == "image/png" and png.data.startswith(b"\x89PNG")
    assert svg.version == png.version == qr.qr_version(text)
    assert svg.version <= 25
    # Level Q, never boosted: a short text stays at the smallest version level Q allows.
    assert qr.qr_version("EUC1:ABC") == 1


def test_make_qr_refuses_text_outside_the_alphanumeric_set() -> None:
    with pytest.raises(ValueError):
        qr.make_qr("euc1:lower case")


def test_round_trip_through_png() -> None:
    text = seal_text()
    found = qr.scan(png_of(text))
    assert found.problem is None
    assert found.texts == [text]
    assert codec.verify(found.texts[0], authority("MX").store, now=T0 + DAY).valid


def test_degraded_photo_is_still_read() -> None:
    text = seal_text()
    code = Image.open(io.BytesIO(png_of(text, scale=3))).convert("L")
    # A small, blurred, rotated code on a grey page, saved as a lossy JPEG.
    page = Image.new("L", (code.width * 2, code.height * 2), 200)
    page.paste(code.rotate(90, expand=True), (code.width // 2, code.height // 3))
    photo = page.filter(ImageFilter.GaussianBlur(1.2))
    found = qr.scan(to_bytes(photo, "JPEG", quality=55))
    assert found.texts == [text]


def test_several_codes_in_one_image() -> None:
    first, second = seal_text(), authority("CO").seal()
    a = Image.open(io.BytesIO(png_of(first))).convert("L")
    b = Image.open(io.BytesIO(png_of(second))).convert("L")
    sheet = Image.new("L", (a.width + b.width + 40, max(a.height, b.height)), 255)
    sheet.paste(a, (0, 0))
    sheet.paste(b, (a.width + 40, 0))
    assert sorted(qr.scan(to_bytes(sheet, "PNG")).texts) == sorted([first, second])


def test_image_without_a_code() -> None:
    blank = Image.new("RGB", (300, 200), "white")
    ImageDraw.Draw(blank).text((10, 10), "no seal here", fill="black")
    result = qr.scan(to_bytes(blank, "PNG"))
    assert result.texts == [] and result.problem is None


def test_pdf_pages_are_searched_in_order() -> None:
    first, second = seal_text(), authority("CO").seal()
    pages = []
    for text in (first, second):
        page = Image.new("RGB", (1240, 1754), "white")  # A4 at 150 dpi
        code = Image.open(io.BytesIO(png_of(text, scale=3))).convert("RGB")
        page.paste(code, (700, 1200))
        pages.append(page)
    pdf = io.BytesIO()
    pages[0].save(pdf, format="PDF", save_all=True, append_images=pages[1:], resolution=150)
    found = qr.scan(pdf.getvalue())
    assert found.problem is None
    assert found.texts == [first, second]
    assert qr.scan(pdf.getvalue(), max_pages=1).problem is ScanProblem.TOO_MANY_PAGES


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims the given size: a decompression bomb unless refused before decoding."""
    data = bytearray(to_bytes(Image.new("1", (8, 8)), "PNG"))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def test_decompression_bomb_image_is_refused() -> None:
    result = qr.scan(png_claiming(10_000, 10_000))
    assert result.problem is ScanProblem.TOO_MANY_PIXELS
    assert result.texts == []
    assert "pixels" in result.message
    assert qr.scan(png_claiming(100_000, 100_000)).problem is ScanProblem.TOO_MANY_PIXELS


def test_over_size_file_is_refused_unread() -> None:
    assert qr.scan(b"\x89PNG" + bytes(2000), max_bytes=1000).problem is ScanProblem.TOO_LARGE


@pytest.mark.parametrize(
    ("junk", "problem"),
    [
        (b"", ScanProblem.UNSUPPORTED),
        (b"hello, world", ScanProblem.UNSUPPORTED),
        (b"GIF89a\x00", ScanProblem.UNSUPPORTED),
        (to_bytes(Image.effect_noise((200, 200), 60), "JPEG")[:900], ScanProblem.UNREADABLE),
        (to_bytes(Image.new("L", (50, 50)), "PNG")[:60], ScanProblem.UNREADABLE),
        (b"%PDF-1.7\n garbage", ScanProblem.UNREADABLE),
        (to_bytes(Image.new("L", (10, 10)), "TIFF"), ScanProblem.UNSUPPORTED),
    ],
)
def test_garbage_gets_a_problem_not_an_exception(junk: bytes, problem: ScanProblem) -> None:
    result = qr.scan(junk)
    assert result.problem is problem
    assert result.texts == [] and result.message


def test_a_truncated_png_stays_unreadable_after_weasyprint_is_imported() -> None:
    import weasyprint  # noqa: F401  (it turns on Pillow's LOAD_TRUNCATED_IMAGES process-wide)
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = True
    truncated = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x002\x00\x00\x002\x08\x00\x00\x00\x00;T\xd7m"
        b"\x00\x00\x00\x19IDATx\x9c\xed\xc1\x01\r\x00\x00\x00\xc2\xa0\xf7Om\x0f\x07\x14\x00\x00"
    )
    assert qr.scan(truncated).problem is ScanProblem.UNREADABLE
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # left as it was found
