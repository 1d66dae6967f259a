"""Hostile files built in the tests: PDFs with huge images, huge pages or deep nesting; PNG bombs; polyglots."""

from __future__ import annotations

import io
import struct
import zlib
from functools import cache


def pdf(objects: list[bytes], *, root: int = 1) -> bytes:
    """A PDF of the given objects (object n is objects[n-1]), with a correct cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref))
    return out.getvalue()


def stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


@cache
def _zeros_block() -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(bytes(_BLOCK)) + packer.flush(zlib.Z_FULL_FLUSH)


_BLOCK = 1 << 16


def zeros_deflated(size: int) -> bytes:
    """`size` zero bytes as a zlib stream, built in milliseconds (about a thousandth of the size).

    A full flush makes every 64 KiB block compress to the same bytes, so the stream is one block repeated.
    """
    blocks, rest = divmod(size, _BLOCK)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    tail = packer.compress(bytes(rest)) + packer.flush()
    adler = ((size % 65521) << 16) | 1  # Adler-32 of zeros: a stays 1, b counts the bytes
    return b"\x78\xda" + _zeros_block() * blocks + tail + struct.pack(">I", adler)


def page_pdf(content: bytes, *, resources: bytes = b"<< >>", media_box: bytes = b"[0 0 595 842]", extra=()) -> bytes:
    """One page with `content` as its content stream; `extra` objects are numbered from 5."""
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox "
            + media_box
            + b" /Resources "
            + resources
            + b" /Contents 4 0 R >>",
            stream(b"", content),
            *extra,
        ]
    )


def pdf_with_image(width: int, height: int, *, bits: int = 8, smask: bool = False) -> bytes:
    """An A4 page that draws one grey image of width x height pixels (deflated zeros) across the page.

    With `smask`, the image drawn is 1 x 1 pixel and the huge one is its soft mask (hidden from a check that
    looks only at the images a page draws).
    """
    huge = zeros_deflated(width * height * bits // 8)
    image_dict = b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray " % (width, height)
    image_dict += b"/BitsPerComponent %d /Filter /FlateDecode" % bits
    if smask:
        mask = stream(image_dict, huge)
        small = stream(
            b"/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8 "
            b"/SMask 6 0 R",
            b"\x00",
        )
        extra = [small, mask]
    else:
        extra = [stream(image_dict, huge)]
    return page_pdf(
        b"q 595 0 0 842 0 0 cm /Im0 Do Q",
        resources=b"<< /XObject << /Im0 5 0 R >> >>",
        extra=extra,
    )


def pdf_with_media_box(width: float, height: float) -> bytes:
    box = b"[0 0 %s %s]" % (repr(width).encode(), repr(height).encode())
    return page_pdf(b"0 0 m 10 10 l S", media_box=box)


def pdf_nested_forms(depth: int) -> bytes:
    """A page drawing form XObject 5, which draws 6, ... `depth` levels deep."""
    forms = []
    for level in range(depth):
        number = 5 + level
        if level + 1 < depth:
            body = b"/F Do"
            resources = b"/Resources << /XObject << /F %d 0 R >> >>" % (number + 1)
        else:
            body = b"0 0 m 1 1 l S"
            resources = b""
        forms.append(stream(b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] " + resources, body))
    return page_pdf(b"/F Do", resources=b"<< /XObject << /F 5 0 R >> >>", extra=forms)


def pdf_nested_arrays(depth: int) -> bytes:
    """A page whose dictionary holds an array nested `depth` deep (a parser that recurses runs out of stack)."""
    nested = b"[" * depth + b"]" * depth
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Junk " + nested + b" >>",
        ]
    )


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png(width: int, height: int, rows: bytes | None = None) -> bytes:
    """A greyscale PNG claiming width x height; its pixel data is `rows` (deflated zeros by default)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    if rows is None:
        rows = zeros_deflated((width + 1) * min(height, 64))  # the start of the data: a decoder must stop first
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", rows) + _chunk(b"IEND", b"")


def polyglot_pdf_png() -> bytes:
    """Bytes that start as a PNG and carry a PDF after the image (both readers find 'their' file)."""
    small = png(4, 4, zlib.compress(bytes(5 * 4)))
    return small + page_pdf(b"0 0 m 10 10 l S")
