"""The soak's world on loopback: a throwaway PostgreSQL, the three sandbox fakes behind the fault
layer (in this process), and two `deskhand serve` replicas that can be restarted."""

import asyncio
import contextlib
import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from _sandboxes import ROOT, free_port
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError
from starlette.requests import ClientDisconnect

from ops.replica_env import replica_env  # importable: _sandboxes put the repo on the path
from sandbox.data import SandboxData, seeded
from sandbox.faults import FaultMiddleware, Faults
from sandbox.kickserv import SANDBOX_ACCOUNT, SANDBOX_API_KEY, build_kickserv_app
from sandbox.kickserv_data import KickservData, seeded_kickserv
from sandbox.readydesk import SANDBOX_KEY, build_readydesk_app
from sandbox.serve import LoopbackServer
from sandbox.slack import SANDBOX_BOT_TOKEN, SlackSandbox

SECRET = "soak-signing-secret"  # noqa: S105 (the bench's own, not a credential)
START_LIMIT = 60.0  # seconds a replica may take to answer /readyz
STOP_LIMIT = 45.0  # seconds a SIGTERMed replica may take to drain and exit


class _QuietDisconnects(logging.Filter):
    """A client that gave up on a slowed-down fake (its timeout) is expected here, not an error."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], ClientDisconnect))


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parts[-3])
    return found[-1].parent if found else None


@contextlib.contextmanager
def _server(pgbin: Path):  # type: ignore[no-untyped-def]
    """A PostgreSQL server in a temporary directory on a free loopback port; its admin URL."""
    workdir = Path(tempfile.mkdtemp(prefix="deskhand-soak-pg."))
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run it as Debian's postgres user
        shutil.chown(workdir, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data = workdir / "data"
    ctl = [*as_postgres, str(pgbin / "pg_ctl"), "-D", str(data)]

    def run(*command: str, check: bool = True) -> None:
        # Our own fixed commands (paths we made), not input: S603 does not apply.
        quiet = subprocess.DEVNULL
        subprocess.run(command, stdout=quiet, stderr=quiet, check=check)  # noqa: S603

    try:
        run(*as_postgres, str(pgbin / "initdb"), "-D", str(data), "-A", "trust", "-U", "deskhand")
        options = f"-h 127.0.0.1 -p {port} -k {workdir} -c max_connections=200"
        run(*ctl, "-l", str(workdir / "log"), "-w", "-o", options, "start")
        try:
            yield f"postgresql+psycopg://deskhand@127.0.0.1:{port}/postgres"
        finally:
            run(*ctl, "-m", "fast", "-w", "stop", check=False)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@contextlib.contextmanager
def database(server_url: str | None):  # type: ignore[no-untyped-def]
    """A fresh database for the run (on `server_url`, else on a throwaway server), dropped after."""
    with contextlib.ExitStack() as stack:
        if server_url is None:
            pgbin = _postgres_bin()
            if pgbin is None:
                sys.exit("no PostgreSQL: apt-get install -y postgresql, or pass --db URL")
            server_url = stack.enter_context(_server(pgbin))
        name = f"deskhand_soak_{secrets.token_hex(4)}"
        admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            try:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            except OperationalError as err:  # the server went first (a Ctrl-C reaches it too)
                print(f"soak: could not drop {name}: {type(err.orig).__name__}", file=sys.stderr)
            admin.dispose()


class Fakes:
    """ReadyDesk, Kickserv and Slack on loopback, each behind its own fault layer."""

    def __init__(self) -> None:
        logging.getLogger("uvicorn.error").addFilter(_QuietDisconnects())
        self.readydesk_data: SandboxData = seeded()
        self.kickserv_data: KickservData = seeded_kickserv(self.readydesk_data)
        self.readydesk = build_readydesk_app(self.readydesk_data)
        self.kickserv = build_kickserv_app(self.kickserv_data)
        self.slack = SlackSandbox(real_time_ts=True)
        self.slack_faults = Faults()
        self._servers = [
            LoopbackServer(self.readydesk),
            LoopbackServer(self.kickserv),
            LoopbackServer(FaultMiddleware(self.slack.asgi_app(), self.slack_faults)),
        ]

    @property
    def backend_faults(self) -> dict[str, Faults]:
        """The backends' fault switches, by name."""
        return {"readydesk": self.readydesk.state.faults, "kickserv": self.kickserv.state.faults}

    async def __aenter__(self) -> "Fakes":
        for server in self._servers:
            await server.start()
        self.slack.base_url = self._servers[2].base_url
        return self

    async def __aexit__(self, *exc: object) -> None:
        for server in self._servers:
            with contextlib.suppress(Exception):
                await server.stop()

    def deployment(self, database_url: str) -> dict[str, str]:
        """What compose.yaml takes from a deployment, pointed at these fakes (HTTP mode)."""
        return {
            "SLACK_BOT_TOKEN": SANDBOX_BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_APP_TOKEN": "",
            "SLACK_API_URL": self.slack.api_url,
            "READYDESK_URL": self._servers[0].base_url + "/readydesk/API/default.aspx",
            "READYDESK_KEY": SANDBOX_KEY,
            "KICKSERV_URL": self._servers[1].base_url,
            "KICKSERV_ACCOUNT": SANDBOX_ACCOUNT,
            "KICKSERV_API_KEY": SANDBOX_API_KEY,
            "DESKHAND_DATABASE_URL": database_url,
        }


def rss_mb(pid: int) -> float:
    """Resident memory of process `pid` in MB (0 when it is gone)."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Replica:
    """One `deskhand serve` process on its own port, started again after each stop."""

    def __init__(self, name: str, deployment: dict[str, str], logdir: Path) -> None:
        self.name, self.port = name, free_port()
        base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SLACK_", "READYDESK_", "KICKSERV_", "DESKHAND_"))
        }
        self.env = {**base, **replica_env(deployment, self.port)}
        self.log = logdir / f"{name}.log"
        self.process: asyncio.subprocess.Process | None = None
        self.up = False  # taking requests (the bench's own load balancing)
        self.restarts = 0
        self.first_rss = 0.0

    @property
    def url(self) -> str:
        """Where it serves."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Start it and wait until /readyz answers (or exit saying why)."""
        with self.log.open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "serve", "--port", str(self.port),
                cwd=ROOT, env=self.env, stdout=out, stderr=out,
            )  # fmt: skip
        deadline = time.monotonic() + START_LIMIT
        async with httpx.AsyncClient(timeout=5) as client:
            while True:
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get(f"{self.url}/livez")).status_code == 200:
                        break
                if self.process.returncode is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{self.name} did not start; see {self.log}")
                await asyncio.sleep(0.2)
        self.up = True

    async def stop(self, how: int = signal.SIGTERM) -> None:
        """Take it out of the rotation, signal it and wait for it to exit (bounded)."""
        self.up = False
        process, self.process = self.process, None
        if process is None or process.returncode is not None:
            return
        process.send_signal(how)
        try:
            await asyncio.wait_for(process.wait(), STOP_LIMIT)
        except TimeoutError:
            process.kill()
            await process.wait()

    async def restart(self) -> None:
        """SIGTERM, then start again."""
        await self.stop()
        self.restarts += 1
        await self.start()

    def rss(self) -> float:
        """Its resident memory now, in MB."""
        return rss_mb(self.process.pid) if self.process else 0.0


@contextlib.asynccontextmanager
async def replicas(deployment: dict[str, str], logdir: Path) -> AsyncIterator[list[Replica]]:
    """Two replicas started one after the other (the first migrates), stopped at the end."""
    pair = [Replica(f"replica-{n}", deployment, logdir) for n in (1, 2)]
    try:
        for replica in pair:
            await replica.start()
        yield pair
    finally:
        for replica in pair:
            with contextlib.suppress(Exception):
                await replica.stop()
