"""QR codes for seals: draw them (segno), and find them in photos, scans and PDFs (zxing-cpp, pypdfium2)."""

from __future__ import annotations

import io
import json
import math
import os
import select
import signal
import time
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

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
# pdfium decodes every image a page draws at the image's own size, whatever the render scale: a 1 MB PDF
# can hold a 50,000 x 50,000 pixel image that takes gigabytes and minutes to decode. So a PDF is read in a
# forked child process under a ceiling on the memory it may add and on its CPU time, and a page that draws
# an image above MAX_IMAGE_PIXELS is refused before it is rendered.
ISOLATE_PDF = True
PDF_MEMORY_BYTES = 768 * 1024 * 1024
PDF_CPU_SECONDS = 30
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
    TOO_COMPLEX = "too_complex"


_MESSAGES = {
    ScanProblem.TOO_LARGE: "The file is larger than {limit} bytes.",
    ScanProblem.TOO_MANY_PIXELS: "The image is larger than {limit} pixels.",
    ScanProblem.TOO_MANY_PAGES: "The PDF has more than {limit} pages.",
    ScanProblem.UNSUPPORTED: "The file is not a PDF or an image in PNG, JPEG, WebP, GIF or BMP.",
    ScanProblem.UNREADABLE: "The file is damaged or cannot be read.",
    ScanProblem.TOO_COMPLEX: "The PDF needs more than {limit} bytes of memory or more time to read than allowed.",
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
    isolate: bool | None = None,
) -> ScanResult:
    """QR texts on the pages of a PDF, rasterised; never raises on bad input.

    The PDF is read in a child process with bounded memory and CPU time (see ISOLATE_PDF); with
    ``isolate=False`` in this process, one thread at a time (pdfium is not thread-safe).
    """
    if len(data) > max_bytes:
        return _refused(ScanProblem.TOO_LARGE, max_bytes)
    if (ISOLATE_PDF if isolate is None else isolate) and hasattr(os, "fork"):
        return _scan_pdf_isolated(data, max_pages, max_page_pixels)
    return _scan_pdf_here(data, max_pages, max_page_pixels)


def _scan_pdf_here(data: bytes, max_pages: int, max_page_pixels: int) -> ScanResult:
    try:
        document = pdfium.PdfDocument(data)
    except Exception:  # pdfium reports every broken or encrypted file as an error of its own
        return _refused(ScanProblem.UNREADABLE)
    try:
        if len(document) > max_pages:
            return _refused(ScanProblem.TOO_MANY_PAGES, max_pages)
        texts: list[str] = []
        for index in range(len(document)):
            page = document[index]
            if _largest_image(page) > MAX_IMAGE_PIXELS:
                page.close()
                return _refused(ScanProblem.TOO_MANY_PIXELS, MAX_IMAGE_PIXELS)
            texts.extend(_scan_page(page, max_page_pixels))
        return ScanResult(_unique(texts))
    except Exception:
        return _refused(ScanProblem.UNREADABLE)
    finally:
        document.close()


def _largest_image(page: pdfium.PdfPage) -> int:
    """The pixel count of the largest image the page draws (also inside forms), read from the image headers.

    Images reached otherwise (soft masks, patterns, glyphs) are bounded by the child's memory ceiling.
    """
    largest = 0
    for image in page.get_objects(filter=(pdfium.raw.FPDF_PAGEOBJ_IMAGE,), max_depth=8):
        width, height = image.get_px_size()
        largest = max(largest, width * height)
    return largest


def _limit_resources(memory: int, cpu_seconds: int) -> None:
    import resource

    try:
        with open("/proc/self/statm") as statm:
            in_use = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # no procfs: the ceiling counts from nothing, which only makes it tighter
        in_use = 0
    resource.setrlimit(resource.RLIMIT_AS, (in_use + memory, in_use + memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _scan_pdf_isolated(data: bytes, max_pages: int, max_page_pixels: int) -> ScanResult:
    """Read the PDF in a forked child under memory and CPU ceilings; its answer comes back as JSON on a pipe.

    A plain fork (not multiprocessing, whose spawn and forkserver modes re-run the caller's main module):
    the child touches only pdfium, Pillow and zxing, writes its answer and leaves with os._exit, so it never
    runs the parent's exit handlers or touches its database connections.
    """
    receiver, sender = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(receiver)
        os.close(sender)
        return _refused(ScanProblem.TOO_COMPLEX, PDF_MEMORY_BYTES)
    if pid == 0:  # the child
        status = 1
        try:
            os.close(receiver)
            _limit_resources(PDF_MEMORY_BYTES, PDF_CPU_SECONDS)
            try:
                result = _scan_pdf_here(data, max_pages, max_page_pixels)
                reply: dict[str, Any] = {
                    "texts": result.texts,
                    "problem": result.problem.value if result.problem else None,
                }
            except MemoryError:
                reply = {"texts": [], "problem": ScanProblem.TOO_COMPLEX.value}
            payload = json.dumps(reply).encode()
            view = memoryview(payload)
            while view:
                view = view[os.write(sender, view) :]
            status = 0
        finally:
            os._exit(status)
    os.close(sender)
    try:
        answer = _read_answer(receiver, pid)
    finally:
        os.close(receiver)
    if answer is None:  # killed at its memory or CPU ceiling, crashed in pdfium, or out of time
        return _refused(ScanProblem.TOO_COMPLEX, PDF_MEMORY_BYTES)
    if answer["problem"] is not None:
        kind = ScanProblem(answer["problem"])
        limits = {ScanProblem.TOO_MANY_PAGES: max_pages, ScanProblem.TOO_MANY_PIXELS: MAX_IMAGE_PIXELS}
        return _refused(kind, limits.get(kind, PDF_MEMORY_BYTES))
    return ScanResult([str(text) for text in answer["texts"]])


def _read_answer(receiver: int, pid: int) -> dict[str, Any] | None:
    """The child's answer, or None; the child is reaped in every case (killed when past its time)."""
    deadline = time.monotonic() + PDF_CPU_SECONDS * 2  # the CPU ceiling ends a busy child; this, a stuck one
    chunks: list[bytes] = []
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([receiver], [], [], left)[0]:
                return None
            chunk = os.read(receiver, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done == 0:
                os.kill(pid, signal.SIGKILL)
                done, status = os.waitpid(pid, 0)
        except ChildProcessError:  # already reaped (a SIGCHLD handler of the host server)
            status = 0
    if status != 0:
        return None
    try:
        answer = json.loads(b"".join(chunks))
    except ValueError:
        return None
    return answer if isinstance(answer, dict) else None


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
