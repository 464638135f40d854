"""The Workflows view in a real browser (the same Chromium, fixtures and helpers as
test_web_browser.py): Create ticket run from its form gives the new ticket's number, which
`/ticket` then shows; a step that fails says why in words, and what was typed stays."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.bot import browser_helpers
from tests.bot.browser_helpers import (
    By,
    button,
    card,
    field,
    open_channel,
    shot,
    type_message,
    wait_for,
)

if TYPE_CHECKING:
    from selenium.webdriver.remote.webelement import WebElement

pytestmark = pytest.mark.long_running

site = browser_helpers.site  # one sandbox for this module; the browser is the worker's


def open_step(driver, site, title: str) -> WebElement:
    """The Workflows view, from the sidebar, with the step `title` picked: its form."""
    driver.get(f"{site.url}/")
    wait_for(driver, lambda: driver.find_element(By.LINK_TEXT, "Workflows").click() or True, "link")
    wait_for(
        driver, lambda: driver.find_element(By.ID, "channel-title").text == "Workflows", "view"
    )
    steps = driver.find_elements(By.CSS_SELECTOR, 'nav[aria-label="Deskhand\'s steps"] a')
    next(a for a in steps if a.find_element(By.TAG_NAME, "b").text == title).click()
    return wait_for(
        driver,
        lambda: (
            driver.find_element(By.ID, "step-title").text == title
            and driver.find_element(By.ID, "step-form")
        ),
        f"the {title} form",
    )


def outcome(driver, heading: str) -> WebElement:
    """The outcome of the last run, once its heading says `heading`."""
    return wait_for(
        driver,
        lambda: next(
            (
                o
                for o in driver.find_elements(By.CSS_SELECTOR, "#step-outcome article")
                if o.find_element(By.TAG_NAME, "h3").text == heading
            ),
            None,
        ),
        f"outcome {heading!r}",
    )


def test_create_ticket_from_the_workflows_view_then_slash_ticket_shows_it(browser, site):
    form = open_step(browser, site, "Create ticket")
    field(form, "Customer").send_keys("demo")
    field(form, "Subject").send_keys("Boiler pressure low")
    field(form, "Priority").send_keys("High")
    shot(browser, "workflows-create-ticket")
    button(form, "Run step").click()
    done = outcome(browser, "Create ticket completed")
    number = done.find_element(By.CSS_SELECTOR, "[data-output=ticket_number] dd").text
    assert number.isdigit()
    assert "step.create_ticket" in done.find_element(By.CSS_SELECTOR, "ul.wf-did").text
    shot(browser, "workflows-ticket-created")
    open_channel(browser, site, "# support")
    type_message(browser, f"/ticket {number}")
    wait_for(browser, lambda: "Boiler pressure low" in card(browser, f"#{number} ").text, "card")


def test_a_failed_step_says_why_and_what_was_typed_stays(browser, site):
    tickets = len(site.sandbox.sandboxes.readydesk.tickets)
    form = open_step(browser, site, "Create ticket")
    field(form, "Customer").send_keys("delta")
    field(form, "Subject").send_keys("Printer jam")
    button(form, "Run step").click()
    failed = outcome(browser, "Create ticket failed")
    said = failed.find_element(By.CSS_SELECTOR, "[role=alert]").text
    assert "matches" in said and "Delta Plumbing" in said and "Delta Bakery" in said
    shot(browser, "workflows-several-customers")
    field(form, "Subject").clear()  # a required input left empty: nothing runs, the page says so
    button(form, "Run step").click()
    error = browser.find_element(By.ID, "step-error")
    wait_for(browser, error.is_displayed, "the reason it did not run")
    assert error.text == ("Fill in Subject: Create ticket needs it to run. What you typed is kept.")
    assert field(form, "Customer").get_attribute("value") == "delta"
    assert len(site.sandbox.sandboxes.readydesk.tickets) == tickets
