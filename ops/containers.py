"""Containers of the image under check, run with `buildah run --isolation chroot`.

Chroot isolation shares the host's network and has no PID namespace, so a container's main
process is a process of this machine: the check signals it directly, as a runtime signals PID 1
(buildah itself does not pass SIGTERM on to what it runs).
"""

import asyncio
import contextlib
import json
import os
import signal
import socket
import time
from pathlib import Path
from typing import Any

import httpx

START_TIMEOUT = 60.0  # seconds a container may take to answer its probe


class Buildah:
    """The buildah command with this check's storage options."""

    def __init__(self, command: list[str]) -> None:
        self.command = command

    async def output(self, *args: str) -> str:
        """Run one buildah command; its stdout, or RuntimeError with its stderr."""
        process = await asyncio.create_subprocess_exec(
            *self.command,
            *args,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"buildah {args[0]} failed: {err.decode().strip()}")
        return out.decode()

    async def config(self, image: str) -> dict[str, Any]:
        """The image's Docker config: Entrypoint, Cmd, User, Healthcheck, Env."""
        inspected = json.loads(await self.output("inspect", "--type", "image", image))
        return inspected["Docker"]["config"]

    async def image_command(self, image: str) -> list[str]:
        """What the image runs when started with no arguments: its Entrypoint, then its Cmd."""
        config = await self.config(image)
        return [*(config.get("Entrypoint") or []), *(config.get("Cmd") or [])]

    async def new_container(self, image: str, name: str) -> "Container":
        """A fresh container of `image` (an earlier one of the same name is removed first)."""
        await self.remove(name)
        await self.output("from", "--quiet", "--name", name, image)
        return Container(self, name)

    async def remove(self, name: str) -> None:
        """Remove container `name` if it exists."""
        process = await asyncio.create_subprocess_exec(
            *self.command,
            "rm",
            name,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        await process.wait()


class Container:
    """One container; `start` runs a command in it, at most one at a time."""

    def __init__(self, buildah: Buildah, name: str) -> None:
        self.buildah, self.name = buildah, name
        self.process: asyncio.subprocess.Process | None = None
        self.log_path: Path | None = None
        self.port = 0

    def run_args(self, env: dict[str, str], command: list[str]) -> list[str]:
        """The `buildah run` command line for `command` with `env` set."""
        args = [*self.buildah.command, "run", "--isolation", "chroot"]
        for name, value in env.items():
            args += ["--env", f"{name}={value}"]
        return [*args, self.name, "--", *command]

    async def start(self, env: dict[str, str], command: list[str], log_path: Path) -> None:
        """Start `command` in the container, its output going to `log_path`."""
        self.log_path, self.port = log_path, int(env["DESKHAND_PORT"])
        with log_path.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                *self.run_args(env, command),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )

    async def wait_ready(self, path: str) -> float:
        """Poll `path` until it answers 200; the seconds it took from the start."""
        started = time.monotonic()
        async with httpx.AsyncClient(timeout=5) as client:
            while True:
                try:
                    reply = await client.get(self.url(path))
                    if reply.status_code == 200:
                        return time.monotonic() - started
                except httpx.TransportError:
                    pass
                if self.process is None or self.process.returncode is not None:
                    raise RuntimeError(f"{self.name} exited before it was ready:\n{self.log()}")
                if time.monotonic() - started > START_TIMEOUT:
                    raise RuntimeError(f"{self.name} was not ready in {START_TIMEOUT:.0f} s")
                await asyncio.sleep(0.1)

    def url(self, path: str) -> str:
        """A URL of the running container's HTTP server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def main_pid(self) -> int:
        """The container's main process: the deepest process under `buildah run`."""
        assert self.process is not None
        pid = self.process.pid
        while children := _children(pid):
            pid = children[-1]
        return pid

    def send(self, signum: signal.Signals) -> None:
        """Signal the container's main process, as a runtime stopping it would."""
        os.kill(self.main_pid(), signum)

    async def wait(self, timeout: float) -> int:
        """Wait for the command to end; buildah's exit code."""
        assert self.process is not None
        return await asyncio.wait_for(self.process.wait(), timeout)

    async def stop(self) -> None:
        """Stop whatever still runs (SIGKILL: this is the clean-up, not a check)."""
        if self.process is not None and self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.send(signal.SIGKILL)
            await self.wait(30)

    def log(self) -> str:
        """Everything the container's command printed so far."""
        return self.log_path.read_text(errors="replace") if self.log_path else ""


def free_port() -> int:
    """A loopback port nothing listens on now (the containers share the host's network)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    """The child processes of `pid`, oldest first (read from /proc: its `children` files are
    not on every kernel)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def uid_of(pid: int) -> int:
    """The real user id a process runs as."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise RuntimeError(f"process {pid} has no Uid line")
