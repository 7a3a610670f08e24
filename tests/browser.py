"""Debian's headless Chromium, driven by Playwright, with every request off the machine refused.

Playwright's own browser download does not work here, so the system browser is used; a missing
browser skips the browser tests on a developer machine but fails them in CI.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, WebSocketRoute, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
# No update checks, sync or other background traffic of the browser itself, which would count as a
# request leaving the machine; no sandbox because CI runs as root.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
# Schemes that never leave the machine; everything else is aborted and counted.
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


@contextmanager
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (Debian: apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(headless=True, executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Watch:
    """What a page did that an offline page built from untrusted text must never do."""
    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def problems(self) -> dict[str, list[str]]:
        return {name: found for name, found in vars(self).items() if found}


@contextmanager
def offline_page(browser: Browser) -> Iterator[tuple[Page, Watch]]:
    """A page in a fresh context whose requests may only read local files; `Watch` records the rest."""
    watch = Watch()
    context = browser.new_context(service_workers="block", viewport={"width": 1280, "height": 900})

    def route(route: Route) -> None:
        if route.request.url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            watch.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    def route_socket(socket: WebSocketRoute) -> None:
        # Not connecting to the server keeps the socket inside the browser.
        watch.blocked.append(socket.url)
        socket.close()

    context.route("**/*", route)
    context.route_web_socket(re.compile(".*"), route_socket)
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and watch.console_errors.append(message.text))
    page.on("pageerror", lambda error: watch.page_errors.append(str(error)))
    # A request the route aborted is already in `blocked`; any other failure is a missing local file.
    page.on("requestfailed", lambda request: request.url.startswith(LOCAL_SCHEMES)
            and watch.failed.append(f"{request.url}: {request.failure}"))

    def dialog(dialog) -> None:
        watch.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", dialog)
    try:
        yield page, watch
    finally:
        context.close()
