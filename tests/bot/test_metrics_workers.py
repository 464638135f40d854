"""The background work in GET /metrics: digest and watch runs and their durations, what they
posted, the claims another process held first, and writes the sweeper took over."""

from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlencode

import pytest

from api.writes import WritePlan
from bot.app import build_web_client, handler_config
from bot.scheduler import build_scheduler
from store.schedules import EVERY_DAY, DigestSchedule
from telemetry.metrics import LostClaims
from tests.bot.served import FORM, served
from tests.scrape import scrape, value
from tests.slack_helpers import signed_headers
from workers.claims import sweep_claims
from workers.digests import run_due
from workers.watches import poll_watches

ZONE, AT = "Pacific/Chatham", time(6, 43)


@pytest.fixture
async def app(slack):
    async with served(slack) as running:
        yield running


async def _command(app, slack, text_command: str, text: str, name: str) -> None:
    body = urlencode(
        {
            "team_id": "T0SANDBOX",
            "channel_id": "C1",
            "user_id": "U1",
            "command": text_command,
            "text": text,
            "response_url": slack.response_url(name),
            "trigger_id": f"trigger-{name}",
        }
    )
    await app.http.post("/slack/events", content=body, headers={**FORM, **signed_headers(body)})
    await app.work.wait()


async def _due(app, now: datetime, lost: LostClaims | None = None) -> list[str]:
    client, config = build_web_client(app.settings), handler_config(app.settings)
    return await run_due(app.desk, app.store, client, now, config=config, lost=lost)


async def _poll(app) -> list[str]:
    client, config = build_web_client(app.settings), handler_config(app.settings)
    return await poll_watches(app.desk, app.store, client, datetime.now(UTC), config=config)


def _delta(before, after, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


async def test_digest_runs_count_what_they_posted_and_the_slots_another_process_took(app, slack):
    await _command(app, slack, "/digest", f"add unresolved at 06:43 daily tz {ZONE}", "d1")
    await _command(app, slack, "/digest", f"add overdue at 06:43 daily tz {ZONE}", "d2")
    [mine, theirs] = sorted(s.id for s in await app.store.digests.active())
    slot = DigestSchedule(AT, EVERY_DAY, ZONE).next_slot(datetime.now(UTC))
    assert await app.store.digests.claim_slot(theirs, slot)  # as another process would
    before = await scrape(app.http)
    lost = LostClaims("digest")  # one runner's, across its looks
    looked = await _due(app, slot + timedelta(seconds=5), lost)
    assert looked == [f"#{mine} {slot.isoformat()}: posted"]
    assert await _due(app, slot + timedelta(seconds=10), lost) == []  # each look tries both again
    after = await scrape(app.http)
    assert _delta(before, after, "deskhand_digests_total", outcome="posted") == 1
    assert _delta(before, after, "deskhand_claims_lost_total", kind="digest") == 1
    assert _delta(before, after, "deskhand_worker_runs_total", worker="digests", outcome="ok") == 2
    assert _delta(before, after, "deskhand_worker_run_seconds_count", worker="digests") == 2


async def test_two_schedulers_in_one_process_each_count_the_slot_the_other_posted(app, slack):
    await _command(app, slack, "/digest", f"add unresolved at 06:47 daily tz {ZONE}", "d3")
    slot = DigestSchedule(time(6, 47), EVERY_DAY, ZONE).next_slot(datetime.now(UTC))
    first, second = (
        build_scheduler(app.settings, app.store, app.desk, lambda: slot + timedelta(seconds=5))
        for _ in range(2)
    )
    before = await scrape(app.http)
    await first.look()
    await second.look()  # as `--workers 2` would: the slot is the first one's, lost to this one
    after = await scrape(app.http)
    assert _delta(before, after, "deskhand_digests_total", outcome="posted") == 1
    assert _delta(before, after, "deskhand_claims_lost_total", kind="digest") == 1


async def test_watch_polls_count_alerts_posted_and_tickets_another_process_alerted(app, slack):
    await _command(app, slack, "/deskhand", "watch tickets", "w1")
    [watch] = await app.store.alerts.active()
    await _poll(app)  # the baseline
    taken = await app.desk.readydesk.add_ticket(cid="demo", subject="Posted by replica B")
    await app.desk.readydesk.add_ticket(cid="demo", subject="Server room flooding")
    assert await app.store.alerts.claim(watch.id, str(taken), "new")  # as another process would
    before = await scrape(app.http)
    assert f"#{watch.id}: 1 new" in await _poll(app)
    after = await scrape(app.http)
    assert _delta(before, after, "deskhand_alerts_posted_total", kind="tickets") == 1
    assert _delta(before, after, "deskhand_claims_lost_total", kind="alert") == 1
    assert _delta(before, after, "deskhand_worker_runs_total", worker="watches", outcome="ok") == 1
    assert _delta(before, after, "deskhand_worker_run_seconds_count", worker="watches") == 1


async def test_the_sweeper_counts_writes_it_took_over_and_what_it_found(app, slack):
    plan = WritePlan(
        check="ticket_note",
        target="34",
        marker="ref 0DEAD000",
        typed="Called back",
        response_url=slack.response_url("sweep1"),
        label="the note on ticket #34",
    )
    await app.store.claims.claim(
        "cmd:sweep1",
        action="note.ticket",
        user_id="U1",
        owner="killed-replica",
        lease=timedelta(seconds=-1),
        plan=plan.model_dump_json(),
    )
    before = await scrape(app.http)
    client = build_web_client(app.settings)
    # Its process may have sent it just before it died: not there proves nothing until the
    # apply window after its lease is over.
    window_over = datetime.now(UTC) + timedelta(seconds=61)
    done = await sweep_claims(app.desk, app.store, client, window_over)
    assert done == ["note.ticket cmd:sweep1: failed"]  # the note is not in the ticket's history
    after = await scrape(app.http)
    assert _delta(before, after, "deskhand_claims_taken_over_total") == 1
    assert _delta(before, after, "deskhand_writes_reconciled_total", outcome="not_written") == 1
    runs = {"worker": "claim_sweep", "outcome": "ok"}
    assert _delta(before, after, "deskhand_worker_runs_total", **runs) == 1
