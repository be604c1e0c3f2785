"""The web app served on loopback and Debian's chromium, for the tests that use a real browser."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery staple"
# Generous: a server that takes long to start on a busy machine is slow, not broken; a server
# that failed ends its thread, which is seen at once.
START_WITHIN = 120.0

needs_chromium = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (.ci/run installs it)")


@contextlib.contextmanager
def serving(app: Any) -> Iterator[str]:
    """The app served by uvicorn in a thread; yields its base URL. The socket is bound here and
    kept until the server stops: a port chosen, released and bound again could be taken in
    between by another test worker's server."""
    import uvicorn

    sock = socket.socket()
    try:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + START_WITHIN
            while not server.started and thread.is_alive() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert server.started, ("the web server stopped while starting (its log is above)"
                                    if not thread.is_alive() else
                                    f"the web server did not start within {START_WITHIN:.0f} s")
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            thread.join(30)
    finally:
        sock.close()


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Debian's chromium, headless, launched through Playwright, without its calls home."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            yield browser
        finally:
            browser.close()


def sign_in(page: Any, url: str, email: str) -> None:
    """Sign in through the login form with the tests' password, and land on the dashboard."""
    page.goto(f"{url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
