"""The web sandbox in a real browser: Debian's Chromium, headless, driven by Selenium through
the page's accessible markup (the Message box, articles, buttons by their text, dialogs by their
title, fields by their labels). One browser and one sandbox serve the whole module; screenshots
go to .deskhand/screenshots/ (git ignores it).

Chromium and chromedriver come from Debian (`apt-get install -y chromium chromium-driver`,
as .ci/run does); without them these tests fail and say so. Selenium is pointed at both, and
SE_OFFLINE keeps Selenium Manager from fetching anything.
"""

import asyncio
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import (
    StaleElementReferenceException,
    TimeoutException,
    WebDriverException,
)
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select, WebDriverWait

from playground.web.app import WebSandbox
from playground.web.page import build_page
from sandbox.serve import LoopbackServer
from tests.conftest import clean_settings

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

    def start(self) -> "PageServer":
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


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(
            f"The browser tests need Debian's Chromium and its driver ({', '.join(missing)} "
            "missing): apt-get install -y chromium chromium-driver",
            pytrace=False,
        )
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never download a browser
    options = Options()
    options.binary_location = str(CHROMIUM)
    profile = tempfile.mkdtemp(prefix="deskhand-chromium-")
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


def wait_for(driver: WebDriver, found: Callable[[], Any], what: str) -> Any:
    """Whatever `found` returns once it is truthy (a redraw may replace elements meanwhile)."""

    def attempt(_: WebDriver) -> Any:
        try:
            return found()
        except StaleElementReferenceException:
            return None

    try:
        return WebDriverWait(driver, WAIT, poll_frequency=0.05).until(attempt, f"no {what}")
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


# -- the tests --------------------------------------------------------------------------------


def test_a_slash_command_shows_the_ticket_card(browser, site):
    browser.get(f"{site.url}/?c=C0SUPPORT")
    box = browser.find_element(By.CSS_SELECTOR, "textarea[aria-label='Message']")
    box.send_keys("/tick")  # the message box offers the commands that start so
    offered = browser.find_element(By.CSS_SELECTOR, "[role=listbox][aria-label='Slash commands']")
    options = offered.find_elements(By.CSS_SELECTOR, "[role=option]")
    shown = [o.get_attribute("data-command") for o in options if o.is_displayed()]
    assert shown == ["/ticket", "/tickets"]
    offered.find_element(By.CSS_SELECTOR, "[data-command='/ticket']").click()
    assert box.get_attribute("value") == "/ticket "
    box.send_keys("34", Keys.ENTER)
    ticket = card(browser, "#34 ")
    assert "Only visible to you" in ticket.text
    assert button(ticket, "Assign to me").is_displayed()
    shot(browser, "ticket-card")


def test_typed_text_stays_until_it_was_delivered(browser, site):
    box = browser.find_element(By.CSS_SELECTOR, "textarea[aria-label='Message']")
    error = browser.find_element(By.ID, "composer-error")
    box.send_keys("/tiket 34 please", Keys.ENTER)  # Slack has no such command: nothing is sent
    wait_for(browser, error.is_displayed, "the reason it was not sent")
    assert box.get_attribute("value") == "/tiket 34 please"
    assert error.find_element(By.TAG_NAME, "code").text == "/tiket"  # mrkdwn, drawn once
    assert "`" not in error.text and "What you typed is kept." in error.text
    box.clear()
    browser.execute_cdp_cmd("Network.enable", {})
    offline = {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
    browser.execute_cdp_cmd("Network.emulateNetworkConditions", offline)  # the server is gone
    try:
        box.send_keys("/ticket 35", Keys.ENTER)
        wait_for(browser, lambda: "not answering" in error.text, "the server-down error")
        assert box.get_attribute("value") == "/ticket 35"
    finally:
        online = {**offline, "offline": False}
        browser.execute_cdp_cmd("Network.emulateNetworkConditions", online)
    box.send_keys(Keys.ENTER)  # sent again, now delivered: the box empties, the card comes
    card(browser, "#35 ")
    wait_for(browser, lambda: box.get_attribute("value") == "", "the box emptied")
    assert not error.is_displayed()


def test_assign_to_me_changes_the_card(browser, site):
    ticket = card(browser, "#34 ")
    button(ticket, "Assign to me").click()
    wait_for(browser, lambda: "alice · Tier 1" in card(browser, "#34 ").text, "assigned card")
    assert len([a for a in articles(browser) if "#34 " in a.text]) == 1  # changed in place


def test_the_note_form_submits_and_confirms(browser, site):
    type_message(browser, "/note ticket 34")
    form = dialog(browser, "Add note")
    field(form, "Note on ticket #34").send_keys("Called back: the printer works again.")
    shot(browser, "note-form")
    button(form, "Add note").click()
    wait_for(
        browser,
        lambda: "Added the note to ticket #34" in dialog(browser, "Note added").text,
        "outcome",
    )
    wait_for(browser, lambda: button(dialog(browser, "Note added"), "Done").click() or True, "Done")
    wait_for(browser, lambda: not browser.find_elements(By.CSS_SELECTOR, "[role=dialog]"), "close")
    history = site.sandbox.sandboxes.readydesk.history[34]
    assert history[-1].note.startswith("Called back: the printer works again.")


def test_job_new_finds_the_customer_as_you_type(browser, site):
    open_channel(browser, site, "# dispatch")
    type_message(browser, "/job new")
    # The form opens at once; its services arrive a moment later, by views.update.
    wait_for(browser, lambda: field(dialog(browser, "Create job"), "Service"), "the services")
    form = dialog(browser, "Create job")
    field(form, "Customer").send_keys("demo")
    option = wait_for(
        browser,
        lambda: form.find_element(By.XPATH, ".//*[@role='option'][.='Demo Company (#1)']"),
        "a typeahead option",
    )
    option.click()
    Select(field(form, "Service")).select_by_index(1)
    field(form, "Description").send_keys("Replace the kitchen tap")
    jobs = len(site.sandbox.sandboxes.kickserv.jobs)
    button(form, "Create job").click()
    wait_for(browser, lambda: "Created job" in dialog(browser, "Job created").text, "outcome")
    assert len(site.sandbox.sandboxes.kickserv.jobs) == jobs + 1
    wait_for(
        browser, lambda: button(dialog(browser, "Job created"), "Done").click() or True, "Done"
    )


def test_a_message_shortcut_from_more_actions(browser, site):
    open_channel(browser, site, "# support")

    def choose() -> bool:
        said = next(a for a in articles(browser) if "printer in accounts" in a.text)
        said.find_element(By.CSS_SELECTOR, "button[aria-label='More actions']").click()
        said.find_element(By.XPATH, ".//*[@role='menuitem'][.='Create ticket']").click()
        return True

    wait_for(browser, choose, "the Create ticket shortcut")
    form = dialog(browser, "Create ticket")
    assert "printer in accounts is offline again" in field(form, "Description").get_attribute(
        "value"
    )
    button(form, "Cancel").click()
    wait_for(browser, lambda: not browser.find_elements(By.CSS_SELECTOR, "[role=dialog]"), "close")


def test_the_home_tab(browser, site):
    browser.get(f"{site.url}/")
    browser.find_element(By.LINK_TEXT, "Deskhand").click()

    def published() -> WebElement | None:
        home = browser.find_element(By.CSS_SELECTOR, "section[aria-label='Home']")
        return home if "Your unresolved tickets" in home.text else None

    home = wait_for(browser, published, "the Home tab")
    shot(browser, "home-tab")
    main = browser.find_element(By.ID, "main")
    assert main.get_property("scrollHeight") > main.get_property("clientHeight")  # it scrolls
    assert main.get_property("scrollTop") == 0  # and opens at its top
    # Open answers on Home: the card in a modal, whose own buttons answer in it.
    job = home.find_element(By.CSS_SELECTOR, "[data-block-id^='home_job_']")
    browser.execute_script("arguments[0].scrollIntoView()", job)  # a person scrolls down to it
    button(job, "Open").click()
    opened = wait_for(
        browser,
        lambda: next(
            (d for d in browser.find_elements(By.CSS_SELECTOR, "[role=dialog]") if "Job" in d.text),
            None,
        ),
        "the job card in a modal",
    )
    assert "Customer" in opened.text and "Share in channel" not in opened.text
    button(opened, "Dismiss").click()
    wait_for(browser, lambda: not browser.find_elements(By.CSS_SELECTOR, "[role=dialog]"), "close")
    button(home, "Find customer").click()
    form = dialog(browser, "Find customer")
    field(form, "Name, email, phone or ID").send_keys("demo", Keys.ENTER)  # Enter reloads nothing
    button(dialog(browser, "Find customer"), "Find").click()
    found = wait_for(
        browser,
        lambda: (
            "Customer ID" in dialog(browser, "Find customer").text
            and dialog(browser, "Find customer")
        ),
        "the customer card in the form's place",
    )
    assert "Demo Company" in found.text
    assert browser.find_element(By.CSS_SELECTOR, "section[aria-label='Home']")  # still on Home
    button(found, "Dismiss").click()
    wait_for(browser, lambda: not browser.find_elements(By.CSS_SELECTOR, "[role=dialog]"), "close")


def test_a_digest_appears_when_the_clock_jumps(browser, site):
    open_channel(browser, site, "# support")
    browser.find_element(By.XPATH, "//button[.='Jump to the next digest']").click()
    notice = browser.find_element(By.ID, "notice")  # none is scheduled: the banner says how
    wait_for(browser, lambda: "No digest is scheduled" in notice.text, "the banner")
    assert notice.find_element(By.TAG_NAME, "code").text == "/digest add unresolved at 08:00"
    assert "`" not in notice.text  # mrkdwn drawn once, not shown raw
    browser.get(f"{site.url}/?c=home")  # a page opened later (Home, redrawn) does not say it
    wait_for(
        browser,
        lambda: "Your unresolved tickets" in browser.find_element(By.ID, "main").text,
        "Home",
    )
    browser.execute_async_script("refresh().then(arguments[0])")  # the page's own poll, done
    assert not browser.find_element(By.ID, "notice").is_displayed()
    open_channel(browser, site, "# support")
    type_message(browser, "/digest add unresolved at 08:00")
    wait_for(browser, lambda: "Subscribed" in articles(browser)[-1].text, "the digest added")
    before = len(articles(browser))
    browser.find_element(By.XPATH, "//button[.='Jump to the next digest']").click()

    def digest() -> WebElement | None:
        posted = articles(browser)[before:]
        found = [a for a in posted if "Unresolved tickets" in a.text]
        return found[-1] if found else None

    posted = wait_for(browser, digest, "the digest")
    assert "Only visible to you" not in posted.text
    assert "ahead" in browser.find_element(By.ID, "clock").text
    shot(browser, "digest")
