"""The web sandbox in a real browser: Debian's Chromium, headless, driven by Selenium through
the page's accessible markup. One browser and one sandbox serve the whole module (the fixtures
and helpers in browser_helpers.py, shared with the other browser tests).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.bot import browser_helpers
from tests.bot.browser_helpers import (
    By,
    Keys,
    articles,
    button,
    card,
    dialog,
    dialog_with,
    field,
    open_channel,
    select,
    shot,
    type_message,
    wait_for,
)

if TYPE_CHECKING:
    from selenium.webdriver.remote.webelement import WebElement

pytestmark = pytest.mark.long_running

site = browser_helpers.site  # one sandbox for this module; the browser is the worker's


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
    select(field(form, "Service")).select_by_index(1)
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
    form = dialog_with(
        browser, "Create ticket", "Description", "printer in accounts is offline again"
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
    # Closing the modal publishes Home again: the tab may be redrawn under the next press.
    wait_for(browser, lambda: button(published(), "Find customer").click() or True, "Find")
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
    # Nobody matches: the form stays open, said under its field, the words kept to change.
    # Closing the modal publishes Home again: the tab may be redrawn under the next press.
    wait_for(browser, lambda: button(published(), "Find customer").click() or True, "Find")
    field(dialog(browser, "Find customer"), "Name, email, phone or ID").send_keys("zzzqqq")
    button(dialog(browser, "Find customer"), "Find").click()
    wait_for(
        browser,
        lambda: "No customer matches" in dialog(browser, "Find customer").text,
        "the no-match message under the form's field",
    )
    kept = field(dialog(browser, "Find customer"), "Name, email, phone or ID")
    assert kept.get_property("value") == "zzzqqq"
    button(dialog(browser, "Find customer"), "Cancel").click()


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
