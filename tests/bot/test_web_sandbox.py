"""The web sandbox's page, driven as its script drives it: what the person does is posted to the
page, the page sends Slack's signed requests to the real app, and what the app sent back is read
from the page's state — cards, forms, typeahead, shortcuts, the Home tab, digests and live cards."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from bot.app import build_web_client
from playground.web.app import WebSandbox
from playground.web.page import build_page
from tests.conftest import clean_settings
from tests.html_dom import Node, parse
from workers.watches import poll_watches

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.long_running]

SUPPORT, DISPATCH = "C0SUPPORT", "C0DISPATCH"


class Page:
    """The page as its script uses it: state to read, verbs to post."""

    def __init__(self, http: httpx.AsyncClient, sandbox: WebSandbox) -> None:
        self.http, self.sandbox = http, sandbox

    async def state(self, channel: str = SUPPORT) -> dict[str, Any]:
        response = await self.http.get("/sandbox/state", params={"c": channel})
        assert response.status_code == 200
        return response.json()

    async def articles(self, channel: str = SUPPORT) -> list[Node]:
        return parse((await self.state(channel))["main"]).find_all(role="article")

    async def modal(self) -> Node:
        return parse((await self.state())["modal"])

    async def post(self, verb: str, **body: Any) -> dict[str, Any]:
        response = await self.http.post(f"/sandbox/{verb}", json=body)
        assert response.status_code == 200, response.text
        return response.json()

    async def send(self, text: str, channel: str = SUPPORT) -> None:
        await self.post("send", channel=channel, text=text)

    async def press(self, article: Node, label: str) -> None:
        """Press the button labelled `label` in a message."""
        button = _button(article, label)
        where = {"channel": article.attrs["data-channel"], "ts": article.attrs["data-ts"]}
        await self.post("action", where=where, action={"path": button.attrs["data-path"]})

    async def choose(self, article: Node, label: str, value: str) -> None:
        """Choose `value` in the select labelled `label` in a message."""
        select = next(s for s in article.find_all("select") if s.attrs["aria-label"] == label)
        where = {"channel": article.attrs["data-channel"], "ts": article.attrs["data-ts"]}
        await self.post(
            "action", where=where, action={"path": select.attrs["data-path"], "value": value}
        )

    async def submit(self, values: dict[str, Any]) -> None:
        dialog = (await self.modal()).find(role="dialog")
        await self.post("submit", view_id=dialog.attrs["data-view-id"], values=values)


def _button(node: Node, label: str) -> Node:
    found = [b for b in node.find_all("button") if b.text.strip() == label]
    assert found, f"no {label!r} button in {node.text[:300]!r}"
    return found[0]


def _card(articles: list[Node], heading: str) -> Node:
    found = [a for a in articles if any(h.text.startswith(heading) for h in a.find_all("h3"))]
    assert found, f"no card {heading!r}"
    return found[-1]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def sandbox(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[WebSandbox]:
    """One web sandbox for the module (its world changes only when a test jumps the clock)."""
    settings = clean_settings(DESKHAND_LOOKING_UP_AFTER=60)
    state = tmp_path_factory.mktemp("web") / ".deskhand"
    async with WebSandbox(settings, state_dir=state) as running:
        await running.desk.directory.refresh()
        yield running


@pytest_asyncio.fixture(loop_scope="module")
async def page(sandbox: WebSandbox) -> AsyncIterator[Page]:
    data = sandbox.sandboxes.readydesk
    ticket = data.tickets[34]
    ticket.status, ticket.assigned_tech, ticket.date_closed = "Open", "", None
    transport = httpx.ASGITransport(app=build_page(sandbox))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:3000") as http:
        yield Page(http, sandbox)


async def test_the_page_is_a_workspace_with_channels_a_composer_and_messages(page):
    response = await page.http.get("/")
    dom = parse(response.text)
    assert [a.text for a in dom.find("nav").find_all("a")] == [
        "Workflows",
        "# support",
        "# dispatch",
        "Deskhand",
    ]
    assert dom.find("textarea").attrs["aria-label"] == "Message"
    first = dom.find(role="article")
    assert first.find(class_="author").text == "Pat Lee"
    assert first.find("button", class_="more-actions").attrs["aria-label"] == "More actions"
    assert (await page.http.get("/static/sandbox.js")).status_code == 200


async def test_a_command_answers_with_its_card_only_you_can_see(page):
    await page.send("/ticket 34")
    card = _card(await page.articles(), "#34 ")
    assert "Only visible to you" in card.text
    labels = [b.text for b in card.find_all("button") if "bk-button" in b.attrs.get("class", "")]
    assert {"Refresh", "Add note", "Assign to me", "Close", "Share in channel"} <= set(labels)
    assert card.find("select").attrs["aria-label"] == "Status"


async def test_assign_to_me_redraws_the_same_card(page):
    await page.send("/ticket 34")
    card = _card(await page.articles(), "#34 ")
    await page.press(card, "Assign to me")
    after = _card(await page.articles(), "#34 ")
    assert after.attrs["data-ts"] == card.attrs["data-ts"]
    assert "Assigned to\nalice · Tier 1" in after.find(class_="bk-fields").text
    assert "alice" not in card.find(class_="bk-fields").text
    assert page.sandbox.sandboxes.readydesk.tickets[34].assigned_tech == "alice"


async def test_the_status_select_changes_the_ticket(page):
    await page.send("/ticket 34")
    await page.choose(_card(await page.articles(), "#34 "), "Status", "Escalated")
    after = _card(await page.articles(), "#34 ")
    assert "Escalated" in after.find(class_="bk-fields").text
    assert page.sandbox.sandboxes.readydesk.tickets[34].status == "Escalated"


async def test_share_in_channel_then_the_card_stays_live(page):
    await page.send("/ticket 34")
    mine = _card(await page.articles(), "#34 ")
    await page.press(mine, "Share in channel")
    articles = await page.articles()
    assert mine.attrs["data-ts"] not in [a.attrs["data-ts"] for a in articles]  # your copy: gone
    shared = _card(articles, "#34 ")
    assert "Only visible to you" not in shared.text
    assert "Shared by @Alice Moreno" in shared.text
    status = "Awaiting Response"  # someone changes the ticket in ReadyDesk
    page.sandbox.sandboxes.readydesk.tickets[34].status = status
    slack = build_web_client(page.sandbox.settings)
    await poll_watches(
        page.sandbox.desk, page.sandbox.store, slack, datetime.now(UTC), config=page.sandbox.config
    )
    live = next(a for a in await page.articles() if a.attrs["data-ts"] == shared.attrs["data-ts"])
    assert status in live.find(class_="bk-fields").text
    assert live.find("a", class_="thread-count").text == "1 reply"
    state = (
        await page.http.get("/sandbox/state", params={"c": SUPPORT, "t": live.attrs["data-ts"]})
    ).json()
    assert f"Status: Open → {status}" in parse(state["thread"]).find_all(role="article")[1].text


async def test_the_note_form_shows_errors_under_fields_then_the_confirmation(page):
    await page.send("/note ticket 34")
    modal = await page.modal()
    dialog = modal.find(role="dialog")
    assert modal.find(id=dialog.attrs["aria-labelledby"]).text == "Add note"
    note = modal.find("textarea")
    assert modal.label_for(note) == "Note on ticket #34"
    assert _button(modal, "Add note").attrs["class"].endswith("modal-submit")
    await page.submit({"note": "   "})
    refused = await page.modal()
    assert refused.find(role="alert").text == "Write something to add."
    await page.submit({"note": "Called the customer <back> & fixed it"})
    done = await page.modal()
    assert "Added the note to ticket #34" in done.text
    history = page.sandbox.sandboxes.readydesk.history[34]
    assert history[-1].note.startswith("Called the customer <back> & fixed it\n— alice via Slack")
    await page.post("close", view_id=done.find(role="dialog").attrs["data-view-id"])
    assert (await page.state())["modal"] == ""


async def test_job_new_finds_the_customer_through_the_typeahead(page):
    await page.send("/job new", channel=DISPATCH)
    modal = await page.modal()
    view_id = modal.find(role="dialog").attrs["data-view-id"]
    combobox = modal.find(role="combobox")
    assert modal.label_for(combobox) == "Customer"
    path = modal.find(class_="bk-combobox").attrs["data-path"]
    answer = await page.post("suggest", where={"view_id": view_id}, path=path, value="demo")
    demo = next(o for o in answer["options"] if o["group"] == "Kickserv")
    assert demo["text"] == "Demo Company (#1)"
    service = next(o for o in modal.find("select").find_all("option") if o.attrs.get("value"))
    jobs = len(page.sandbox.sandboxes.kickserv.jobs)
    await page.submit(
        {
            "customer": {"value": demo["value"], "text": demo["text"]},
            "service": service.attrs["value"],
            "description": "Replace the kitchen tap",
            "date": "2026-12-01",
            "time": "09:30",
        }
    )
    assert "Created job" in (await page.modal()).text
    assert len(page.sandbox.sandboxes.kickserv.jobs) == jobs + 1


async def test_a_message_shortcut_from_more_actions_opens_its_form(page):
    said = next(a for a in await page.articles() if "printer in accounts" in a.text)
    menu = said.find(role="menu")
    item = next(i for i in menu.find_all(role="menuitem") if i.text == "Create ticket")
    await page.post(
        "shortcut",
        channel=said.attrs["data-channel"],
        ts=said.attrs["data-ts"],
        callback_id=item.attrs["data-shortcut"],
    )
    modal = await page.modal()
    assert modal.find(id=modal.find(role="dialog").attrs["aria-labelledby"]).text == "Create ticket"
    assert "printer in accounts is offline again" in modal.find("textarea").text


async def test_the_home_tab_is_published_when_opened(page):
    await page.post("home")
    home = parse((await page.state("home"))["main"])
    assert "Your unresolved tickets" in home.text
    view_id = home.find("section").attrs["data-view-id"]
    assert view_id
    publishes = len([c for c in page.sandbox.slack.calls if c.name == "views.publish"])
    refresh = _button(home, "Refresh")
    await page.post(
        "action", where={"view_id": view_id}, action={"path": refresh.attrs["data-path"]}
    )
    assert len([c for c in page.sandbox.slack.calls if c.name == "views.publish"]) == publishes + 1


async def test_the_person_at_the_page_sees_their_own_jobs_on_home(page):
    await page.post("home")
    home = parse((await page.state("home"))["main"]).text
    assert "Kickserv employee Alice Moreno (matched by email)" in home
    assert "Deskhand does not know" not in home
    data = page.sandbox.sandboxes.kickserv
    alices = {
        data.jobs[n].job_number
        for n in data.jobs
        for t in data.tasks.values()
        if t.job_id == data.jobs[n].id and 846789 in t.employee_ids
    }
    today, tomorrow = home.split("Your jobs today", 1)[1].split("Your jobs tomorrow", 1)
    assert any(f"Job {n}" in today for n in alices)
    assert any(f"Job {n}" in tomorrow for n in alices)


async def test_jumping_the_clock_posts_the_next_digest(page):
    await page.post("jump")
    notice = (await page.state())["notice"]["html"]
    assert "No digest is scheduled" in notice
    assert "<code>/digest add unresolved at 08:00</code>" in notice and "`" not in notice
    await page.send("/digest add unresolved at 08:00", channel=DISPATCH)
    before = len(await page.articles(DISPATCH))
    await page.post("jump")
    state = await page.state(DISPATCH)
    assert "The sandbox clock jumped to" in state["notice"]["html"]
    for _ in range(100):
        articles = await page.articles(DISPATCH)
        if len(articles) > before and "Unresolved tickets" in articles[-1].text:
            break
        await asyncio.sleep(0.05)
    assert "Only visible to you" not in articles[-1].text
    assert "Unresolved tickets" in articles[-1].text
    assert "ahead" in (await page.state(DISPATCH))["clock"]
    now = page.sandbox.clock.now().astimezone()  # the digest came at the sandbox's time
    shown = {f"{t:%H:%M}" for t in (now, now - timedelta(minutes=1))}
    assert articles[-1].find("time").text in shown
    [sub] = await page.sandbox.store.digests.in_channel(DISPATCH)
    await page.send(f"/digest pause {sub.id}", channel=DISPATCH)
    await page.post("jump")
    paused = (await page.state(DISPATCH))["notice"]["html"]
    assert f"Every digest is paused: <code>/digest resume {sub.id}</code>" in paused
    await page.send("/deskhand runsheet at 07:00 daily", channel=DISPATCH)
    await page.post("jump")
    assert "here comes your run-sheet." in (await page.state(DISPATCH))["notice"]["html"]


async def test_a_pasted_link_to_a_job_unfurls_under_the_message(page):
    job = next(iter(page.sandbox.sandboxes.kickserv.jobs.values()))
    url = f"https://app.kickserv.com/sandbox/jobs/{job.job_number}"
    await page.send(f"Can someone check {url} today?", channel=DISPATCH)
    said = [a for a in await page.articles(DISPATCH) if "Can someone check" in a.text][-1]
    assert said.find("a").attrs["href"] == url
    assert f"Job {job.job_number}" in said.find(class_="attachment").text


async def test_what_slack_would_refuse_is_said_and_not_taken_as_sent(page):
    before = len(await page.articles())
    answer = await page.post("send", channel=SUPPORT, text="/tiket 34 please")
    assert answer["delivered"] is False  # the page keeps the text in its box
    assert answer["error"] == (
        "<code>/tiket</code> is not a command here. Try <code>/deskhand help</code>."
    )
    assert len(await page.articles()) == before
    answer = await page.post("send", channel="D0DESKHAND", text="hello")
    assert answer == {
        "version": answer["version"],
        "delivered": False,
        "error": "Sending messages to this app has been turned off.",
    }
    assert (await page.post("send", channel=SUPPORT, text="/ticket 34"))["delivered"] is True


async def test_a_notice_is_not_shown_again_on_a_page_opened_after_it(page):
    await page.post("action", where={"channel": SUPPORT, "ts": "1.0"}, action={"path": "0.0"})
    notice = (await page.state())["notice"]
    assert notice["html"] == "That control is no longer there."
    home = parse((await page.http.get("/", params={"c": "home"})).text)
    assert home.find("body").attrs["data-notice"] == str(notice["id"])  # already said


async def test_digests_and_the_clock_survive_a_restart(tmp_path: Path):
    settings = clean_settings(DESKHAND_LOOKING_UP_AFTER=60)
    state = tmp_path / ".deskhand"
    async with WebSandbox(settings, state_dir=state) as first:
        await first.send(SUPPORT, "/digest add overdue at 07:00 weekdays")
        await first.jump_to_next_digest()
        ahead = first.clock.offset
    async with WebSandbox(settings, state_dir=state) as second:
        assert second.clock.offset == ahead
        await second.send(SUPPORT, "/digest list")
        listed = second.workspace.timeline(SUPPORT)[-1]
        assert "overdue" in str(listed.blocks) + listed.text
    assert (state / "sandbox.db").exists()


async def test_a_watch_posts_the_ticket_the_world_opens(page):
    sandbox = page.sandbox
    await page.send("/deskhand watch tickets status:open", channel=SUPPORT)
    slack = build_web_client(sandbox.settings)

    async def poll() -> None:
        await poll_watches(
            sandbox.desk, sandbox.store, slack, datetime.now(UTC), config=sandbox.config
        )

    await poll()  # the first poll sets the baseline
    before = len(await page.articles())
    data = sandbox.sandboxes.readydesk
    number = data.next_ticket_id()
    sandbox.clock.jump(timedelta(minutes=2))  # the world opens a ticket every two minutes
    assert data.tickets[number].status == "Open"
    await poll()
    alert = _card((await page.articles())[before:], f"#{number} ")
    assert "Only visible to you" not in alert.text


async def test_no_other_site_can_act_through_the_page(page):
    calls = len(page.sandbox.slack.calls)
    form = await page.http.post(
        "/sandbox/send",
        content='{"channel": "C0SUPPORT", "text": "/note ticket 34 spam"}',
        headers={"content-type": "text/plain"},  # what a cross-site form can send
    )
    assert form.status_code == 415
    foreign = await page.http.post(
        "/sandbox/send",
        json={"channel": SUPPORT, "text": "/note ticket 34 spam"},
        headers={"origin": "https://evil.example"},
    )
    assert foreign.status_code == 403
    rebound = await page.http.get("/sandbox/state", headers={"host": "evil.example:3000"})
    assert rebound.status_code == 403
    assert len(page.sandbox.slack.calls) == calls


async def test_a_card_shared_and_a_digest_in_one_channel_are_posted_a_second_apart(page):
    # Slack takes about one message a second per channel: the scheduler's posts and the
    # listeners' are paced together.
    slack = page.sandbox.slack
    await page.send("/digest add unassigned at 08:00")
    await page.send("/ticket 35")
    await page.press(_card(await page.articles(), "#35 "), "Share in channel")
    [shared] = [c for c in slack.calls if c.name == "chat.postMessage"][-1:]
    await page.post("jump")
    for _ in range(100):
        posts = [c for c in slack.calls if c.name == "chat.postMessage" and c.at > shared.at]
        if any(c.payload.get("channel") == SUPPORT for c in posts):
            break
        await asyncio.sleep(0.05)
    digest = next(c for c in posts if c.payload.get("channel") == SUPPORT)
    assert digest.at - shared.at >= 0.9
