"""Helpers for the browser tests (their fixtures, a Streamlit server and Chromium, are in
conftest.py): waiting for a page to settle, and full-page screenshots into test-output/screenshots/
for people to look at."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "test-output" / "screenshots"
QUERY = "month=2026-10&vendor=V-TEL&contract=C-TEL"


def settle(page) -> None:
    """Wait until the app's script has finished running and its charts are drawn."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=60_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                 .every(c => c.querySelector('.main-svg'))""",
        timeout=60_000,
    )
    page.wait_for_timeout(500)


def open_page(page, base: str, name: str, query: str = QUERY) -> None:
    page.goto(f"{base}/{'' if name == 'overview' else name}?{query}")
    settle(page)


def screenshot(page, name: str) -> None:
    """The whole page: the app scrolls inside its main block, so the viewport grows to fit it."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]), 9000)})
    page.wait_for_timeout(800)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.set_viewport_size(size)


def no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, page.inner_text("body")[:2000]
