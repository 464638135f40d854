"""The soak: two `deskhand serve` replicas on one PostgreSQL, mixed reads and writes at about
10 a second for 10 minutes while ReadyDesk, Kickserv and Slack flap (502s, timeouts, replies
lost after the write was applied, latency; response_url 500/429, chat.postMessage ratelimited)
and one replica is restarted every few minutes. Everything runs on loopback: a throwaway
PostgreSQL (Debian's, or --db / DESKHAND_TEST_POSTGRES_URL), the three fakes in this process,
the replicas as child processes, all removed at the end (Ctrl-C included).

Each write carries its own text and its own person, so the backends' records say how many times
it landed and the Slack fake says what its person was told (replies, the form's views, DMs).
Printed: writes tried, written once, duplicates, lies (told "not added" but written), silent
(never told a settled outcome), claims still pending, 5xx answered to Slack, memory per replica
and ack p50/p99. Exits 1 when there are duplicates, lies or silent writes.

`make bench` skips it (a 10-minute run); `SOAK=1 make bench` or `python bench/soak.py` runs it.
`--minutes 1` is a quick check.
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path

from _soak_chaos import Chaos, calm
from _soak_ledger import Tally, Write, classify, count_keys, flat_text, median, percentile, tally
from _soak_traffic import Traffic
from _soak_world import START_LIMIT, STOP_LIMIT, Fakes, database, replicas
from sqlalchemy import create_engine, text

KEY = re.compile(r"SOAK\w+W\d{6}")
POLL = 2.0


def landed(fakes: Fakes, traffic: Traffic) -> dict[str, int]:
    """How many times each write's text is in the backends' own records."""
    rd, ks = fakes.readydesk_data, fakes.kickserv_data
    texts = [h.note for entries in rd.history.values() for h in entries]
    texts += [t.subject for t in rd.tickets.values()]
    texts += [n.note for n in ks.notes.values()]
    texts += [j.description for j in ks.jobs.values()]
    return {**count_keys(texts, KEY), **traffic.landed()}


def gather_told(fakes: Fakes, writes: list[Write]) -> None:
    """What the Slack fake recorded for each write's person: replies on its response_url, its
    form's views, and messages to them (DMs, ephemerals)."""
    by_surface = {w.surface: w for w in writes}
    by_user = {w.user: w for w in writes}
    for call in fakes.slack.calls:
        payload = call.payload
        if payload.get("_ratelimited"):
            continue
        if call.kind == "response_url":
            write = by_surface.get(call.name)
        elif call.name == "views.update":
            write = by_surface.get(str(payload.get("view_id")))
        elif call.name in ("chat.postMessage", "chat.postEphemeral"):
            write = by_user.get(str(payload.get("user") or payload.get("channel")))
        else:
            continue
        if write is not None and call.answer.get("ok", True):
            write.told.append((call.at, flat_text(payload)))


def dump(path: Path, writes: list[Write], counts: dict[str, int]) -> None:
    """Every write, how often it landed and what its person was told: to look into a figure."""
    rows = [
        {
            "key": w.key,
            "kind": w.kind,
            "ack": w.status,
            "landed": counts.get(w.key, 0),
            "told": [[round(at, 3), classify(said), said[:300]] for at, said in sorted(w.told)],
        }
        for w in writes
    ]
    path.write_text(json.dumps(rows, indent=1))


def pending_claims(database_url: str) -> int:
    """Write claims still pending or unknown in the database."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            query = "SELECT count(*) FROM write_claims WHERE state IN ('pending', 'unknown')"
            return int(connection.execute(text(query)).scalar_one())
    finally:
        engine.dispose()


async def settle(database_url: str, limit: float) -> tuple[int, float]:
    """Wait (at most `limit` s) for the sweeper to settle every claim; (left, seconds waited)."""
    started = time.monotonic()
    while True:
        left = await asyncio.to_thread(pending_claims, database_url)
        waited = time.monotonic() - started
        if not left or waited >= limit:
            return left, waited
        await asyncio.sleep(POLL)


def table(result: Tally, traffic: Traffic, memory: dict[str, str], left: int, waited: float) -> str:
    """The printed figures."""
    five = sum(n for status, n in traffic.answers.items() if status >= 500)
    answers = ", ".join(f"{k or 'none'}: {v}" for k, v in sorted(traffic.answers.items()))
    acks = f"{median(traffic.acks_ms):.0f} / {percentile(traffic.acks_ms, 0.99):.0f}"
    rows = [
        ("requests sent", f"{traffic.reads + result.tried} ({traffic.reads} reads)"),
        ("answers by HTTP status", answers),
        ("writes tried", result.tried),
        ("written once", result.once),
        ("duplicates (landed >1)", result.duplicates),
        ("lies (told not added, written)", result.lies),
        ("told added, not written", result.told_done_not_there),
        ("silent (never told)", result.silent),
        ("  of which told only 'could not confirm'", result.unconfirmed),
        ("not written", result.never_landed),
        ("not acknowledged (Slack says failed)", result.not_acked),
        (f"pending claims left (after {waited:.0f} s)", left),
        ("5xx answered to Slack", five),
        *((f"memory {name} (MB)", mb) for name, mb in memory.items()),
        ("ack p50 / p99 (ms)", acks),
    ]
    width = max(len(r[0]) for r in rows)
    return "\n".join(f"  {name:<{width}}  {value}" for name, value in rows)


async def soak(args: argparse.Namespace, database_url: str, logdir: Path) -> tuple[Tally, int]:
    """The whole run; prints the table; the tally and the claims left pending."""
    rng = random.Random(args.seed)
    async with Fakes() as fakes, replicas(fakes.deployment(database_url), logdir) as pair:
        await asyncio.sleep(3)  # past start-up work (directory fill) before the first figure
        first = {r.name: r.rss() for r in pair}
        seconds = args.minutes * 60
        chaos = Chaos(fakes, pair, random.Random(rng.random()))
        every = (min(120.0, seconds / 2), min(180.0, seconds * 0.7))
        traffic = Traffic(fakes, pair, random.Random(rng.random()), f"{args.seed % 100}X")
        stop = asyncio.Event()
        weather = [
            asyncio.create_task(chaos.flap(stop)),
            asyncio.create_task(chaos.restart(stop, every)),
        ]
        print(f"soak: {args.minutes:g} min at {args.rate:g}/s; logs in {logdir}", flush=True)
        try:
            await traffic.run(seconds, args.rate)
        finally:
            stop.set()
            await asyncio.wait(weather, timeout=STOP_LIMIT + START_LIMIT)
        calm(fakes)
        for replica in pair:
            if not replica.up:
                await replica.start()
        left, waited = await settle(database_url, args.settle)
        await asyncio.sleep(POLL)  # the last sweep's messages reach the fake
        memory = {
            r.name: f"{first[r.name]:.0f} -> {r.rss():.0f} ({r.restarts} restarts)" for r in pair
        }
        gather_told(fakes, traffic.writes)
        counts = landed(fakes, traffic)
        result = tally(traffic.writes, counts)
    dump(logdir / "writes.json", traffic.writes, counts)
    print("weather:\n  " + "\n  ".join(chaos.log))
    print(table(result, traffic, memory, left, waited))
    for name, keys in (("lies", result.lie_keys), ("silent", result.silent_keys),
                       ("duplicates", result.duplicate_keys)):  # fmt: skip
        if keys:
            kinds = {w.key: w.kind for w in traffic.writes}
            print(f"  {name}, first few: " + ", ".join(f"{k} ({kinds[k]})" for k in keys[:6]))
    return result, left


def main() -> int:
    """Parse the flags, run the soak in a fresh database, exit 1 when it proved a break."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=10.0, help="requests a second")
    parser.add_argument("--seed", type=int, default=24)
    parser.add_argument("--db", help="a PostgreSQL server URL (default: a throwaway one)")
    parser.add_argument("--settle", type=float, default=120.0, help="max seconds for claims")
    args = parser.parse_args()
    if "MAKELEVEL" in os.environ and not os.environ.get("SOAK"):
        print("soak: skipped under make (10 minutes); SOAK=1 make bench, or python bench/soak.py")
        return 0
    if not 0 < args.minutes <= 60 or not 0 < args.rate <= 100:
        parser.error("--minutes takes 0-60 and --rate 0-100")
    server = args.db or os.environ.get("DESKHAND_TEST_POSTGRES_URL")
    logdir = Path(tempfile.mkdtemp(prefix="deskhand-soak."))
    with database(server) as database_url, contextlib.suppress(KeyboardInterrupt):
        result, left = asyncio.run(soak(args, database_url, logdir))
        return 1 if result.failed or left else 0
    return 130


if __name__ == "__main__":
    sys.exit(main())
