"""The web sandbox is one story: what people said before the page opened names records the
sandbox has, every time the sandbox stamps is on its own clock, and a restart starts clean."""

import logging
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from playground.web.app import WebSandbox
from sandbox.workspace import SEEDED
from tests.conftest import clean_settings

SUPPORT, DISPATCH = "C0SUPPORT", "C0DISPATCH"


def _path(blocks: list[dict[str, Any]], action_id: str) -> str:
    """Where the element with `action_id` sits in a message's blocks ("3.accessory", "4.1")."""
    for n, block in enumerate(blocks):
        if (block.get("accessory") or {}).get("action_id") == action_id:
            return f"{n}.accessory"
        for m, element in enumerate(block.get("elements") or []):
            if element.get("action_id") == action_id:
                return f"{n}.{m}"
    raise AssertionError(f"no {action_id} in the card")


async def _ticket_card(sandbox: WebSandbox, ticket: int) -> Any:
    assert await sandbox.send(SUPPORT, f"/ticket {ticket}") is None
    return sandbox.workspace.timeline(SUPPORT)[-1]


async def test_what_people_said_names_records_the_sandbox_has(tmp_path: Path):
    [printer] = [
        m
        for _, _, text in SEEDED
        if (m := re.fullmatch(r"(.+) called: the printer in (\w+) is offline again\.", text))
    ]
    [late] = [m for _, _, text in SEEDED if (m := re.search(r"late to the (.+) job", text))]
    async with WebSandbox(clean_settings(), state_dir=tmp_path / ".deskhand") as sandbox:
        [asked] = [t for c, _, t in SEEDED if "ticket 34" in t]
        card = await _ticket_card(sandbox, 34)  # the ticket the channel talks about, as a card
        shown = str(card.blocks)
        assert printer.group(1) in shown  # the company that called is the ticket's
        assert f"Printer offline in {printer.group(2)}" in shown
        contact = re.search(r"\? (\w+ \w+) asked", asked)
        assert contact and contact.group(1) in shown
        data = sandbox.sandboxes.kickserv  # the job Sam is late to: today's, by the account
        [job] = [
            j
            for j in data.jobs.values()
            if j.scheduled_on
            and j.scheduled_on.date() == data.today
            and data.customer_by_global_id(j.customer_id).name == late.group(1)
        ]
        assert await sandbox.send(DISPATCH, f"/job {job.job_number}") is None
        shown = str(sandbox.workspace.timeline(DISPATCH)[-1].blocks)
        assert late.group(1) in shown and "Sam Ortiz" in shown


async def test_the_page_messages_and_the_audit_log_are_on_the_sandbox_clock(tmp_path: Path):
    state = tmp_path / ".deskhand"
    (state).mkdir()
    (state / "clock.json").write_text('{"offset_seconds": 86400}')  # a day ahead, as a jump left
    async with WebSandbox(clean_settings(), state_dir=state) as sandbox:
        now = sandbox.clock.now()
        first = sandbox.workspace.timeline(SUPPORT)[0]  # said before the page opened
        assert abs(first.at - now) < timedelta(minutes=1)
        card = await _ticket_card(sandbox, 34)
        where = {"channel": SUPPORT, "ts": card.ts}
        await sandbox.press(where, {"path": _path(card.blocks, "ticket_assign_me")})
        [row] = await sandbox.store.audit.recent(limit=1)
        assert abs(row.at - sandbox.clock.now()) < timedelta(minutes=1)


async def test_a_restart_starts_clean_with_no_warning(tmp_path: Path, caplog):
    state = tmp_path / ".deskhand"
    async with WebSandbox(clean_settings(), state_dir=state) as first:
        card = await _ticket_card(first, 34)
        share = {"path": _path(card.blocks, "share_card")}
        await first.press({"channel": SUPPORT, "ts": card.ts}, share)  # a live card
        assert len(await first.store.live.tracked(first.clock.now() - timedelta(days=1))) == 1
    caplog.set_level(logging.INFO)
    async with WebSandbox(clean_settings(), state_dir=state) as second:
        card = await _ticket_card(second, 34)
        where = {"channel": SUPPORT, "ts": card.ts}
        await second.press(where, {"path": _path(card.blocks, "ticket_assign_me")})
        assert "alice" in str(second.workspace.timeline(SUPPORT)[-1].blocks)  # it changed
    warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warned == []
