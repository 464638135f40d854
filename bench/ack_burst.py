"""Acknowledgements under a burst: bare slack-bolt against Deskhand, in one run.

Both are served the way `deskhand serve` serves (Starlette, Bolt's adapter, uvicorn) in their
own process, on loopback, and hit by wrk with signed `/ticket 34` slash commands, each with its
own response_url on the Slack sandbox (sandbox/slack.py, served by this script). Deskhand runs
against its in-process backend sandboxes. Printed per concurrency: acks per second and ack
p50/p99 for both, Deskhand's p99 as a multiple of bare Bolt's, and Deskhand's full-card
throughput: ticket cards that arrived at the sandbox's response_url per second during the burst
(counted there), with the acks still without a card once the backlog has drained.

`--workers 1,2 --database-url postgresql+psycopg://…` instead shows `deskhand serve --workers N`
for each N on one PostgreSQL, as ratios against N=1.

Goals (issue 26): ack p99 within 2x bare Bolt's at c=10 and c=100; at least 300 cards/s at
c=10; server CPU under 2 ms per request (card included). After the table come those figures
on lines of their own; `--runs N` measures N times over and gives each figure's spread.
Needs wrk (apt-get install -y wrk). Figures only; nothing here passes or fails.
"""

import argparse
import asyncio
import contextlib
import gc
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from _sandboxes import ROOT, free_port
from _wrk import Burst, require_wrk, run_wrk, write_requests

from sandbox.slack import SANDBOX_BOT_TOKEN, SlackSandbox

SECRET = "bench-signing-secret"  # noqa: S105 (the sandbox's, not a credential)
TOKEN = SANDBOX_BOT_TOKEN
WARM_SECONDS = 2
QUIET_SECONDS = 5.0  # a drain ends once no card arrived for this long
DRAIN_LIMIT = 180.0
TUNABLE = ("DESKHAND_MAX_LISTENERS", "DESKHAND_BACKEND_CONNECTIONS")


@dataclass(frozen=True)
class Phase:
    """One burst against one server: what wrk saw, and the cards the sandbox received."""

    burst: Burst
    cards_in_burst: int = 0
    cards: int = 0
    drain_seconds: float = 0.0
    cpu: float = 0.0  # CPU seconds the server used from the burst's start to the drain's end

    @property
    def cpu_ms_per_ack(self) -> float:
        """Server CPU per acknowledged request (for Deskhand: its card included)."""
        return 1000 * self.cpu / max(self.burst.acks, 1)

    @property
    def card_rps(self) -> float:
        """Cards that arrived per second while wrk was sending."""
        return self.cards_in_burst / self.burst.seconds

    @property
    def without_card(self) -> int:
        """Acknowledged requests no card arrived for (wrk may abandon up to c at its stop)."""
        return max(0, self.burst.acks - self.cards)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by process `pid` and every process under it."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
            times[int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) / tick
    tree, grew = {pid}, True
    while grew:
        more = {child for child, parent in parents.items() if parent in tree} - tree
        tree, grew = tree | more, bool(more)
    return sum(times.get(p, 0.0) for p in tree)


def _env(slack: SlackSandbox, database_url: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "READYDESK_", "KICKSERV_", "DESKHAND_"))
    }
    # The bound and limits may be tried from the command line: DESKHAND_MAX_LISTENERS=8 python …
    tuning = {k: v for k, v in os.environ.items() if k in TUNABLE}
    return {
        **env,
        **tuning,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": slack.api_url,
        "DESKHAND_DATABASE_URL": database_url,
    }


@dataclass(frozen=True)
class Served:
    """A server process under test."""

    url: str
    pid: int


@contextlib.asynccontextmanager
async def serving(command: list[str], env: dict[str, str], log: Path) -> AsyncIterator[Served]:
    """Run a server process until the block ends; yields it once it answers HTTP."""
    port = free_port()
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            *[part.replace("{port}", str(port)) for part in command],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=out,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        async with httpx.AsyncClient() as client:
            while True:
                try:
                    await client.get(f"{url}/livez")
                    break
                except httpx.TransportError:
                    if process.returncode is not None or time.monotonic() > deadline:
                        sys.exit(f"the server did not start; see {log}:\n{log.read_text()}")
                    await asyncio.sleep(0.2)
        yield Served(url, process.pid)
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 60)


def _card_times(slack: SlackSandbox, since: int, tag: str) -> dict[str, float]:
    """response_url name -> when its first card (a message with blocks) arrived."""
    seen: dict[str, float] = {}
    prefix = f"{tag}-"
    for call in slack.calls_since(since):
        is_card = call.kind == "response_url" and call.payload.get("blocks")
        if is_card and call.name.startswith(prefix) and call.name not in seen:
            seen[call.name] = call.at
    return seen


async def _drain(slack: SlackSandbox, since: int, tag: str, expected: int) -> float:
    """Wait until `expected` cards arrived or none came for QUIET_SECONDS; the seconds waited."""
    start = last_change = time.monotonic()
    count = -1
    while time.monotonic() - start < DRAIN_LIMIT:
        now_count = len(_card_times(slack, since, tag))
        if now_count >= expected:
            break
        if now_count != count:
            count, last_change = now_count, time.monotonic()
        elif time.monotonic() - last_change > QUIET_SECONDS:
            break
        await asyncio.sleep(0.25)
    return time.monotonic() - start


async def burst(
    server: Served,
    slack: SlackSandbox,
    workdir: Path,
    *,
    tag: str,
    connections: int,
    seconds: float,
    cards: bool,
) -> Phase:
    """One wrk burst of signed `/ticket 34`; with `cards`, wait for the backlog and count."""
    requests_file = workdir / f"{tag}.txt"
    write_requests(requests_file, SECRET, f"{slack.base_url}/response", tag, 4000 * int(seconds))
    since = len(slack.calls)
    cpu_before = cpu_seconds(server.pid)
    result = await run_wrk(
        f"{server.url}/slack/events",
        requests_file,
        connections=connections,
        seconds=seconds,
        workdir=workdir,
    )
    if not cards:
        return Phase(result, cpu=cpu_seconds(server.pid) - cpu_before)
    drained = await _drain(slack, since, tag, result.acks)
    cpu = cpu_seconds(server.pid) - cpu_before
    times = _card_times(slack, since, tag)
    end = result.started + result.seconds
    return Phase(
        result,
        cards_in_burst=sum(1 for at in times.values() if at <= end),
        cards=len(times),
        drain_seconds=drained,
        cpu=cpu,
    )


def deskhand_command(workers: int) -> list[str]:
    """`deskhand serve` on the port the harness picks."""
    command = [sys.executable, "-m", "bot.cli", "serve", "--port", "{port}"]
    return [*command, "--workers", str(workers)] if workers > 1 else command


async def measure_deskhand(
    slack: SlackSandbox,
    workdir: Path,
    database_url: str,
    concurrencies: list[int],
    seconds: float,
    *,
    workers: int = 1,
    name: str = "deskhand",
) -> dict[int, Phase]:
    """Deskhand (warmed up first) at each concurrency, draining between bursts."""
    env = _env(slack, database_url)
    phases = {}
    async with serving(deskhand_command(workers), env, workdir / f"{name}.log") as server:
        await burst(
            server,
            slack,
            workdir,
            tag=f"{name}-warm",
            connections=10,
            seconds=WARM_SECONDS,
            cards=True,
        )
        for c in concurrencies:
            phases[c] = await burst(
                server,
                slack,
                workdir,
                tag=f"{name}-c{c}",
                connections=c,
                seconds=seconds,
                cards=True,
            )
    return phases


async def measure_bare(
    slack: SlackSandbox, workdir: Path, concurrencies: list[int], seconds: float
) -> dict[int, Phase]:
    """Bare Bolt (ack only) at each concurrency."""
    env = _env(slack, "sqlite://")
    command = [sys.executable, str(ROOT / "bench" / "_bare_bolt.py"), "{port}"]
    phases = {}
    async with serving(command, env, workdir / "bare.log") as server:
        await burst(server, slack, workdir, tag="bare-warm", connections=10, seconds=1, cards=False)
        for c in concurrencies:
            phases[c] = await burst(
                server,
                slack,
                workdir,
                tag=f"bare-c{c}",
                connections=c,
                seconds=seconds,
                cards=False,
            )
    return phases


def print_table(bare: dict[int, Phase], desk: dict[int, Phase]) -> None:
    """The side-by-side table."""
    print(
        "| c | bare rps | bare p50/p99 ms | Deskhand ack rps | Deskhand p50/p99 ms "
        "| p99 Deskhand/bare | cards/s in burst | acks without card after drain (drain s) "
        "| server CPU ms per request: bare / Deskhand (card included) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for c, d in desk.items():
        b = bare[c].burst
        ratio = d.burst.p99_ms / b.p99_ms
        print(
            f"| {c} | {b.rps:.0f} | {b.p50_ms:.1f} / {b.p99_ms:.1f} | {d.burst.rps:.0f} "
            f"| {d.burst.p50_ms:.1f} / {d.burst.p99_ms:.1f} | {ratio:.2f}x | {d.card_rps:.0f} "
            f"| {d.without_card} of {d.burst.acks} ({d.drain_seconds:.1f}) "
            f"| {bare[c].cpu_ms_per_ack:.2f} / {d.cpu_ms_per_ack:.2f} |"
        )
    for c, d in desk.items():
        if d.burst.non_2xx or d.burst.errors or bare[c].burst.non_2xx or bare[c].burst.errors:
            print(
                f"c={c}: non-2xx Deskhand {d.burst.non_2xx}, bare {bare[c].burst.non_2xx}; "
                f"socket errors Deskhand {d.burst.errors}, bare {bare[c].burst.errors}"
            )


def print_goals(runs: list[tuple[dict[int, Phase], dict[int, Phase]]]) -> None:
    """The figures the goals name, one a line: each run's value, or the spread over runs."""

    def spread(values: list[float], form: str) -> str:
        low, high = min(values), max(values)
        one = form.format(low)
        return one if len(values) == 1 or one == form.format(high) else f"{one}-{form.format(high)}"

    concurrencies = list(runs[0][1])
    ratios = ", ".join(
        f"c={c} " + spread([d[c].burst.p99_ms / b[c].burst.p99_ms for b, d in runs], "{:.2f}x")
        for c in concurrencies
    )
    print(f"ack p99, Deskhand / bare Bolt: {ratios} (goal: under 2x)")
    cards = ", ".join(
        f"c={c} " + spread([d[c].card_rps for _, d in runs], "{:.0f}") for c in concurrencies
    )
    print(f"full cards per second during the burst: {cards} (goal: at least 300 at c=10)")
    cpu = ", ".join(
        f"c={c} Deskhand "
        + spread([d[c].cpu_ms_per_ack for _, d in runs], "{:.2f}")
        + " / bare "
        + spread([b[c].cpu_ms_per_ack for b, _ in runs], "{:.2f}")
        for c in concurrencies
    )
    print(f"server CPU ms per request: {cpu} (goal: Deskhand under 2)")
    if len(runs) > 1:
        print(f"(spread over {len(runs)} runs, each bare Bolt then Deskhand)")


def print_workers(runs: dict[int, dict[int, Phase]]) -> None:
    """Throughput for each worker count, as a multiple of one worker's."""
    first = runs[min(runs)]
    print(
        "| workers | c | ack rps | ack p99 ms | cards/s in burst | vs 1 worker "
        "| acks without card | CPU ms per request |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for workers, phases in runs.items():
        for c, d in phases.items():
            base = first[c].card_rps or 1
            print(
                f"| {workers} | {c} | {d.burst.rps:.0f} | {d.burst.p99_ms:.1f} | {d.card_rps:.0f} "
                f"| {d.card_rps / base:.2f}x | {d.without_card} of {d.burst.acks} "
                f"| {d.cpu_ms_per_ack:.2f} |"
            )


async def main(args: argparse.Namespace) -> None:
    """Bare Bolt, then Deskhand, at each concurrency; or Deskhand at each worker count."""
    require_wrk()
    concurrencies = [int(c) for c in args.connections.split(",")]
    load = os.getloadavg()
    print(
        f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; cores: {os.cpu_count()}"
    )
    # The harness keeps every call the Slack sandbox received; its own full collections (300 ms
    # each, measured, once thousands are kept) would delay the cards it counts.
    gc.disable()
    slack = SlackSandbox()
    await slack.start()
    try:
        with tempfile.TemporaryDirectory(prefix="ack-burst-") as tmp:
            workdir = Path(tmp)
            if args.workers:
                if not args.database_url:
                    sys.exit(
                        "--workers needs --database-url (PostgreSQL: SQLite serves one process)"
                    )
                runs = {}
                for n in [int(w) for w in args.workers.split(",")]:
                    runs[n] = await measure_deskhand(
                        slack,
                        workdir,
                        args.database_url,
                        concurrencies,
                        args.seconds,
                        workers=n,
                        name=f"w{n}",
                    )
                print_workers(runs)
                return
            runs = []
            for run in range(args.runs):
                database_url = args.database_url or f"sqlite:///{workdir / f'deskhand{run}.db'}"
                bare = await measure_bare(slack, workdir, concurrencies, args.seconds)
                desk = await measure_deskhand(
                    slack, workdir, database_url, concurrencies, args.seconds
                )
                print_table(bare, desk)
                runs.append((bare, desk))
            print_goals(runs)
    finally:
        await slack.stop()
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5, help="length of each burst")
    parser.add_argument("--connections", default="10,100", help="wrk concurrencies, e.g. 10,100")
    parser.add_argument("--workers", help="worker counts to compare, e.g. 1,2 (needs PostgreSQL)")
    parser.add_argument("--database-url", help="Deskhand's state database (default SQLite file)")
    parser.add_argument("--runs", type=int, default=1, help="measure this many times over")
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
