"""`deskhand console` at a terminal (a pseudo-terminal, so Ctrl-C is a real SIGINT): Ctrl-C
clears the line being typed or cancels a form, a second one in a row leaves, and neither drops
what comes next nor prints a traceback."""

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from playground.console_lines import AGAIN

ROOT = Path(__file__).resolve().parents[2]
# The console becomes the leader of a session whose controlling terminal is the pseudo-terminal,
# so the Ctrl-C typed there reaches it as SIGINT, as in a real terminal.
LEADER = (
    "import fcntl, os, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
    "os.execv(sys.executable, [sys.executable, '-m', 'playground.cli', 'console'])"
)
CTRL_C = "\x03"


class Terminal:
    """The console on a pseudo-terminal: what is typed, and what it has shown so far."""

    def __init__(self) -> None:
        self.master, slave = pty.openpty()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "READYDESK_"))}
        self.process = subprocess.Popen(
            [sys.executable, "-c", LEADER],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        os.close(slave)
        self.shown = ""

    def type(self, text: str) -> None:
        """Keys pressed at the terminal."""
        os.write(self.master, text.encode())

    def wait_for(self, text: str, count: int = 1, timeout: float = 30) -> None:
        """Read the screen until `text` has been shown `count` times."""
        deadline = time.monotonic() + timeout
        while self.shown.count(text) < count:
            left = deadline - time.monotonic()
            assert left > 0, f"never saw {text!r}; the screen ends {self.shown[-1500:]!r}"
            if select.select([self.master], [], [], left)[0] and not self._read():
                raise AssertionError(f"the console ended before {text!r}: {self.shown[-1500:]!r}")

    def ended(self, timeout: float = 15) -> int:
        """Its exit status, once it has ended (whatever it showed meanwhile is read)."""
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            if select.select([self.master], [], [], 0.1)[0]:
                self._read()
        while select.select([self.master], [], [], 0)[0] and self._read():
            pass
        return self.process.wait(timeout=1)

    def _read(self) -> bool:
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # EIO: nothing holds the terminal any more
            return False
        self.shown += chunk.decode(errors="replace")
        return bool(chunk)

    def close(self) -> None:
        """Stop it if a failed test left it running."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        os.close(self.master)


def test_ctrl_c_clears_the_line_or_the_form_and_twice_leaves_without_a_traceback():
    terminal = Terminal()
    try:
        terminal.wait_for("deskhand> ")
        terminal.type("/ticket 99")  # half typed, never sent
        terminal.wait_for("/ticket 99")
        terminal.type(CTRL_C)
        terminal.wait_for(AGAIN)
        terminal.type("/ticket 34\n")
        terminal.wait_for("Buttons: [ Refresh ]")
        assert "#34 " in terminal.shown and "#99 " not in terminal.shown
        assert "not a ticket number" not in terminal.shown  # not "/ticket 99/ticket 34"

        terminal.type("/note ticket 34\n")
        terminal.wait_for("Note")
        terminal.type("Half a note")
        terminal.type(CTRL_C)
        terminal.wait_for("Form cancelled: nothing was sent.")
        terminal.wait_for("deskhand> ", count=4)
        terminal.type("/ticket 35\n")  # the console still answers, and the form did not stay
        terminal.wait_for("#35 ")

        terminal.type(CTRL_C)
        terminal.wait_for(AGAIN, count=2)
        terminal.type(CTRL_C)
        assert terminal.ended() == 0
        assert "Traceback" not in terminal.shown and "KeyboardInterrupt" not in terminal.shown
    finally:
        terminal.close()
