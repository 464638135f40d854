"""Stopping `deskhand run` (Socket Mode) while Slack no longer answers: the stop is bounded by
DESKHAND_DRAIN_SECONDS and a short close, not by aiohttp's 10 s wait for Slack's closing frame."""

import asyncio
import signal
import sys
import time
from contextlib import suppress

import httpx

from ops.containers import free_port
from tests.bot.test_processes import ROOT, _env


class FreezableProxy:
    """A loopback TCP proxy in front of the Slack sandbox that can stop forwarding while it keeps
    every connection open: a Slack that hangs rather than resets."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.flowing = asyncio.Event()
        self.flowing.set()
        self._writers: list[asyncio.StreamWriter] = []
        self._server: asyncio.Server | None = None

    async def start(self) -> str:
        """Listen on a free loopback port; the proxy's base URL."""
        self._server = await asyncio.start_server(self._pipe, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    def freeze(self) -> None:
        """Forward nothing from now on (the connections stay open)."""
        self.flowing.clear()

    async def close(self) -> None:
        """Stop listening and drop every connection."""
        if self._server is not None:
            self._server.close()
        for writer in self._writers:
            writer.transport.abort()

    async def _pipe(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        upstream_r, upstream_w = await asyncio.open_connection("127.0.0.1", self.target_port)
        self._writers += [client_w, upstream_w]
        with suppress(ConnectionError):
            await asyncio.gather(self._copy(client_r, upstream_w), self._copy(upstream_r, client_w))

    async def _copy(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            await self.flowing.wait()
            writer.write(data)
            await writer.drain()
        writer.close()


async def test_sigterm_while_slack_hangs_stops_within_the_drain_and_a_short_close(
    slack, migrated_url
):
    proxy = FreezableProxy(int(slack.base_url.rsplit(":", 1)[1]))
    slack.base_url = await proxy.start()  # every URL Slack hands out goes through the proxy
    probes = free_port()
    env = _env(
        SLACK_BOT_TOKEN="xoxb-sandbox",
        SLACK_APP_TOKEN="xapp-sandbox",
        SLACK_API_URL=slack.api_url,
        DESKHAND_METRICS_PORT=str(probes),
        DESKHAND_DRAIN_SECONDS="1",
        DESKHAND_DATABASE_URL=migrated_url,
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", cwd=ROOT, env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{probes}") as client:
            async with asyncio.timeout(30):
                while True:
                    with suppress(httpx.TransportError):
                        if (await client.get("/readyz")).status_code == 200:
                            break
                    await asyncio.sleep(0.1)
        proxy.freeze()
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
        stopped_in = time.monotonic() - started
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await proxy.close()
    assert process.returncode == 0, stderr.decode()
    assert stopped_in < 5, f"stopped in {stopped_in:.1f} s with DESKHAND_DRAIN_SECONDS=1"
