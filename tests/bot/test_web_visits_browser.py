"""Ticket → visit → ticket in the web sandbox, in a real browser (the fixtures and helpers of
browser_helpers.py): Book a visit from ticket 34's card shared in a channel, see the visit on
that card, let the sandbox world complete it on the sandbox clock, then see the note and Close
ticket offered in the card's thread, and close the ticket from there."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from tests.bot import browser_helpers
from tests.bot.browser_helpers import (
    WORLD_WAIT,
    By,
    articles,
    button,
    card,
    dialog,
    field,
    open_channel,
    select,
    shot,
    thread_messages,
    type_message,
    wait_for,
)

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.remote.webelement import WebElement

pytestmark = pytest.mark.long_running

site = browser_helpers.site  # one sandbox for this module; the browser is the worker's

TICKET = 34
JUMP = timedelta(minutes=10)  # enough for the world to move a job on twice, not a day further


def shared_card(driver: WebDriver) -> WebElement:
    """Ticket 34's card shared in the channel (not the one only the person sees)."""
    return wait_for(
        driver,
        lambda: next(
            (a for a in articles(driver) if f"#{TICKET} " in a.text and "Shared by" in a.text),
            None,
        ),
        "the shared card",
    )


def test_a_visit_booked_from_a_ticket_is_done_on_the_sandbox_clock_and_close_is_offered(
    browser, site
):
    sandbox = site.sandbox
    ticket = sandbox.sandboxes.readydesk.tickets[TICKET]
    open_channel(browser, site, "# support")
    type_message(browser, f"/ticket {TICKET}")
    button(card(browser, f"#{TICKET} "), "Share in channel").click()
    button(shared_card(browser), "Book a visit").click()

    # The job form, prefilled from the ticket; its services and people arrive a moment later.
    wait_for(browser, lambda: field(dialog(browser, "Book a visit"), "Service"), "the services")
    form = dialog(browser, "Book a visit")
    # The Kickserv customer the ticket's customer is linked to (the directory) is chosen.
    assert field(form, "Customer").get_attribute("value").startswith(f"{ticket.company_name} (#")
    description = field(form, "Description").get_attribute("value")
    assert description.startswith(f"Ticket #{TICKET}: {ticket.subject}")
    select(field(form, "Service")).select_by_visible_text("Printer Repair")
    # Booked for the sandbox's day after the jump below, before its other jobs (the earliest
    # starts at 13:00 UTC): the world moves that day's first job on first.
    day = (sandbox.clock.local(sandbox.settings.timezone) + JUMP).date()
    field(form, "Date").send_keys(f"{day:%m%d%Y}")  # Chromium's en-US date field
    field(form, "Time (your time zone)").send_keys("0800AM")
    assert field(form, "Date").get_attribute("value") == day.isoformat()
    assert field(form, "Time (your time zone)").get_attribute("value") == "08:00"
    select(field(form, "Assign to")).select_by_visible_text("Sam Ortiz")
    shot(browser, "visit-form")
    button(form, "Create job").click()
    linked = f"Linked to ticket #{TICKET}"  # the dialog may be redrawn while it is read
    wait_for(browser, lambda: linked in dialog(browser, "Job created").text, "the job linked")
    jobs = sandbox.sandboxes.kickserv.jobs.values()
    [job] = [j.job_number for j in jobs if j.description.startswith(f"Ticket #{TICKET}:")]
    wait_for(
        browser, lambda: button(dialog(browser, "Job created"), "Done").click() or True, "Done"
    )
    wait_for(browser, lambda: not browser.find_elements(By.CSS_SELECTOR, "[role=dialog]"), "close")

    # The shared card lists the visit, redrawn in place.
    visit = f"[data-block-id='visit_{job}']"
    shown = wait_for(
        browser,
        lambda: shared_card(browser).find_element(By.CSS_SELECTOR, visit).text,
        "the visit on the card",
    )
    assert f"Job {job}" in shown and "Printer Repair" in shown and "Sam Ortiz" in shown
    shared = wait_for(browser, lambda: [a.text for a in articles(browser)], "the messages")
    assert len([text for text in shared if "Shared by" in text]) == 1
    shot(browser, "visit-on-card")

    # The sandbox clock jumps (to a digest a few minutes on): the world completes the visit,
    # and the poller notes it on the ticket and says so in the card's thread.
    at = sandbox.clock.local(sandbox.settings.timezone) + JUMP
    type_message(browser, f"/digest add unresolved at {at:%H:%M}")
    wait_for(browser, lambda: "Subscribed" in articles(browser)[-1].text, "the digest added")
    browser.find_element(By.XPATH, "//button[.='Jump to the next digest']").click()

    def open_thread() -> bool:
        shared_card(browser).find_element(By.CSS_SELECTOR, "a.thread-count").click()
        return True

    wait_for(browser, open_thread, "reply under the shared card", seconds=WORLD_WAIT)

    def done() -> WebElement | None:
        said = [m for m in thread_messages(browser) if f"Visit done: job {job}" in m.text]
        return said[-1] if said else None

    def seen() -> tuple[str, list[str]] | None:
        """The visit-done reply's text and buttons, once the card above it says Completed."""
        reply, shown = done(), thread_messages(browser)
        if reply is None or "Completed" not in shown[0].find_element(By.CSS_SELECTOR, visit).text:
            return None
        return reply.text, [
            b.text for b in reply.find_elements(By.CSS_SELECTOR, "button.bk-button")
        ]

    said, labels = wait_for(browser, seen, "the visit-done reply under the card, Completed")
    assert "by Sam Ortiz" in said and labels == ["Close ticket"]
    history = sandbox.sandboxes.readydesk.history[TICKET]
    assert len([h for h in history if h.note.startswith(f"Visit done: job {job}")]) == 1
    browser.execute_script(
        "[...document.querySelectorAll('#thread-messages [role=article]')].pop().scrollIntoView()"
    )
    shot(browser, "visit-done")

    wait_for(browser, lambda: button(done(), "Close ticket").click() or True, "Close ticket")

    def closed() -> tuple[str, list[str]] | None:
        now = seen()
        return now if now and "closed by" in now[0] else None

    said, labels = wait_for(browser, closed, "the ticket closed")
    assert f"Visit done: job {job}" in said and f"Ticket #{TICKET} closed by @Alice Moreno" in said
    assert labels == []  # the reply says who closed it, and offers Close no more
    assert sandbox.sandboxes.readydesk.tickets[TICKET].status == "Closed"
    wait_for(browser, lambda: "Closed" in shared_card(browser).text, "the card saying Closed")
    shot(browser, "visit-ticket-closed")


def _press(within: WebElement, label: str) -> bool:
    """Press the button `label` in `within` (True once pressed)."""
    button(within, label).click()
    return True
