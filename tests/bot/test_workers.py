"""`deskhand serve --workers N`: several processes on one port and one PostgreSQL."""

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import httpx

from ops.containers import free_port
from tests.conftest import run_cli
from tests.scrape import parse, value
from tests.slack_helpers import SIGNING_SECRET, command_body, signed_headers

ROOT = Path(__file__).resolve().parents[2]


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "READYDESK_", "KICKSERV_", "DESKHAND_"))
    }
    return {**env, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_BOT_TOKEN": "xoxb-w", **extra}


async def test_two_workers_serve_signed_requests_on_one_postgresql(slack, postgres_url):
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "playground.cli",
        "serve",
        "--port",
        str(port),
        "--workers",
        "2",
        cwd=ROOT,
        env=_env(SLACK_API_URL=slack.api_url, DESKHAND_DATABASE_URL=postgres_url),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    names = [f"worker{i}" for i in range(8)]
    try:
        # A new connection per request, so the kernel may hand them to either process.
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", limits=httpx.Limits(max_keepalive_connections=0)
        ) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if (await client.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert process.returncode is None and time.monotonic() < deadline
                await asyncio.sleep(0.2)
            for name in names:
                body = command_body("/ticket", "34", slack.response_url(name))
                headers = {
                    "content-type": "application/x-www-form-urlencoded",
                    **signed_headers(body),
                }
                response = await client.post("/slack/events", content=body, headers=headers)
                assert response.status_code == 200
            for name in names:
                reply = await slack.wait_for_call("response_url", name, timeout=30)
                assert reply.payload["blocks"][0]["text"]["text"].startswith("#34 ")
            # Whichever process answers a scrape, it counts both processes' requests.
            for _ in range(6):
                samples = parse((await client.get("/metrics")).text)
                ticket = {"kind": "command", "listener": "/ticket"}
                assert value(samples, "deskhand_requests_total", **ticket) == len(names)
                assert value(samples, "deskhand_ack_seconds_count", **ticket) == len(names)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 60)
    log = stderr.decode()
    assert process.returncode in (0, -signal.SIGTERM), log
    assert log.count("Deskhand is serving Slack over HTTP") == 2, log
    assert log.count("backend clients closed") == 2, log
    assert "Traceback" not in log


def test_several_workers_on_sqlite_are_refused_with_the_way_out():
    env = {"SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_BOT_TOKEN": "xoxb-w"}
    result = run_cli(
        "serve", "--workers", "2", env={**env, "DESKHAND_DATABASE_URL": "sqlite:///deskhand.db"}
    )  # main() in-process: the refusal comes before anything starts
    assert result.returncode == 2
    assert "SQLite serves one process" in result.stderr
    assert "DESKHAND_DATABASE_URL to PostgreSQL" in result.stderr
    assert "Traceback" not in result.stderr
