"""`deskhand run` without Slack tokens: the web sandbox on 127.0.0.1 until Ctrl-C."""

import asyncio
import contextlib
import signal
import sys

from bot.settings import Settings
from sandbox.serve import LoopbackServer, bind

HOST = "127.0.0.1"  # the sandbox is for the person at this machine only


def serve_web_sandbox(settings: Settings, port: int) -> int:
    """Serve the page on `port` and print its address; return the exit code."""
    if not 0 <= port <= 65535:
        print(f"--port takes a port number from 1 to 65535, not {port}.", file=sys.stderr)
        return 2
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(_serve(settings, port))
    return 0


async def _serve(settings: Settings, port: int) -> int:
    try:
        sock = bind(HOST, port)  # before anything starts, so a taken port is said at once
    except OSError as err:
        print(
            f"Port {port} on {HOST} is not free ({err.strerror or err}). Start on another "
            "one: `deskhand run --port 3001` (or DESKHAND_SANDBOX_PORT=3001).",
            file=sys.stderr,
        )
        return 2
    # Imported once the port is ours: the app and its sandboxes take a second or two to load.
    from playground.web.app import WebSandbox
    from playground.web.page import build_page

    async with WebSandbox(settings) as sandbox:
        server = LoopbackServer(build_page(sandbox), sock=sock)
        url = await server.start()
        print(
            f"Deskhand's web sandbox is at {url}/ (open it in a browser; Ctrl-C stops it).\n"
            "It runs the real app against sandbox ReadyDesk, Kickserv and Slack; its state "
            f"is kept in {sandbox.settings.database_url.removeprefix('sqlite:///')}.",
            flush=True,
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await stop.wait()
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
            await server.stop()
    return 0
