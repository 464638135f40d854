"""The store's guarantees on SQLite and on PostgreSQL: claims, audit rows, links, directory."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from store import Store
from store.claims import DONE, UNKNOWN
from store.directory import KICKSERV, READYDESK, Record
from tests.conftest import ready_store


@pytest.fixture
async def stores(database_url):
    """Two Store objects on one database, as two bot processes would have."""
    first, second = ready_store(database_url), ready_store(database_url)
    yield first, second
    await first.close()
    await second.close()


async def test_an_intent_is_claimed_once_across_processes(stores):
    first, second = stores

    async def claim(store: Store, n: int):
        return await store.claims.claim("view:V1", action="note.ticket", user_id=f"U{n}")

    results = await asyncio.gather(*(claim(stores[n % 2], n) for n in range(16)))
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    assert (await second.claims.get("view:V1")).user_id == winners[0].user_id
    assert await first.claims.claim("view:V1", action="note.ticket", user_id="U9") is None


async def test_a_finished_claim_remembers_the_result_and_a_released_one_can_be_claimed_again(
    stores,
):
    first, second = stores
    assert await first.claims.claim("cmd:1", action="note.job", user_id="U1")
    await first.claims.finish("cmd:1", state=DONE, reference="24601")
    assert (await second.claims.get("cmd:1")).reference == "24601"
    assert (await second.claims.get("cmd:1")).state == DONE
    assert await first.claims.claim("cmd:2", action="note.job", user_id="U1")
    await first.claims.release("cmd:2")
    assert await second.claims.claim("cmd:2", action="note.job", user_id="U1") is not None
    await second.claims.finish("cmd:2", state=UNKNOWN)
    again = await first.claims.claim("cmd:2", action="note.job", user_id="U1")
    assert again is None  # kept claimed


async def test_audit_rows_come_back_newest_first_within_the_window(stores):
    first, second = stores
    for n in range(3):
        await first.audit.record(
            user_id="U1",
            channel_id="C1",
            action="note.ticket",
            target=f"ticket {n}",
            summary="x" * 900,
            outcome="written",
            reference=str(n),
        )
    rows = await second.audit.recent(limit=2)
    assert [r.target for r in rows] == ["ticket 2", "ticket 1"]
    assert len(rows[0].summary) == 500
    assert await second.audit.recent(since=datetime.now(UTC) + timedelta(minutes=1)) == []
    assert rows[0].as_dict()["at"].endswith("+00:00")


async def test_links_and_directory_work_on_both_databases(stores):
    first, second = stores
    await first.links.set("U1", set_by="U0", technician="alice")
    assert (await second.links.get("U1")).technician == "alice"
    await first.directory.upsert(
        [
            # Keyed as api/directory.py hands them over: email lower-cased, phone its digits.
            Record(READYDESK, "demo", "John Smith", "Demo Co", "j@demo.example", "5550100142"),
            Record(KICKSERV, "380", "Demo Company", email="j@demo.example", global_id=5100231),
        ]
    )
    [business] = await second.directory.search(["demo", "co"], record_key="demo co")
    assert business.linked_by == "email" and business.kickserv.record_key == "380"
    assert (await second.directory.by_global_id(5100231)).record_key == "380"


async def test_two_processes_filling_the_directory_at_once_both_succeed(stores):
    first, second = stores

    def page(name: str) -> list[Record]:
        return [Record(KICKSERV, str(n), f"{name} {n}", email=f"c{n}@x.example") for n in range(60)]

    # As two `serve --workers` processes refresh the directory: the same pages, at the same time.
    written = await asyncio.gather(
        *(store.directory.upsert(page("Old")) for store in (first, second) for _ in range(4))
    )
    assert written == [60] * 8
    await asyncio.gather(
        first.directory.finish_fill(KICKSERV, datetime.now(UTC), full=False),
        second.directory.finish_fill(KICKSERV, datetime.now(UTC), full=False),
    )
    assert await second.directory.filled_at(KICKSERV) is not None
    await second.directory.upsert(page("New"))  # a later walk refreshes the rows it sees
    assert (await first.directory.business(KICKSERV, "7")).kickserv.name == "New 7"
    assert len(await first.directory.search(["c"], limit=1000)) == 60


async def test_a_page_that_lands_late_does_not_make_its_rows_look_unseen(stores, monkeypatch):
    first, second = stores
    records = [Record(KICKSERV, "7", "Seven", email="c7@x.example")]
    started = datetime.now(UTC)
    await second.directory.upsert(records)  # a full walk that started at `started` sees it

    class Earlier(datetime):
        @classmethod
        def now(cls, tz=None):
            return started - timedelta(seconds=5)

    # Another walk's page, read before `started`, is written after: it must not take the row's
    # time back, or the full walk's end would drop a customer it saw.
    monkeypatch.setattr("store.directory.datetime", Earlier)
    await first.directory.upsert(records)
    monkeypatch.undo()
    await second.directory.finish_fill(KICKSERV, started, full=True)
    assert (await first.directory.business(KICKSERV, "7")).kickserv.name == "Seven"


async def test_many_different_intents_claimed_at_once_all_succeed(stores):
    first, _ = stores
    claimed = await asyncio.gather(
        *(first.claims.claim(f"k{n}", action="a", user_id="U") for n in range(20))
    )
    assert all(claimed)


async def test_a_digest_slot_is_claimed_once_across_processes(stores):
    first, second = stores
    sub = await first.digests.add(
        channel_id="C1",
        kind="unresolved",
        filters="",
        at_time="08:00",
        days="mon",
        timezone="America/New_York",
        quiet=False,
        created_by="U1",
    )
    slot = datetime(2026, 11, 30, 13, 0, tzinfo=UTC)
    wins = await asyncio.gather(
        *(stores[n % 2].digests.claim_slot(sub.id, slot) for n in range(12))
    )
    assert wins.count(True) == 1
    next_slot = slot + timedelta(days=7)
    assert await second.digests.claim_slot(sub.id, next_slot)  # the next slot is free
    assert await second.digests.set_paused(sub.id, True, "not_in_channel")
    assert await first.digests.active() == []
    assert (await first.digests.in_channel("C1"))[0].paused_reason == "not_in_channel"


async def test_alerts_and_live_card_changes_are_taken_once_across_processes(stores):
    first, second = stores
    watch = await first.alerts.add(channel_id="C1", kind="jobs", filters="{}", created_by="U1")
    posts = await asyncio.gather(
        *(stores[n % 2].alerts.claim(watch.id, "job:7", "seen:a") for n in range(12))
    )
    assert posts.count(True) == 1
    now = datetime.now(UTC)
    for store, channel in ((first, "C1"), (second, "C2")):  # one record, two cards
        await store.live.remember(channel, "1.000100", "ticket:5", {"Status": "Open"}, now)
    [record] = await second.live.tracked(now - timedelta(days=7))
    versions = await asyncio.gather(
        *(
            stores[n % 2].live.change("ticket:5", record.version, {"Status": "Closed"})
            for n in range(12)
        )
    )
    assert [v for v in versions if v is not None] == [1]
    cards = await first.live.cards("ticket:5", now - timedelta(days=7))
    assert [c.channel_id for c in cards] == ["C1", "C2"]
    updates = await asyncio.gather(
        *(stores[n % 2].live.claim_update(cards[0].id, "v1", now) for n in range(12))
    )
    assert updates.count(True) == 1
    assert (await second.live.get("ticket:5")).state == {"Status": "Closed"}
    pruned = await first.live.prune(now + timedelta(seconds=1))
    assert pruned == 2  # both cards were older than that
    assert await second.live.get("ticket:5") is None  # and no card shows the record any more


async def test_old_alert_claims_and_a_removed_watchs_claims_are_pruned(stores):
    first, second = stores
    kept = await first.alerts.add(channel_id="C1", kind="tickets", filters="", created_by="U1")
    removed = await first.alerts.add(channel_id="C2", kind="tickets", filters="", created_by="U1")
    assert await first.alerts.claim(kept.id, "ticket:1", "new")
    assert await first.alerts.claim(removed.id, "ticket:1", "new")
    await second.alerts.remove(removed.id)
    assert await first.alerts.claim(removed.id, "ticket:1", "new")  # its old claim went with it
    assert not await first.alerts.claim(kept.id, "ticket:1", "new")
    assert await second.alerts.prune(datetime.now(UTC) + timedelta(seconds=1)) == 2
    assert await first.alerts.claim(kept.id, "ticket:1", "new")


async def test_a_claim_whose_lease_ran_out_is_taken_over_by_exactly_one_process(stores):
    first, second = stores
    await first.claims.claim(
        "view:V7",
        action="note.ticket",
        user_id="U1",
        owner="gone",
        lease=timedelta(seconds=-1),
        plan='{"check":"ticket_note"}',
    )
    await first.claims.claim(
        "view:V8", action="note.ticket", user_id="U1", owner="alive", lease=timedelta(minutes=5)
    )
    now = datetime.now(UTC)

    async def take(store: Store, owner: str):
        return await store.claims.take_stale(owner, now=now, lease=timedelta(minutes=1))

    results = await asyncio.gather(*(take(stores[n % 2], f"sweeper{n}") for n in range(4)))
    taken = [claim for result in results for claim in result]
    assert [c.intent_key for c in taken] == ["view:V7"]  # the live owner's claim is left alone
    assert taken[0].plan == '{"check":"ticket_note"}'
    assert (await second.claims.get("view:V7")).owner == taken[0].owner
    assert await take(first, "later") == []  # the new owner holds a fresh lease


async def test_an_audit_row_is_opened_pending_and_completed(stores):
    first, second = stores
    row_id = await first.audit.begin(
        user_id="U1",
        channel_id="C1",
        action="note.ticket",
        target="ticket #34",
        summary="Called back",
    )
    assert (await second.audit.recent())[0].outcome == "pending"
    await first.audit.complete(row_id, outcome="confirmed", reference="77", detail="slow reply")
    [row] = await second.audit.recent()
    assert (row.outcome, row.reference, row.detail) == ("confirmed", "77", "slow reply")
