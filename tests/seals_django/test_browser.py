"""The verification page in Chromium: the camera (a fake one showing a QR code) and accessibility (axe)."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from attkit.seals import services
from tests.conftest import PASSWORD

from .helpers import qr_png, tamper

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop here

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("ATTKIT_CHROMIUM", "/usr/bin/chromium")
WIDTH, HEIGHT = 640, 480


def y4m_of(text: str, path: Path) -> Path:
    """A short YUV4MPEG2 video showing the QR code, for Chromium's fake camera."""
    code = Image.open(io.BytesIO(qr_png(text, scale=5))).convert("RGB")
    side = HEIGHT - 40
    frame = Image.new("RGB", (WIDTH, HEIGHT), "white")
    frame.paste(code.resize((side, side), Image.Resampling.NEAREST), ((WIDTH - side) // 2, 20))
    y, u, v = frame.convert("YCbCr").split()
    u, v = u.resize((WIDTH // 2, HEIGHT // 2)), v.resize((WIDTH // 2, HEIGHT // 2))
    with path.open("wb") as handle:
        handle.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(10):
            handle.write(b"FRAME\n" + y.tobytes() + u.tobytes() + v.tobytes())
    return path


@pytest.fixture
def camera_page(tmp_path: Path, authority: Any, playwright_instance: Any) -> Iterator[tuple[Any, str]]:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip(f"Chromium not found at {CHROMIUM}")

    text = services.seal(
        authority("MX"), "EUC1:", {"serial": "MX-EUC-2026-000777-3"}, expires_at=None, serial="MX-EUC-2026-000777-3"
    )
    video = y4m_of(text, tmp_path / "qr.y4m")
    # One Playwright per process (tests/conftest.py); this browser has its own fake-camera flags.
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    context = browser.new_context(locale="en-GB", permissions=["camera"], viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page, text
    browser.close()


def _sign_in(page: Any, live_server: Any, user: Any) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_load_state()


def test_the_camera_reads_a_certificate(live_server, camera_page, verifier):
    page, _text = camera_page
    _sign_in(page, live_server, verifier("DE"))
    page.goto(f"{live_server.url}/seals/verify/")
    assert page.is_visible("#camera") and not page.is_visible("#camera-photo")
    page.click("#camera-start")
    page.wait_for_selector("#camera-stop", state="visible")
    if page.evaluate("'BarcodeDetector' in window"):
        page.wait_for_selector("[data-verdict]")  # read live and submitted
    else:
        with page.expect_navigation():
            page.click("#camera-photo")
    assert page.get_attribute("[data-verdict]", "data-verdict") == "valid"
    assert "MX-EUC-2026-000777-3" in page.inner_text("[data-testid=serial]")


def test_verify_page_passes_axe(live_server, camera_page, verifier):
    from axe_playwright_python.sync_playwright import Axe

    page, text = camera_page
    _sign_in(page, live_server, verifier("DE"))
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}}
    page.goto(f"{live_server.url}/seals/verify/")
    results = Axe().run(page, options=options)
    assert results.violations_count == 0, results.generate_report()
    for seal in (text, tamper(text)):
        page.fill("#id_paste-text", seal)
        with page.expect_navigation():
            page.click("#paste-form button[type=submit]")
        results = Axe().run(page, options=options)
        assert results.violations_count == 0, results.generate_report()
