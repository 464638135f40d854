"""Threads and reactions in the web sandbox, in a real browser (the fixtures and helpers of
browser_helpers.py): a reply in a synced thread becomes a note, a customer's answer from the
sandbox world comes back into the thread, and 🎫 on a message leads to a ticket."""

from datetime import timedelta

import pytest

from tests.bot import browser_helpers
from tests.bot.browser_helpers import (
    WORLD_WAIT,
    By,
    Keys,
    articles,
    button,
    card,
    dialog_with,
    field,
    open_channel,
    shot,
    thread_messages,
    type_message,
    wait_for,
)

pytestmark = pytest.mark.long_running

site = browser_helpers.site  # one sandbox for this module; the browser is the worker's


def test_a_reply_in_a_synced_thread_becomes_a_note_and_the_customer_answers_in_it(browser, site):
    open_channel(browser, site, "# support")
    type_message(browser, "/deskhand threads on")
    wait_for(browser, lambda: "on" in articles(browser)[-1].text.lower(), "threads on")
    type_message(browser, "/ticket 34")
    button(card(browser, "#34 "), "Share in channel").click()
    shared = wait_for(
        browser,
        lambda: next(
            (a for a in articles(browser) if "#34 " in a.text and "Shared by" in a.text), None
        ),
        "the shared card",
    )
    # Its menu's Reply in thread opens the thread pane, with the card on top.
    shared.find_element(By.CSS_SELECTOR, "button[aria-label='More actions']").click()
    shared.find_element(By.LINK_TEXT, "Reply in thread").click()
    wait_for(browser, lambda: "#34 " in thread_messages(browser)[0].text, "the thread pane")
    box = browser.find_element(By.CSS_SELECTOR, "textarea[aria-label='Reply']")
    box.send_keys("Printer driver reinstalled, test page printed.", Keys.ENTER)

    def synced():
        said = [a for a in thread_messages(browser) if "driver reinstalled" in a.text]
        shown = [r.text for m in said for r in m.find_elements(By.CLASS_NAME, "reaction")]
        return shown == ["📥 1"]

    wait_for(browser, synced, "the synced reaction on the reply")
    assert box.get_attribute("value") == ""
    history = site.sandbox.sandboxes.readydesk.history[34]
    assert any("Printer driver reinstalled" in h.note for h in history)
    assert browser.find_element(By.CSS_SELECTOR, "#main a.thread-count").text.endswith("replies")
    shot(browser, "thread-synced")

    # The sandbox world moves on (a jump of its clock, as to a digest): Fatima Chen, the
    # ticket's contact, answers the note in ReadyDesk, and the poller brings it to the thread.
    at = site.sandbox.clock.local(site.sandbox.settings.timezone) + timedelta(hours=2)
    type_message(browser, f"/digest add unresolved at {at:%H:%M}")
    wait_for(browser, lambda: "Subscribed" in articles(browser)[-1].text, "the digest added")
    browser.find_element(By.XPATH, "//button[.='Jump to the next digest']").click()

    def answered():
        return any("Fatima Chen" in a.text for a in thread_messages(browser)[2:])

    wait_for(browser, answered, "answer from the customer in the thread", seconds=WORLD_WAIT)
    answers = [
        h for h in site.sandbox.sandboxes.readydesk.history[34] if h.updater_type == "CUSTOMER"
    ]
    wait_for(
        browser,
        lambda: answers[-1].note in " ".join(a.text for a in thread_messages(browser)),
        "the customer's words in the thread",
    )
    shot(browser, "thread-answered")


def test_the_ticket_reaction_offers_a_ticket_made_from_the_message(browser, site):
    open_channel(browser, site, "# support")

    def react() -> bool:
        said = next(a for a in articles(browser) if "printer in accounts" in a.text)
        said.find_element(By.CSS_SELECTOR, "button[aria-label='More actions']").click()
        said.find_element(By.CSS_SELECTOR, "[role=menuitem][aria-label='React :ticket:']").click()
        return True

    wait_for(browser, react, "the 🎫 reaction in the message's menu")

    def reacted() -> bool:
        said = next(a for a in articles(browser) if "printer in accounts" in a.text)
        return [r.text for r in said.find_elements(By.CLASS_NAME, "reaction")] == ["🎫 1"]

    wait_for(browser, reacted, "🎫 on the message")
    offered = wait_for(
        browser,
        lambda: next((a.text for a in articles(browser) if "from this message" in a.text), None),
        "the offer",
    )
    assert "Only visible to you" in offered

    def accept() -> bool:
        offer = next(a for a in articles(browser) if "from this message" in a.text)
        button(offer, "Create ticket from this message").click()
        return True

    wait_for(browser, accept, "the offer's button")
    form = dialog_with(
        browser, "Create ticket", "Description", "printer in accounts is offline again"
    )
    customer = field(form, "Customer")
    if not customer.get_attribute("value"):
        customer.send_keys("delta")
        wait_for(
            browser,
            lambda: form.find_element(By.XPATH, ".//*[@role='option'][contains(., 'Delta')]"),
            "a typeahead option",
        ).click()
    field(form, "Subject").send_keys("Accounts printer offline")
    tickets = len(site.sandbox.sandboxes.readydesk.tickets)
    wait_for(browser, lambda: button(form, "Create ticket"), "the form's submit").click()
    wait_for(
        browser,
        lambda: len(site.sandbox.sandboxes.readydesk.tickets) == tickets + 1,
        "the ticket created",
    )
    created = max(site.sandbox.sandboxes.readydesk.tickets.values(), key=lambda t: t.tid)
    assert "printer in accounts is offline again" in created.summary
    shot(browser, "ticket-from-reaction")
