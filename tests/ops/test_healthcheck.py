"""The image's HEALTHCHECK (ops/healthcheck.py) against a stand-in server: healthy exactly when
the process answers its liveness probe, /livez, whatever its readiness."""

import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ops.containers import free_port

HEALTHCHECK = Path(__file__).resolve().parents[2] / "ops" / "healthcheck.py"


@pytest.fixture
def server() -> Iterator[tuple[dict[str, int], list[str], int]]:
    """A server answering each path with the status in `statuses` (404 elsewhere)."""
    statuses: dict[str, int] = {}
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(statuses.get(self.path, 404))
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield statuses, asked, httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def _healthcheck(**env: str) -> int:
    done = subprocess.run(
        [sys.executable, str(HEALTHCHECK)], env=env, capture_output=True, timeout=30
    )
    return done.returncode


def test_healthy_when_livez_answers_whatever_the_backends(server):
    statuses, asked, port = server
    statuses.update({"/livez": 200, "/healthz": 503})
    assert _healthcheck(DESKHAND_PORT=str(port)) == 0
    assert asked == ["/livez"]


def test_unhealthy_when_livez_does_not_answer_200(server):
    statuses, _, port = server
    statuses["/healthz"] = 200  # an old name of readiness is not liveness
    assert _healthcheck(DESKHAND_PORT=str(port)) == 1


def test_unhealthy_when_nothing_serves_the_port():
    assert _healthcheck(DESKHAND_PORT=str(free_port())) == 1


def test_socket_mode_is_asked_on_its_probe_port(server):
    statuses, _, port = server
    statuses["/livez"] = 200
    nothing = str(free_port())
    socket_mode = {"SLACK_APP_TOKEN": "xapp-1", "DESKHAND_PORT": nothing}
    assert _healthcheck(**socket_mode, DESKHAND_METRICS_PORT=str(port)) == 0
    assert _healthcheck(DESKHAND_PORT=nothing, DESKHAND_METRICS_PORT=str(port)) == 1
