"""What the browser tests of the web sandbox share: the sandbox served from a thread, Debian's
Chromium driven by Selenium (one of each per test module, as fixtures), and what a person does
and sees on the page, found by its accessible markup (the Message box, articles, buttons by
their text, dialogs by their title, fields by their labels). Screenshots go to
.deskhand/screenshots/ (git ignores it).

Chromium and chromedriver come from Debian (`apt-get install -y chromium chromium-driver`,
as .ci/run does); without them these tests fail and say so. Selenium is pointed at both, and
SE_OFFLINE keeps Selenium Manager from fetching anything.

Selenium itself is imported where a browser is driven, not at the top: every test worker
imports every test module to collect it, and selenium's webdriver package is a third of a
second of each worker's start, for tests one worker runs. `By` and `Keys` below are the
locator strategies and the key this module and the browser tests use, as selenium spells
them (the browser fixture checks they still are).
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from playground.web.app import WebSandbox
from playground.web.page import build_page
from sandbox.serve import LoopbackServer
from tests.conftest import clean_settings

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.remote.webelement import WebElement
    from selenium.webdriver.support.ui import Select


class By:
    """WebDriver's locator strategies, as selenium.webdriver.common.by.By has them."""

    CSS_SELECTOR = "css selector"
    ID = "id"
    XPATH = "xpath"
    TAG_NAME = "tag name"
    LINK_TEXT = "link text"
    CLASS_NAME = "class name"


class Keys:
    """The keys the tests press, as selenium.webdriver.common.keys.Keys has them."""

    ENTER = "\ue007"


def _spelled_as_selenium_does() -> None:
    from selenium.webdriver.common.by import By as SeleniumBy
    from selenium.webdriver.common.keys import Keys as SeleniumKeys

    for ours, theirs in ((By, SeleniumBy), (Keys, SeleniumKeys)):
        for name, value in vars(ours).items():
            if name.isupper():
                assert getattr(theirs, name) == value, f"{ours.__name__}.{name}"


def select(element: WebElement) -> Select:
    """A <select> to choose from, as selenium's Select drives it."""
    from selenium.webdriver.support.ui import Select

    return Select(element)


ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / ".deskhand" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1200,820",
)
WAIT = 15  # seconds any one thing may take to appear
WORLD_WAIT = 40  # seconds: a jump polls the live cards at once, but a loaded machine is slow


class PageServer:
    """The web sandbox served on a loopback port from a thread with its own event loop."""

    def __init__(self, state_dir: Path) -> None:
        self._state_dir = state_dir
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._failed: BaseException | None = None
        self.url = ""
        self.sandbox: WebSandbox | None = None
        self._thread = threading.Thread(target=self._run, name="web-sandbox", daemon=True)

    def start(self) -> PageServer:
        self._thread.start()
        self._ready.wait(60)
        if self._failed is not None or not self.url:
            raise RuntimeError("the web sandbox did not start") from self._failed
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as err:  # reported by start()
            self._failed = err
            self._ready.set()

    async def _serve(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        # Live cards polled at the shortest interval a setting allows (the sandbox's is 10 s):
        # the world's changes reach the page within one look of the scheduler (5 s).
        settings = clean_settings(DESKHAND_LOOKING_UP_AFTER=60, DESKHAND_ALERT_INTERVAL=5)
        async with WebSandbox(settings, state_dir=self._state_dir) as sandbox:
            await sandbox.desk.directory.refresh()
            server = LoopbackServer(build_page(sandbox))
            self.url, self.sandbox = await server.start(), sandbox
            self._ready.set()
            await self._stop.wait()
            await server.stop()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PageServer]:
    server = PageServer(tmp_path_factory.mktemp("browser") / ".deskhand").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[WebDriver]:
    """One Chromium for every browser test of a worker (tests/bot/conftest.py offers it): each
    module's site is a new origin on a new port, so nothing of one module's page is seen by the
    next; starting Chromium again cost seconds a module."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(
            f"The browser tests need Debian's Chromium and its driver ({', '.join(missing)} "
            "missing): apt-get install -y chromium chromium-driver",
            pytrace=False,
        )
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    _spelled_as_selenium_does()
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never download a browser
    options = Options()
    options.binary_location = str(CHROMIUM)
    # The profile (a few MB) goes with the browser: a run used to leave one in /tmp for good.
    with tempfile.TemporaryDirectory(
        prefix="deskhand-chromium-", ignore_cleanup_errors=True
    ) as profile:
        for flag in (*FLAGS, f"--user-data-dir={profile}"):
            options.add_argument(flag)
        try:
            driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        except WebDriverException as err:
            pytest.fail(f"Chromium did not start under chromedriver: {err.msg}", pytrace=False)
        SHOTS.mkdir(parents=True, exist_ok=True)
        yield driver
        driver.quit()


# -- what a person does and sees --------------------------------------------------------------


def wait_for(driver: WebDriver, found: Callable[[], Any], what: str, seconds: float = WAIT) -> Any:
    """Whatever `found` returns once it is truthy (a redraw may replace elements meanwhile)."""
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    def attempt(_: WebDriver) -> Any:
        try:
            return found()
        except StaleElementReferenceException:
            return None

    try:
        return WebDriverWait(driver, seconds, poll_frequency=0.05).until(attempt, f"no {what}")
    except TimeoutException:
        shot(driver, f"timeout-{re.sub(r'[^a-z0-9]+', '-', what.lower())}")  # what was shown
        raise


def articles(driver: WebDriver) -> list[WebElement]:
    return driver.find_elements(By.CSS_SELECTOR, "#main [role=article]")


def card(driver: WebDriver, heading: str) -> WebElement:
    """The newest message whose Block Kit header starts with `heading`."""

    def find() -> WebElement | None:
        for article in reversed(articles(driver)):
            headers = article.find_elements(By.CSS_SELECTOR, "h3")
            if any(h.text.startswith(heading) for h in headers):
                return article
        return None

    return wait_for(driver, find, f"card {heading!r}")


def button(within: WebElement, label: str) -> WebElement:
    return within.find_element(By.XPATH, f".//button[normalize-space()='{label}']")


def type_message(driver: WebDriver, text: str) -> None:
    box = driver.find_element(By.CSS_SELECTOR, "textarea[aria-label='Message']")
    box.send_keys(text, Keys.ENTER)


def dialog(driver: WebDriver, title: str) -> WebElement:
    """The open modal named `title` (its aria-labelledby heading)."""

    def find() -> WebElement | None:
        for shown in driver.find_elements(By.CSS_SELECTOR, "[role=dialog]"):
            name = shown.get_attribute("aria-labelledby")
            if driver.find_element(By.ID, name).text == title:
                return shown
        return None

    return wait_for(driver, find, f"dialog {title!r}")


def dialog_with(driver: WebDriver, title: str, label: str, text: str) -> WebElement:
    """The open modal `title` once its field `label` holds `text`: a form the app fills in by
    updating it is drawn anew, so one found before the update goes stale."""

    def filled() -> WebElement | None:
        form = dialog(driver, title)
        return form if text in (field(form, label).get_attribute("value") or "") else None

    return wait_for(driver, filled, f"{text!r} in {title!r}'s {label}")


def field(within: WebElement, label: str) -> WebElement:
    """The form field whose <label> says `label`."""
    named = within.find_element(By.XPATH, f".//label[normalize-space()='{label}']")
    return within.find_element(By.ID, named.get_attribute("for"))


def open_channel(driver: WebDriver, site: PageServer, name: str) -> None:
    driver.get(f"{site.url}/")  # the page as it is now, whatever was open
    wait_for(driver, lambda: driver.find_element(By.LINK_TEXT, name).click() or True, name)
    wait_for(driver, lambda: driver.find_element(By.ID, "channel-title").text == name, name)


def shot(driver: WebDriver, name: str) -> None:
    driver.save_screenshot(str(SHOTS / f"{name}.png"))


def thread_messages(driver: WebDriver) -> list[WebElement]:
    """The messages in the open thread pane, the parent first."""
    return driver.find_elements(By.CSS_SELECTOR, "#thread-messages [role=article]")
