"""The web sandbox's workspace shows what Slack would after each thing the app sends: posted
over HTTP to the Slack sandbox as slack-sdk would, then read back as the page reads it."""

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from sandbox.slack import BOT_USER_ID, SlackSandbox
from sandbox.workspace import DM, ME, Workspace

SUPPORT = "C0SUPPORT"


class App:
    """What Deskhand would send: Web API calls and response_url posts."""

    def __init__(self, slack: SlackSandbox, http: httpx.AsyncClient) -> None:
        self.slack, self.http = slack, http

    async def api(self, method: str, **payload: Any) -> dict[str, Any]:
        response = await self.http.post(
            f"{self.slack.api_url}{method}",
            json=payload,
            headers={"authorization": "Bearer xoxb-sandbox"},
        )
        return response.json()

    async def respond(self, url: str, **payload: Any) -> None:
        await self.http.post(
            url, content=json.dumps(payload), headers={"content-type": "application/json"}
        )


@pytest.fixture
async def app(slack: SlackSandbox) -> AsyncIterator[App]:
    async with httpx.AsyncClient() as http:
        yield App(slack, http)


@pytest.fixture
def workspace(slack: SlackSandbox) -> Workspace:
    shown = Workspace(slack)
    shown.messages.clear()  # no seeded chatter: each test reads only what it caused
    return shown


def texts(workspace: Workspace, channel: str = SUPPORT) -> list[tuple[str, bool]]:
    workspace.sync()
    return [(m.text, m.ephemeral) for m in workspace.timeline(channel)]


async def test_a_commands_replies_are_yours_until_one_is_in_channel(app, workspace):
    url = workspace.response_url(SUPPORT)
    await app.respond(url, text="Looking up ticket 34 …", response_type="ephemeral")
    await app.respond(url, text="#34 Printer offline", replace_original=True)
    assert texts(workspace) == [("#34 Printer offline", True)]  # the line was replaced
    await app.respond(url, text="Shared: #34", response_type="in_channel")
    assert texts(workspace)[-1] == ("Shared: #34", False)


async def test_a_buttons_response_url_replaces_or_deletes_its_message(app, workspace):
    posted = await app.api("chat.postMessage", channel=SUPPORT, text="card v1")
    url = workspace.response_url(SUPPORT, posted["ts"])
    await app.respond(url, text="a new line below", replace_original=False)
    await app.respond(url, text="card v2", replace_original=True)
    assert texts(workspace) == [("card v2", False), ("a new line below", True)]
    await app.respond(url, delete_original=True)
    assert texts(workspace) == [("a new line below", True)]


async def test_updates_deletes_threads_and_unfurls_land_where_slack_puts_them(app, workspace):
    card = await app.api("chat.postMessage", channel=SUPPORT, text="Open")
    await app.api("chat.postMessage", channel=SUPPORT, thread_ts=card["ts"], text="Open → Closed")
    await app.api("chat.update", channel=SUPPORT, ts=card["ts"], text="Closed")
    said = workspace.post_as("U1", SUPPORT, "see https://app.kickserv.com/sandbox/jobs/1 <now>")
    await app.api(
        "chat.unfurl",
        channel=SUPPORT,
        ts=said.ts,
        unfurls={"https://app.kickserv.com/sandbox/jobs/1": {"blocks": [{"type": "divider"}]}},
    )
    assert texts(workspace) == [
        ("Closed", False),
        ("see <https://app.kickserv.com/sandbox/jobs/1> &lt;now&gt;", False),
    ]
    [parent, message] = workspace.timeline(SUPPORT)
    assert [r.text for r in workspace.replies(parent)] == ["Open → Closed"]
    assert list(message.unfurls) == ["https://app.kickserv.com/sandbox/jobs/1"]
    await app.api("chat.delete", channel=SUPPORT, ts=card["ts"])
    assert [t for t, _ in texts(workspace)] == [message.text]


async def test_posts_to_a_person_are_their_messages_with_deskhand(app, workspace):
    await app.api("chat.postMessage", channel=ME, text="Your card")
    await app.api("chat.postMessage", channel="U1", text="Someone else's")
    await app.api("chat.postEphemeral", channel=SUPPORT, user=ME, text="Only you")
    await app.api("chat.postEphemeral", channel=SUPPORT, user="U1", text="Only Pat")
    assert texts(workspace, DM) == [("Your card", False)]
    assert texts(workspace) == [("Only you", True)]
    assert {m.user for m in workspace.messages.values()} == {BOT_USER_ID}


def _form(title: str) -> dict[str, Any]:
    return {"type": "modal", "title": {"type": "plain_text", "text": title}, "blocks": []}


async def test_the_modal_stack_follows_views_and_acknowledgements(app, workspace):
    opened = await app.api("views.open", trigger_id="1", view=_form("Create job"))
    pushed = await app.api("views.push", trigger_id="2", view=_form("Pick a crew"))
    workspace.sync()
    assert workspace.view()["title"]["text"] == "Pick a crew"
    top = pushed["view"]["id"]
    workspace.after_submission(
        top, {"response_action": "errors", "errors": {"crew": "Pick one"}}, {"crew": "x"}
    )
    assert workspace.form_errors[top] == {"crew": "Pick one"}
    assert workspace.form_values[top] == {"crew": "x"}
    workspace.after_submission(top, {}, {})  # a plain acknowledgement closes the top view
    assert workspace.view()["id"] == opened["view"]["id"]
    await app.api("views.update", view_id=opened["view"]["id"], view=_form("Saving…"))
    workspace.sync()
    assert workspace.view()["title"]["text"] == "Saving…"
    workspace.after_submission(
        opened["view"]["id"], {"response_action": "update", "view": _form("Job created")}, {}
    )
    assert workspace.view()["title"]["text"] == "Job created"
    workspace.after_submission(opened["view"]["id"], {"response_action": "clear"}, {})
    assert workspace.view() is None
