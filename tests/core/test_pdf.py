"""Printed documents fetch nothing but data: URLs and attkit's own files."""

from __future__ import annotations

import base64
import http.server
import threading
from pathlib import Path

import pypdfium2
import pytest

from attkit.core import pdf

PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def _text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(data)
    return "".join(page.get_textpage().get_text_range() for page in document)


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "file://otherhost/share/x.css", "http://127.0.0.1:9/x.png", "ftp://example.org/x"],
)
def test_the_fetcher_refuses_foreign_urls(url: str) -> None:
    with pytest.raises(ValueError, match="refused"):
        pdf.LocalOnlyFetcher().fetch(url)


def test_the_fetcher_reads_data_urls_and_package_files() -> None:
    data_url = "data:image/png;base64," + base64.b64encode(PNG_1PX).decode()
    assert pdf.LocalOnlyFetcher().fetch(data_url) is not None
    css = next(pdf.PACKAGE_DIR.rglob("*.css"))
    assert pdf.LocalOnlyFetcher().fetch(css.as_uri()) is not None


def test_a_document_cannot_pull_in_a_local_file_or_a_url(tmp_path: Path) -> None:
    """Even HTML that names /etc/hostname-like files or a live web server renders without them."""
    secret = tmp_path / "secret.css"
    secret.write_text('body::after { content: "TOP-SECRET-FROM-DISK"; }')
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b'body::before { content: "FETCHED-FROM-NETWORK"; }')

        def log_message(self, *args: object) -> None:
            return

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        html = (
            f'<html><head><link rel="stylesheet" href="{secret.as_uri()}">'
            f'<link rel="stylesheet" href="http://127.0.0.1:{server.server_port}/x.css"></head>'
            "<body><p>Visible text</p></body></html>"
        )
        text = _text(pdf.render_pdf(html))
    finally:
        server.shutdown()
    assert "Visible text" in text
    assert "TOP-SECRET-FROM-DISK" not in text
    assert "FETCHED-FROM-NETWORK" not in text
    assert hits == []
