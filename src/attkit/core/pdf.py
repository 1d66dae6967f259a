"""Rendering attkit's printed documents (certificates, licences, letters) from HTML with WeasyPrint.

WeasyPrint fetches whatever a document refers to (images, style sheets) and, by default, would follow
http(s):, ftp: and file: URLs anywhere. attkit's documents embed their images as data: URLs and take their
style sheets from the package, so the fetcher allows exactly that: data: URLs and files inside the attkit
package. If user data ever reached the HTML unescaped, it still could not make the server fetch a URL or
read a file such as /etc/passwd into a sealed PDF.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher

PACKAGE_DIR = Path(__file__).resolve().parent.parent


class LocalOnlyFetcher(URLFetcher):
    """A WeasyPrint fetcher for data: URLs and files under ``roots`` (the attkit package by default)."""

    def __init__(self, roots: tuple[Path, ...] = (PACKAGE_DIR,)) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
        self._roots = tuple(root.resolve() for root in roots)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
        parts = urlsplit(url)
        if parts.scheme.lower() == "file":
            if parts.netloc not in ("", "localhost"):
                raise ValueError(f"refused: a file on another host ({url})")
            path = Path(unquote(parts.path)).resolve()
            if not any(path.is_relative_to(root) for root in self._roots):
                raise ValueError(f"refused: {path} is not a file of attkit")
        elif parts.scheme.lower() != "data":
            raise ValueError(f"refused: only data: URLs and attkit's own files ({url})")
        return super().fetch(url, headers)


def render_pdf(html: str, *, base_url: Path | None = None, css_file: Path | None = None, css: str = "") -> bytes:
    """The PDF of ``html``, styled by ``css_file`` and/or ``css``, fetching nothing but local resources."""
    from weasyprint import CSS, HTML

    fetcher = LocalOnlyFetcher()
    stylesheets = []
    if css_file is not None:
        stylesheets.append(CSS(filename=str(css_file), url_fetcher=fetcher))
    if css:
        stylesheets.append(CSS(string=css, url_fetcher=fetcher))
    document = HTML(string=html, base_url=str(base_url) if base_url else None, url_fetcher=fetcher)
    return bytes(document.write_pdf(stylesheets=stylesheets))
