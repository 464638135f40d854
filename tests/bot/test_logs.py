"""Log lines carry the request id and never a secret."""

import logging

import pytest

from bot.logs import configure_logging, request_id


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
