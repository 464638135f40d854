"""Log lines carry the request id and never a secret."""

import json
import logging

import pytest
from pydantic import ValidationError

from bot.logs import configure_logging, request_id
from bot.settings import Settings
from tests.conftest import run_cli


@pytest.fixture
def restore_root_logger():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_lines_have_the_request_id_and_no_secrets(capsys, restore_root_logger):
    configure_logging(logging.INFO, ["kickserv-secret-key"])
    token = request_id.set("Ev0ABC123")
    try:
        logging.getLogger("deskhand.test").info(
            "calling https://hd/API/?key=rd-key-999&action=get_tickets with kickserv-secret-key "
            "and xoxb-12345678901-abcdef"
        )
    finally:
        request_id.reset(token)
    line = capsys.readouterr().err.strip()
    assert "INFO deskhand.test [Ev0ABC123] calling" in line
    for secret in ("rd-key-999", "kickserv-secret-key", "xoxb-12345678901-abcdef"):
        assert secret not in line
    assert "key=***" in line


def test_httpx_request_lines_are_silenced(restore_root_logger):
    configure_logging(logging.INFO)
    assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)


def test_json_lines_carry_the_request_id_and_are_scrubbed_too(capsys, restore_root_logger):
    configure_logging(logging.INFO, ["kickserv-secret-key"], "json")
    token = request_id.set("Ev0JSON42")
    try:
        logging.getLogger("deskhand.test").warning(
            'calling https://hd/API/?key=rd-key-999&action=get_tickets with "kickserv-secret-key"'
        )
        try:
            raise RuntimeError("failed with xoxb-12345678901-abcdef")
        except RuntimeError:
            logging.getLogger("deskhand.test").exception("kaboom")
    finally:
        request_id.reset(token)
    lines = capsys.readouterr().err.strip().splitlines()
    first, second = (json.loads(line) for line in lines)  # one JSON object a line
    assert first["level"] == "WARNING" and first["logger"] == "deskhand.test"
    assert first["request_id"] == second["request_id"] == "Ev0JSON42"
    assert first["message"] == 'calling https://hd/API/?key=***&action=get_tickets with "***"'
    assert first["time"].endswith("+00:00")
    assert "RuntimeError: failed with ***" in second["exception"]
    for secret in ("rd-key-999", "kickserv-secret-key", "xoxb-12345678901-abcdef"):
        assert secret not in "\n".join(lines)


def test_the_log_format_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("DESKHAND_LOG_FORMAT", "JSON")
    assert Settings(_env_file=None).log_format == "json"
    monkeypatch.setenv("DESKHAND_LOG_FORMAT", "yaml")
    with pytest.raises(ValidationError, match="DESKHAND_LOG_FORMAT"):
        Settings(_env_file=None)


def test_a_bad_setting_stops_the_command_with_a_line_naming_it():
    done = run_cli("serve", env={"DESKHAND_LOG_FORMAT": "yaml", "DESKHAND_METRICS_PORT": "http"})
    assert done.returncode == 2
    assert "DESKHAND_LOG_FORMAT: Input should be 'text' or 'json'" in done.stderr
    assert "DESKHAND_METRICS_PORT: Input should be a valid integer" in done.stderr
    assert "Traceback" not in done.stderr and "yaml" not in done.stderr  # values are not shown
