"""The console's input: lines from a terminal or a pipe, read on a thread of their own, and
Ctrl-C at a terminal as one more thing that can arrive (the line is cleared; twice quits).

The reading thread never blocks the event loop, and it is a daemon: quitting does not wait for
a line nobody will type. At a terminal the kernel drops the half-typed line when Ctrl-C comes,
so what arrives after it is only what was typed after it.
"""

import asyncio
import contextlib
import signal
import sys
import threading
from typing import TextIO


class Interrupted:
    """Ctrl-C was pressed."""


INTERRUPTED = Interrupted()
Received = str | None | Interrupted  # a line, the end of input, or Ctrl-C


class LineReader:
    """`await read(prompt)` gives the next line (without its newline), None at the end of the
    input (Ctrl-D), or INTERRUPTED; the prompt is shown at a terminal only."""

    def __init__(self, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> None:
        self._stdin, self._stdout = stdin, stdout
        self.interactive = stdin.isatty()
        self._queue: asyncio.Queue[Received] = asyncio.Queue()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._catching = False
        self._wanted = threading.Event()  # a line is asked for: the thread reads one
        self._ended = False  # the input has ended for good (a pipe, a closed terminal)

    def __enter__(self) -> "LineReader":
        self._loop = asyncio.get_running_loop()
        threading.Thread(target=self._read_all, name="console-input", daemon=True).start()
        if self.interactive:
            # Only the main thread may catch signals; elsewhere Ctrl-C keeps its usual meaning.
            with contextlib.suppress(ValueError, RuntimeError):
                self._loop.add_signal_handler(signal.SIGINT, self._queue.put_nowait, INTERRUPTED)
                self._catching = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self._catching and self._loop is not None:
            self._loop.remove_signal_handler(signal.SIGINT)

    async def read(self, prompt: str = "") -> Received:
        """The next thing typed, after showing `prompt` at a terminal."""
        if self.interactive and prompt:
            self._stdout.write(prompt)
            self._stdout.flush()
        if self._queue.empty():
            if self._ended:
                return None
            self._wanted.set()
        return await self._queue.get()

    def _read_all(self) -> None:
        assert self._loop is not None
        ended = False
        while not ended:
            self._wanted.wait()
            self._wanted.clear()
            try:
                line = self._stdin.readline()
            except (OSError, ValueError):  # the terminal went away, or stdin was closed
                line, ended = "", True
            # A terminal can be typed into after Ctrl-D (which ends one read); a pipe ends.
            ended = ended or (not line and not self.interactive)
            self._ended = ended
            received = line.removesuffix("\n") if line else None
            with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is reading
                self._loop.call_soon_threadsafe(self._queue.put_nowait, received)
