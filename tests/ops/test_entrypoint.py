"""The image's command (ops/entrypoint.sh): which `deskhand` a container starts, by its
environment. A stand-in `deskhand` on PATH records how it was called."""

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "ops" / "entrypoint.sh"


@pytest.fixture
def start(tmp_path: Path):
    """Run the entrypoint with `env` and arguments; (exit code, what deskhand got, stderr)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    called = tmp_path / "called"
    stand_in = bin_dir / "deskhand"
    stand_in.write_text(f'#!/bin/sh\necho "$*" > {called}\nenv | sort > {called}.env\n')
    stand_in.chmod(0o755)

    def run(*args: str, **env: str) -> tuple[int, str, str]:
        called.unlink(missing_ok=True)
        done = subprocess.run(
            ["/bin/sh", str(ENTRYPOINT), *args],
            env={"PATH": f"{bin_dir}:/usr/bin:/bin", **env},
            capture_output=True,
            text=True,
            timeout=10,
        )
        got = called.read_text().strip() if called.exists() else ""
        return done.returncode, got, done.stderr

    return run


def test_without_an_app_token_it_serves_http_on_every_address_of_the_port(start):
    assert start(SLACK_BOT_TOKEN="xoxb-1") == (0, "serve --host 0.0.0.0 --port 3000", "")
    assert start(DESKHAND_PORT="4100")[1] == "serve --host 0.0.0.0 --port 4100"
    assert start(SLACK_APP_TOKEN="")[1] == "serve --host 0.0.0.0 --port 3000"  # compose's unset


def test_with_both_tokens_it_connects_over_socket_mode_with_its_probes_on_the_port(start, tmp_path):
    assert start(SLACK_BOT_TOKEN="xoxb-1", SLACK_APP_TOKEN="xapp-1")[:2] == (0, "run")
    seen = (tmp_path / "called.env").read_text().splitlines()
    assert {"DESKHAND_METRICS_PORT=3000", "DESKHAND_METRICS_HOST=0.0.0.0"} <= set(seen)
    start(SLACK_BOT_TOKEN="xoxb-1", SLACK_APP_TOKEN="xapp-1", DESKHAND_METRICS_PORT="9100")
    assert "DESKHAND_METRICS_PORT=9100" in (tmp_path / "called.env").read_text().splitlines()


def test_an_app_token_without_a_bot_token_is_refused_instead_of_starting_the_console(start):
    code, called, stderr = start(SLACK_APP_TOKEN="xapp-1")
    assert (code, called) == (2, "")
    assert "Socket Mode needs both" in stderr


def test_arguments_run_that_deskhand_command_as_a_cronjob_does(start):
    assert start("digest", "run-due", SLACK_APP_TOKEN="xapp-1")[:2] == (0, "digest run-due")


def test_a_variable_compose_passes_empty_reaches_deskhand_unset(start, tmp_path):
    code, called, _ = start(
        SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="", KICKSERV_URL="", DESKHAND_PORT=""
    )
    assert (code, called) == (0, "serve --host 0.0.0.0 --port 3000")
    seen = (tmp_path / "called.env").read_text().splitlines()
    assert "SLACK_BOT_TOKEN=xoxb-1" in seen
    assert not [line for line in seen if line.startswith(("SLACK_SIGNING", "KICKSERV_"))]
