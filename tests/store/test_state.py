"""The store's guarantees on SQLite and on PostgreSQL: claims, audit rows, links, directory."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from store import Store
from store.claims import DONE, UNKNOWN
from store.directory import KICKSERV, READYDESK, Entry


@pytest.fixture
def stores(database_url):
    """Two Store objects on one database, as two bot processes would have."""
    first, second = Store(database_url), Store(database_url)
    yield first, second
    first.close()
    second.close()


def test_an_intent_is_claimed_once_across_processes(stores):
    first, second = stores

    def claim(store: Store, n: int):
        return store.claims.claim("view:V1", action="note.ticket", user_id=f"U{n}")

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda n: claim(stores[n % 2], n), range(16)))
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    assert second.claims.get("view:V1").user_id == winners[0].user_id
    assert first.claims.claim("view:V1", action="note.ticket", user_id="U9") is None


def test_a_finished_claim_remembers_the_result_and_a_released_one_can_be_claimed_again(stores):
    first, second = stores
    assert first.claims.claim("cmd:1", action="note.job", user_id="U1")
    first.claims.finish("cmd:1", state=DONE, reference="24601")
    assert second.claims.get("cmd:1").reference == "24601"
    assert second.claims.get("cmd:1").state == DONE
    assert first.claims.claim("cmd:2", action="note.job", user_id="U1")
    first.claims.release("cmd:2")
    assert second.claims.claim("cmd:2", action="note.job", user_id="U1") is not None
    second.claims.finish("cmd:2", state=UNKNOWN)
    assert first.claims.claim("cmd:2", action="note.job", user_id="U1") is None  # kept claimed


def test_audit_rows_come_back_newest_first_within_the_window(stores):
    first, second = stores
    for n in range(3):
        first.audit.record(
            user_id="U1",
            channel_id="C1",
            action="note.ticket",
            target=f"ticket {n}",
            summary="x" * 900,
            outcome="written",
            reference=str(n),
        )
    rows = second.audit.recent(limit=2)
    assert [r.target for r in rows] == ["ticket 2", "ticket 1"]
    assert len(rows[0].summary) == 500
    assert second.audit.recent(since=datetime.now(UTC) + timedelta(minutes=1)) == []
    assert rows[0].as_dict()["at"].endswith("+00:00")


def test_links_and_directory_work_on_both_databases(stores):
    first, second = stores
    first.links.set("U1", set_by="U0", technician="alice")
    assert second.links.get("U1").technician == "alice"
    first.directory.upsert(
        [
            Entry(READYDESK, "demo", "John Smith", "Demo Co", "j@demo.example", "555-010-0142"),
            Entry(KICKSERV, "380", "Demo Company", email="J@Demo.example", global_id=5100231),
        ]
    )
    [business] = second.directory.search("demo co")
    assert business.linked_by == "email" and business.kickserv.record_key == "380"
    assert second.directory.by_global_id(5100231).record_key == "380"


async def test_many_different_intents_claimed_at_once_all_succeed(stores):
    first, _ = stores
    claimed = await asyncio.gather(
        *(
            asyncio.to_thread(first.claims.claim, f"k{n}", action="a", user_id="U")
            for n in range(20)
        )
    )
    assert all(claimed)


def test_a_digest_slot_is_claimed_once_across_processes(stores):
    first, second = stores
    sub = first.digests.add(
        channel_id="C1",
        kind="open-tickets",
        filters="",
        at_time="08:00",
        days="mon",
        timezone="America/New_York",
        quiet=False,
        created_by="U1",
    )
    slot = datetime(2026, 11, 30, 13, 0, tzinfo=UTC)
    with ThreadPoolExecutor(8) as pool:
        wins = list(pool.map(lambda n: stores[n % 2].digests.claim_slot(sub.id, slot), range(12)))
    assert wins.count(True) == 1
    assert second.digests.claim_slot(sub.id, slot + timedelta(days=7))  # the next slot is free
    assert second.digests.set_paused(sub.id, True, "not_in_channel")
    assert first.digests.active() == []
    assert first.digests.in_channel("C1")[0].paused_reason == "not_in_channel"


def test_alerts_and_live_card_changes_are_taken_once_across_processes(stores):
    first, second = stores
    watch = first.alerts.add(channel_id="C1", kind="jobs", filters="{}", created_by="U1")
    with ThreadPoolExecutor(8) as pool:
        posts = list(
            pool.map(lambda n: stores[n % 2].alerts.claim(watch.id, "job:7", "seen:a"), range(12))
        )
    assert posts.count(True) == 1
    now = datetime.now(UTC)
    for store, channel in ((first, "C1"), (second, "C2")):  # one record, two cards
        store.live.remember(channel, "1.000100", "ticket:5", {"Status": "Open"}, now)
    [record] = second.live.tracked(now - timedelta(days=7))
    with ThreadPoolExecutor(8) as pool:
        versions = list(
            pool.map(
                lambda n: stores[n % 2].live.change(
                    "ticket:5", record.version, {"Status": "Closed"}
                ),
                range(12),
            )
        )
    assert [v for v in versions if v is not None] == [1]
    cards = first.live.cards("ticket:5", now - timedelta(days=7))
    assert [c.channel_id for c in cards] == ["C1", "C2"]
    with ThreadPoolExecutor(8) as pool:
        updates = list(
            pool.map(lambda n: stores[n % 2].live.claim_update(cards[0].id, "v1", now), range(12))
        )
    assert updates.count(True) == 1
    assert second.live.get("ticket:5").state == {"Status": "Closed"}
    assert first.live.prune(now + timedelta(seconds=1)) == 2  # both cards were older than that
    assert second.live.get("ticket:5") is None  # and no card shows the record any more


def test_old_alert_claims_and_a_removed_watchs_claims_are_pruned(stores):
    first, second = stores
    kept = first.alerts.add(channel_id="C1", kind="tickets", filters="", created_by="U1")
    removed = first.alerts.add(channel_id="C2", kind="tickets", filters="", created_by="U1")
    assert first.alerts.claim(kept.id, "ticket:1", "new")
    assert first.alerts.claim(removed.id, "ticket:1", "new")
    second.alerts.remove(removed.id)
    assert first.alerts.claim(removed.id, "ticket:1", "new")  # its old claim went with it
    assert not first.alerts.claim(kept.id, "ticket:1", "new")
    assert second.alerts.prune(datetime.now(UTC) + timedelta(seconds=1)) == 2
    assert first.alerts.claim(kept.id, "ticket:1", "new")


def test_a_claim_whose_lease_ran_out_is_taken_over_by_exactly_one_process(stores):
    first, second = stores
    first.claims.claim(
        "view:V7",
        action="note.ticket",
        user_id="U1",
        owner="gone",
        lease=timedelta(seconds=-1),
        plan='{"check":"ticket_note"}',
    )
    first.claims.claim(
        "view:V8", action="note.ticket", user_id="U1", owner="alive", lease=timedelta(minutes=5)
    )
    now = datetime.now(UTC)

    def take(store: Store, owner: str):
        return store.claims.take_stale(owner, now=now, lease=timedelta(minutes=1))

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda n: take(stores[n % 2], f"sweeper{n}"), range(4)))
    taken = [claim for result in results for claim in result]
    assert [c.intent_key for c in taken] == ["view:V7"]  # the live owner's claim is left alone
    assert taken[0].plan == '{"check":"ticket_note"}'
    assert second.claims.get("view:V7").owner == taken[0].owner
    assert take(first, "later") == []  # the new owner holds a fresh lease


def test_an_audit_row_is_opened_pending_and_completed(stores):
    first, second = stores
    row_id = first.audit.begin(
        user_id="U1",
        channel_id="C1",
        action="note.ticket",
        target="ticket #34",
        summary="Called back",
    )
    assert second.audit.recent()[0].outcome == "pending"
    first.audit.complete(row_id, outcome="confirmed", reference="77", detail="slow reply")
    [row] = second.audit.recent()
    assert (row.outcome, row.reference, row.detail) == ("confirmed", "77", "slow reply")
