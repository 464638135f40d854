"""Two replicas of the image on one PostgreSQL, with the settings compose.yaml gives them
(ops/replica.env): requests spread over both, a digest slot posted once, a watch's new ticket
alerted once, one write sent to both written once, and a replica killed mid-write reconciled by
the other. ReadyDesk and Kickserv are the sandbox fakes on loopback, so both replicas see one
help desk and one field-service account; Slack is the Slack sandbox."""

import asyncio
import dataclasses
import json
import signal
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette

from ops import signed
from ops.checks import CheckFailed, expect, expect_clean_log, text_of, until, wait_for_reply
from ops.containers import Buildah, Container, free_port
from ops.databases import fresh_database
from ops.replica_env import replica_env, shared_settings
from sandbox.data import SandboxData, seeded
from sandbox.kickserv import SANDBOX_ACCOUNT, SANDBOX_API_KEY, build_kickserv_app
from sandbox.kickserv_data import seeded_kickserv
from sandbox.readydesk import SANDBOX_KEY, build_readydesk_app
from sandbox.serve import LoopbackServer
from sandbox.slack import SlackSandbox
from store import Store

SPREAD = 20  # signed /ticket requests, half to each replica
LOOK_EVERY = 5.0  # the scheduler's look (bot/scheduler.py), for waits that span a look


@asynccontextmanager
async def _fresh_database(server_url: str) -> AsyncIterator[str]:
    """ops.databases.fresh_database, for an `async with` beside the loopback servers."""
    with fresh_database(server_url, "deskhand_image") as database_url:
        yield database_url


def posts(slack: SlackSandbox) -> list[dict]:
    """What the replicas posted in the check's channel."""
    return [
        c.payload
        for c in slack.calls
        if c.kind == "api"
        and c.name == "chat.postMessage"
        and c.payload.get("channel") == signed.CHANNEL
    ]


async def served(replica: Container) -> int:
    """Signed Slack requests a replica served, from its own /metrics (the access log is off)."""
    async with httpx.AsyncClient(timeout=10) as client:
        page = (await client.get(replica.url("/metrics"))).text
    return round(
        sum(
            sample.value
            for family in text_string_to_metric_families(page)
            for sample in family.samples
            if sample.name == "deskhand_requests_total"
        )
    )


async def command(replica: Container, slack: SlackSandbox, words: str, trigger: str) -> None:
    """Send `/command words` to a replica, signed; the reply arrives on response_url `trigger`."""
    slash, _, rest = words.partition(" ")
    body = signed.command_body(slash, rest, slack.response_url(trigger), trigger)
    async with httpx.AsyncClient(timeout=10) as client:
        answered = await signed.post_command(client, replica.url(""), body)
    expect(answered.status_code == 200, f"{words} to {replica.name} got {answered.status_code}")


async def claims_lost(replicas: list[Container]) -> dict[str, dict[str, float]]:
    """Each replica's deskhand_claims_lost_total by kind, read from its /metrics."""
    lost: dict[str, dict[str, float]] = {}
    async with httpx.AsyncClient(timeout=10) as client:
        for replica in replicas:
            page = (await client.get(replica.url("/metrics"))).text
            lost[replica.name] = {
                sample.labels["kind"]: sample.value
                for family in text_string_to_metric_families(page)
                for sample in family.samples
                if sample.name == "deskhand_claims_lost_total"
            }
    return lost


def next_slot(now: datetime) -> datetime:
    """The first whole minute at least 15 s away: a digest slot while both replicas run."""
    slot = (now + timedelta(minutes=1)).replace(second=0, microsecond=0)
    return slot if slot - now >= timedelta(seconds=15) else slot + timedelta(minutes=1)


async def check_replicas(
    buildah: Buildah, image: str, slack: SlackSandbox, work: Path, postgres_url: str
) -> None:
    """Run both replicas through every check and print the figures."""
    readydesk_data = seeded()
    readydesk = build_readydesk_app(readydesk_data)
    kickserv = build_kickserv_app(seeded_kickserv(readydesk_data))
    async with (
        _fresh_database(postgres_url) as database_url,
        LoopbackServer(readydesk) as readydesk_server,
        LoopbackServer(kickserv) as kickserv_server,
    ):
        deployment = {
            "SLACK_BOT_TOKEN": signed.BOT_TOKEN,
            "SLACK_SIGNING_SECRET": signed.SIGNING_SECRET,
            "SLACK_APP_TOKEN": "",
            "SLACK_API_URL": slack.api_url,
            "READYDESK_URL": readydesk_server.base_url + "/readydesk/API/default.aspx",
            "READYDESK_KEY": SANDBOX_KEY,
            "KICKSERV_URL": kickserv_server.base_url,
            "KICKSERV_ACCOUNT": SANDBOX_ACCOUNT,
            "KICKSERV_API_KEY": SANDBOX_API_KEY,
            "DESKHAND_DATABASE_URL": database_url,
        }
        command_line = await buildah.image_command(image)
        replicas = [await buildah.new_container(image, f"deskhand-replica-{n}") for n in (1, 2)]
        store = Store(database_url)
        try:
            for replica in replicas:
                env = replica_env(deployment, free_port())
                await replica.start(env, command_line, work / f"{replica.name}.log")
            ready = await asyncio.gather(*(r.wait_ready("/readyz") for r in replicas))
            print("two replicas on one PostgreSQL (ops/replica.env, as compose.yaml runs them):")
            print(f"  both started together, migrated and ready in {max(ready):.1f} s")
            await _run_checks(replicas, slack, store, readydesk, readydesk_data)
        except CheckFailed:
            for replica in replicas:
                print(f"--- {replica.name}'s log (the end):\n{replica.log()[-4000:]}")
            raise
        finally:
            await store.close()
            for replica in replicas:
                await replica.stop()
                await buildah.remove(replica.name)


async def _run_checks(
    replicas: list[Container],
    slack: SlackSandbox,
    store: Store,
    readydesk: Starlette,
    data: SandboxData,
) -> None:
    first, second = replicas
    slot = next_slot(datetime.now(UTC))
    await command(first, slack, f"/digest add unresolved at {slot:%H:%M} tz UTC", "d1")
    await wait_for_reply(slack, "d1", lambda c: "#" in text_of(c))
    await command(second, slack, "/deskhand watch tickets", "w1")
    await wait_for_reply(slack, "w1", lambda c: "#" in text_of(c))

    for n in range(SPREAD):  # a load balancer's round robin
        await command(replicas[n % 2], slack, f"/ticket {30 + n}", f"spread-{n}")
    for n in range(SPREAD):
        await wait_for_reply(slack, f"spread-{n}", lambda c, n=n: f"#{30 + n} " in text_of(c))
    counts = [await served(r) for r in replicas]
    expect(min(counts) >= SPREAD // 2, f"signed requests served per replica: {counts}")

    twice = await _write_sent_twice(replicas, slack, data)
    new_ticket, alerts = await _watch_alerts(slack, store, data)
    wait = (slot - datetime.now(UTC)).total_seconds() + 2 * LOOK_EVERY + 2
    await asyncio.sleep(max(wait, 0))
    digests = [p for p in posts(slack) if _is_digest(p)]
    expect(len(digests) == 1, f"the {slot:%H:%M} digest slot was posted {len(digests)} times")

    lost = await claims_lost(replicas)
    totals = [await served(r) for r in replicas]  # before the first is killed
    reconciled = await _kill_mid_write(first, second, slack, store, readydesk, data)
    second.send(signal.SIGTERM)
    await second.wait(40)
    expect_clean_log(second)
    print(
        f"  signed requests served per replica: {first.name} {totals[0]}, "
        f"{second.name} {totals[1]} ({SPREAD} /ticket round robin, then the other commands)"
    )
    print(f"  digests posted for the {slot:%H:%M} UTC slot: {len(digests)}")
    print(f"  alerts for the watch's new ticket #{new_ticket}: {alerts}")
    print(f"  a note sent to both replicas: {twice}")
    print(f"  claims each lost to the other replica (/metrics): {lost}")
    print(f"  {first.name} killed mid-write: {reconciled}")
    print("  duplicates: 0")


def _is_digest(post: dict) -> bool:
    """A digest's post: its message metadata names a digest slot (live/delivery.py)."""
    metadata = post.get("metadata")
    if isinstance(metadata, str):
        metadata = json.loads(metadata)
    slot = ((metadata or {}).get("event_payload") or {}).get("slot", "")
    return str(slot).startswith("digest:")


async def _write_sent_twice(
    replicas: list[Container], slack: SlackSandbox, data: SandboxData
) -> str:
    """One /note (one trigger) sent to both replicas at once: written once, the other told so."""
    before = len(data.history.get(34, []))
    await asyncio.gather(
        *(command(r, slack, "/note ticket 34 Replaced the toner", "twice") for r in replicas)
    )

    def answers() -> list[str]:
        replies = [c for c in slack.calls if c.kind == "response_url" and c.name == "twice"]
        return [text_of(c).splitlines()[0][:50] for c in replies]

    def settled() -> bool:
        seen = answers()
        return any(a.startswith("Added") for a in seen) and any("lready" in a for a in seen)

    await until(settled, "an Added and an Already for the note sent twice")
    await asyncio.sleep(1)  # a second write would have reached ReadyDesk by now
    written = len(data.history.get(34, [])) - before
    expect(written == 1, f"the note sent to both replicas was written {written} times")
    return f"written {written}, answered {answers()}"


async def _watch_alerts(slack: SlackSandbox, store: Store, data: SandboxData) -> tuple[int, int]:
    """Once a replica set the watch's baseline, a new ticket: alerted once by the two."""
    interval = float(shared_settings()["DESKHAND_ALERT_INTERVAL"])
    watch = (await store.alerts.in_channel(signed.CHANNEL))[0]
    deadline = time.monotonic() + interval + 2 * LOOK_EVERY
    while (await store.alerts.get(watch.id)).cursor is None:
        expect(time.monotonic() < deadline, "no replica set the watch's baseline")
        await asyncio.sleep(0.5)
    new = data.add_ticket(
        dataclasses.replace(data.tickets[34], tid=data.next_ticket_id(), subject="Image check")
    )

    def alerts() -> list[dict]:
        return [p for p in posts(slack) if f"#{new.tid}" in str(p) and not _is_digest(p)]

    await until(lambda: bool(alerts()), "the watch's alert", interval + 3 * LOOK_EVERY)
    await asyncio.sleep(interval + LOOK_EVERY + 2)  # both replicas poll again before counting
    expect(len(alerts()) == 1, f"the new ticket #{new.tid} was alerted {len(alerts())} times")
    return new.tid, len(alerts())


async def _kill_mid_write(
    first: Container,
    second: Container,
    slack: SlackSandbox,
    store: Store,
    readydesk: Starlette,
    data: SandboxData,
) -> str:
    """SIGKILL `first` once its note reached ReadyDesk, before the reply; `second` reconciles."""
    before = len(data.history.get(35, []))
    # The reply is held long enough for the kill to come first, and short enough that the fake
    # is done with the dead connection by the time the other replica reads ticket 35 back.
    fault = readydesk.state.faults.add("latency_after", seconds=5, query={"action": "add_history"})
    await command(first, slack, "/note ticket 35 Ordered a new fuser", "killed")
    await until(lambda: len(data.history.get(35, [])) > before, "the note in ReadyDesk")
    first.send(signal.SIGKILL)
    await first.wait(30)
    killed_at = time.monotonic()
    readydesk.state.faults.active.remove(fault)
    settings = shared_settings()
    within = float(settings["DESKHAND_CLAIM_LEASE"]) + float(settings["DESKHAND_CLAIM_SWEEP"]) + 15
    told = await wait_for_reply(slack, "killed", lambda c: "was written" in text_of(c), within)
    took = time.monotonic() - killed_at
    written = len(data.history.get(35, [])) - before
    expect(written == 1, f"the killed replica's note was written {written} times")
    outcomes = [row.outcome for row in await store.audit.recent()]
    expect(outcomes.count("confirmed") == 1, f"audit outcomes after the kill: {outcomes}")
    return f"reconciled by {second.name} in {took:.0f} s: {text_of(told).splitlines()[0][:50]!r}"
