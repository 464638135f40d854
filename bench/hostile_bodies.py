"""Oversized and unsigned request bodies against a real `deskhand serve`: memory stays flat.

Starts `deskhand serve` on loopback, reads its resident memory, then sends three unsigned
200 MB bodies at once (streamed, with Content-Length) and three chunked ones, sampling the
process's memory while they are refused. Prints the peak as a ratio of the baseline measured in
the same run, and a signed command's time after the attack as a ratio of its time before.
"""

import asyncio
import os
import signal
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
from _sandboxes import free_port

from ops.local_serve import answering, start_deskhand
from playground.slack_requests import SlackRequests
from sandbox.slack import SANDBOX_BOT_TOKEN, SlackSandbox

SECRET = "bench-signing-secret"  # noqa: S105 (a throwaway for the bench)
BODY_MB = 200
CHUNK = b"x" * (1024 * 1024)


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _big_body():
    for _ in range(BODY_MB):
        yield CHUNK


async def _refused(client: httpx.AsyncClient, url: str, *, length: bool) -> tuple[int, float]:
    headers = {"content-type": "application/x-www-form-urlencoded"}
    if length:
        headers["content-length"] = str(BODY_MB * len(CHUNK))
    started = time.perf_counter()
    try:
        reply = await client.post(url, content=_big_body(), headers=headers)
        status = reply.status_code
    except httpx.TransportError:
        status = 0  # the server closed the connection while the body was still coming
    return status, time.perf_counter() - started  # the client's time to send it all


RESPONSE_URL = "http://127.0.0.1:9/none"


async def _signed(client: httpx.AsyncClient, url: str) -> float:
    body = urlencode(
        {
            "command": "/deskhand",
            "text": "help",
            "user_id": "U1",
            "team_id": "T1",
            "channel_id": "C1",
            "response_url": RESPONSE_URL,
            "trigger_id": "1.2.3",
        }
    )
    headers = SlackRequests(SECRET).headers(body)
    started = time.perf_counter()
    reply = await client.post(url, content=body, headers=headers)
    assert reply.status_code == 200, reply.status_code
    return time.perf_counter() - started


async def main() -> None:
    """Serve Deskhand, send it the oversized and unsigned bodies, and print the figures."""
    slack = SlackSandbox()
    await slack.start()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DESKHAND_"))}
    env.update(
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_BOT_TOKEN=SANDBOX_BOT_TOKEN,
        SLACK_API_URL=slack.api_url,
        DESKHAND_DATABASE_URL="sqlite://",
    )
    process = await start_deskhand("serve", "--port", str(port), env=env)
    url = f"http://127.0.0.1:{port}/slack/events"
    try:
        async with httpx.AsyncClient(timeout=60) as client:
            await answering(f"http://127.0.0.1:{port}/livez", process)
            signed = min([await _signed(client, url) for _ in range(5)])
            baseline = _rss_mb(process.pid)
            peak = baseline
            attacks = asyncio.gather(*(_refused(client, url, length=n % 2 == 0) for n in range(6)))
            while not attacks.done():
                peak = max(peak, _rss_mb(process.pid))
                await asyncio.sleep(0.05)
                if attacks.done():
                    break
                await asyncio.wait([attacks], timeout=0.05)
            results = attacks.result()
            after = _rss_mb(process.pid)
            signed_after = min([await _signed(client, url) for _ in range(5)])
    finally:
        process.send_signal(signal.SIGTERM)
        await process.wait()
        await slack.stop()
    statuses = sorted({status for status, _ in results})
    print(f"six unsigned {BODY_MB} MB bodies at once (3 with Content-Length, 3 chunked)")
    print(f"  answers: {statuses} (413 over the limit; 401 unsigned, refused on its headers)")
    print(
        f"  memory: baseline {baseline:.0f} MB, peak {peak:.0f} MB ({peak / baseline:.2f}x), "
        f"after {after:.0f} MB"
    )
    print(
        f"  a signed /deskhand help: {signed * 1000:.1f} ms before, {signed_after * 1000:.1f} ms "
        f"after ({signed_after / signed:.2f}x)"
    )


if __name__ == "__main__":
    asyncio.run(main())
