"""QR codes for seals: draw them (segno), and find them in photos, scans and PDFs (zxing-cpp, pypdfium2)."""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

import pypdfium2 as pdfium
import segno
import zxingcpp
from PIL import Image, ImageFile, ImageFilter, ImageOps, UnidentifiedImageError

MAX_INPUT_BYTES = 20 * 1024 * 1024
# A 48-megapixel phone photo passes; a small PNG that claims to be 100,000 pixels square does not.
MAX_IMAGE_PIXELS = 60_000_000
# Decoding works on at most this many pixels; larger photos are shrunk first (QR codes survive it).
WORK_PIXELS = 12_000_000
MAX_PDF_PAGES = 20
# Pages are rendered at 144 dpi (72 x 2), where a 3.5 cm QR code of version 18 gets two pixels a
# module, enough for zxing; only a page where nothing is found is rendered again at 288 dpi.
# Rendering dominates the cost, so the first pass is kept small.
PDF_SCALES = (2.0, 4.0)
MAX_PAGE_PIXELS = 40_000_000
IMAGE_FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP")
_UPSCALE_BELOW = 1200
_QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


@dataclass(frozen=True)
class QrImage:
    """A drawn QR code."""

    data: bytes
    media_type: str
    version: int


def make_qr(text: str, *, kind: Literal["svg", "png"] = "svg", scale: int = 4, border: int = 4) -> QrImage:
    """Draw seal text as a QR code: alphanumeric mode, level Q, never raised to a higher level.

    Keeping Q exactly (boost_error=False) makes the version depend on the text alone, so the
    printed size is predictable. ValueError if the text is not QR-alphanumeric or too long.
    """
    code = segno.make(text, mode="alphanumeric", error="q", boost_error=False, micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind=kind, scale=scale, border=border)
    return QrImage(buffer.getvalue(), "image/svg+xml" if kind == "svg" else "image/png", int(code.version))


def qr_version(text: str) -> int:
    """The QR version (1-40) the seal text needs at level Q in alphanumeric mode."""
    return int(segno.make(text, mode="alphanumeric", error="q", boost_error=False, micro=False).version)


class ScanProblem(StrEnum):
    """Why a file could not be searched for QR codes; stable codes for translation."""

    TOO_LARGE = "too_large"
    TOO_MANY_PIXELS = "too_many_pixels"
    TOO_MANY_PAGES = "too_many_pages"
    UNSUPPORTED = "unsupported"
    UNREADABLE = "unreadable"


_MESSAGES = {
    ScanProblem.TOO_LARGE: "The file is larger than {limit} bytes.",
    ScanProblem.TOO_MANY_PIXELS: "The image is larger than {limit} pixels.",
    ScanProblem.TOO_MANY_PAGES: "The PDF has more than {limit} pages.",
    ScanProblem.UNSUPPORTED: "The file is not a PDF or an image in PNG, JPEG, WebP, GIF or BMP.",
    ScanProblem.UNREADABLE: "The file is damaged or cannot be read.",
}


@dataclass(frozen=True)
class ScanResult:
    """The texts of the QR codes found (in reading order, without repeats), or why the file was refused."""

    texts: list[str] = field(default_factory=list)
    problem: ScanProblem | None = None
    message: str = ""


def _refused(problem: ScanProblem, limit: int = 0) -> ScanResult:
    return ScanResult([], problem, _MESSAGES[problem].format(limit=limit))


def _unique(texts: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(texts))


def _decode(image: Image.Image) -> list[str]:
    found = zxingcpp.read_barcodes(image, formats=_QR_ONLY)
    return _unique(barcode.text for barcode in found if barcode.valid and barcode.text)


def read_image(image: Image.Image) -> list[str]:
    """QR texts in an already opened image, trying harder (upscale, contrast, sharpen) only when needed."""
    gray = image.convert("L")
    texts = _decode(gray)
    if texts:
        return texts
    attempts = []
    if max(gray.size) < _UPSCALE_BELOW:
        # Small or blurred captures: more pixels a module help the finder patterns stand out.
        attempts.append(gray.resize((gray.width * 2, gray.height * 2), Image.Resampling.LANCZOS))
    attempts.append(ImageOps.autocontrast(gray, cutoff=2))
    attempts.append(ImageOps.autocontrast(gray, cutoff=2).filter(ImageFilter.UnsharpMask(radius=2, percent=200)))
    for attempt in attempts:
        texts = _decode(attempt)
        if texts:
            return texts
    return []


def scan_image(data: bytes, *, max_bytes: int = MAX_INPUT_BYTES, max_pixels: int = MAX_IMAGE_PIXELS) -> ScanResult:
    """QR texts in image bytes (PNG, JPEG, WebP, GIF, BMP); never raises on bad input."""
    if len(data) > max_bytes:
        return _refused(ScanProblem.TOO_LARGE, max_bytes)
    # WeasyPrint turns on Pillow's process-wide LOAD_TRUNCATED_IMAGES when it is imported; a damaged
    # upload must stay "unreadable" here, whatever was imported before.
    truncated_before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; here a bomb is always an error.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=IMAGE_FORMATS)
            pixels = image.width * image.height
            if pixels > max_pixels:
                return _refused(ScanProblem.TOO_MANY_PIXELS, max_pixels)
            if pixels > WORK_PIXELS:
                shrink = math.sqrt(WORK_PIXELS / pixels)
                target = (max(1, int(image.width * shrink)), max(1, int(image.height * shrink)))
                image.draft("L", target)  # a JPEG then decodes at a fraction of its size, which is much faster
                image.thumbnail(target)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return _refused(ScanProblem.TOO_MANY_PIXELS, max_pixels)
    except UnidentifiedImageError:
        return _refused(ScanProblem.UNSUPPORTED)
    except Exception:  # Pillow raises many kinds of error on hostile files; all mean "cannot be read"
        return _refused(ScanProblem.UNREADABLE)
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated_before
    return ScanResult(read_image(image))


def scan_pdf(
    data: bytes,
    *,
    max_bytes: int = MAX_INPUT_BYTES,
    max_pages: int = MAX_PDF_PAGES,
    max_page_pixels: int = MAX_PAGE_PIXELS,
) -> ScanResult:
    """QR texts on the pages of a PDF, rasterised; never raises on bad input.

    pdfium is not thread-safe: call this from one thread at a time (pypdfium2's own rule).
    """
    if len(data) > max_bytes:
        return _refused(ScanProblem.TOO_LARGE, max_bytes)
    try:
        document = pdfium.PdfDocument(data)
    except Exception:  # pdfium reports every broken or encrypted file as an error of its own
        return _refused(ScanProblem.UNREADABLE)
    try:
        if len(document) > max_pages:
            return _refused(ScanProblem.TOO_MANY_PAGES, max_pages)
        texts: list[str] = []
        for index in range(len(document)):
            texts.extend(_scan_page(document[index], max_page_pixels))
        return ScanResult(_unique(texts))
    except Exception:
        return _refused(ScanProblem.UNREADABLE)
    finally:
        document.close()


def _scan_page(page: pdfium.PdfPage, max_page_pixels: int) -> list[str]:
    try:
        width, height = page.get_size()
        area = max(width * height, 1.0)
        for wanted in PDF_SCALES:
            scale = min(wanted, math.sqrt(max_page_pixels / area))
            bitmap = page.render(scale=scale, grayscale=True)
            try:
                texts = _decode(bitmap.to_pil())
            finally:
                bitmap.close()
            if texts or scale < wanted:
                return texts
        return []
    finally:
        page.close()


def scan(
    data: bytes,
    *,
    max_bytes: int = MAX_INPUT_BYTES,
    max_pixels: int = MAX_IMAGE_PIXELS,
    max_pages: int = MAX_PDF_PAGES,
) -> ScanResult:
    """QR texts in an uploaded file, PDF or image, told apart by content rather than by name."""
    if b"%PDF-" in data[:1024]:
        return scan_pdf(data, max_bytes=max_bytes, max_pages=max_pages)
    return scan_image(data, max_bytes=max_bytes, max_pixels=max_pixels)
