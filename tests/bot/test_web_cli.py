"""`deskhand run` with no Slack tokens, as `make run` starts it: the web sandbox's address is
printed, the page answers there, Ctrl-C stops it; a port that is taken is said plainly."""

import asyncio
import os
import re
import signal
import socket
import sys
from pathlib import Path

import httpx

from tests.conftest import run_cli

ENV_PREFIXES = ("SLACK_", "READYDESK_", "KICKSERV_", "DESKHAND_")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIXES)}
    return {**env, **extra}


async def _start(cwd: Path, *args: str, **env: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "playground.cli",
        "run",
        *args,
        cwd=cwd,
        env=_env(**env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_run_without_tokens_serves_the_page_at_the_printed_address(tmp_path):
    process = await _start(tmp_path, DESKHAND_SANDBOX_PORT="0")
    try:
        line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        url = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert url, line
        async with httpx.AsyncClient() as client:
            page = await client.get(url.group(0))
        assert page.status_code == 200
        assert 'aria-label="Message"' in page.text
        assert (tmp_path / ".deskhand" / "sandbox.db").exists()
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0
    assert "Traceback" not in stderr.decode()


def test_a_taken_port_is_named_with_what_to_do():
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        port = str(taken.getsockname()[1])
        result = run_cli("run", "--port", port, env={})  # main() in-process
    finally:
        taken.close()
    assert result.returncode == 2
    assert f"Port {port} on 127.0.0.1 is not free" in result.stderr
    assert "--port 3001" in result.stderr
    assert "Traceback" not in result.stderr
