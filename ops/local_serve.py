"""Deskhand as a local process started from the repo (not in a container), for the benchmarks
and the tests that need a real one: started, then waited for until it answers."""

import asyncio
import sys
import time
from pathlib import Path
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parents[1]
POLL = 0.2  # seconds between two looks at a starting process

Output = int | IO[bytes] | None


async def start_deskhand(
    *args: str,
    env: dict[str, str],
    module: str = "bot.cli",
    stdout: Output = asyncio.subprocess.DEVNULL,
    stderr: Output = asyncio.subprocess.DEVNULL,
) -> asyncio.subprocess.Process:
    """`python -m <module> <args>` from the repo root, with exactly `env`."""
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", module, *args, cwd=ROOT, env=env, stdout=stdout, stderr=stderr
    )


async def answering(
    url: str, process: asyncio.subprocess.Process, *, seconds: float = 30, ready: bool = False
) -> httpx.Response:
    """The first answer `url` gives (with `ready`, the first 200); RuntimeError when the process
    exits first or `seconds` pass."""
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient() as client:
        while True:
            try:
                response = await client.get(url)
                if not ready or response.status_code == 200:
                    return response
            except httpx.TransportError:
                pass
            if process.returncode is not None:
                raise RuntimeError(f"it exited ({process.returncode}) before {url} answered")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer in {seconds:.0f} s")
            await asyncio.sleep(POLL)
