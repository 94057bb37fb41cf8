"""What the browser tests share: Debian's Chromium driven by Playwright, phone profiles, the chat
widget's moves (open, ask, wait) and the axe-core accessibility audit.

Playwright downloads no browser: `make test` installs Chromium (scripts/ensure_chromium.sh), and
`CHROMIUM=/path/to/chromium` uses another one. Screenshots go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from bot.config import PROJECT_ROOT
from tests.running_bot import Bot

ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
# As root and on a machine without internet: no sandbox, no background connections to Google.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
# axe-core, pinned in website/package-lock.json and installed with the widget (scripts/install_widget.sh).
AXE = PROJECT_ROOT / "website" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@contextmanager
def chromium() -> Iterator[tuple[Playwright, Browser]]:
    """Headless Chromium; skipped without it (failed on CI, where a skipped test would prove nothing)."""
    chromium_path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium_path).exists():
        message = f"Chromium not found at {chromium_path}: run `make browser` (or set CHROMIUM)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        yield playwright, browser
        browser.close()


def phone(playwright: Playwright, name: str) -> dict[str, Any]:
    """Playwright's profile of a phone (viewport, screen, pixel ratio, touch, user agent) for our
    Chromium: a profile that names WebKit as its browser works the same on Chromium without that key."""
    profile = dict(playwright.devices[name])
    profile.pop("default_browser_type", None)
    return profile


def base(bot: Bot) -> str:
    return f"http://localhost:{bot.settings.web_port}"


def sign_in(page: Page, bot: Bot | str, username: str, password: str) -> None:
    """Through the login form of the inbox, the editor area and the dashboard, as a person does (`bot`: a running
    bot, or the web app's address)."""
    page.goto((bot if isinstance(bot, str) else base(bot)) + "/login")
    page.get_by_label("Benutzer").fill(username)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_load_state()


def open_chat(page: Page) -> None:
    """Opens the chat window (closed on a new page; a message to a closed chat shows as a tooltip)."""
    expect(page.locator(".rw-launcher")).to_be_visible()
    if not page.locator(".rw-conversation-container").is_visible():
        page.click(".rw-launcher")
    expect(page.locator(".rw-conversation-container")).to_be_visible()


def bot_texts(page: Page) -> list[str]:
    return [text.strip() for text in page.locator(".rw-messages-container .rw-response").all_inner_texts()]


def wait_for_answer(page: Page) -> None:
    # The widget shows an answer's messages one after another, with "typing" dots in between.
    expect(page.locator(".rw-typing-indication")).to_have_count(0, timeout=20_000)


def ask(page: Page, text: str) -> None:
    before = page.locator(".rw-messages-container .rw-response").count()
    page.fill(".rw-new-message", text)
    page.keyboard.press("Enter")
    expect(page.locator(".rw-messages-container .rw-response")).not_to_have_count(before, timeout=20_000)
    wait_for_answer(page)


AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map(v => ({id: v.id, impact: v.impact,
                                      targets: v.nodes.map(node => node.target.join(" "))}));
}"""


def axe_violations(page: Page, tags: list[str] = WCAG_21_AA) -> dict[str, list[str]]:
    """axe-core's rules with these tags (WCAG 2.1 A and AA by default) on the page as it is now:
    {rule: [elements that fail it]}.
    The page's Content-Security-Policy allows only the site's own scripts, so the context that
    audits must be opened with `bypass_csp=True` (only there: the other tests keep the policy)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    violations = page.evaluate(AXE_RUN, tags)
    return {violation["id"]: violation["targets"] for violation in violations}
