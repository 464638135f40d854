"""Shared fixtures: a clean environment, the ReadyDesk sandbox, wire-body fixtures."""

import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from api.http import RetryPolicy
from api.readydesk import ReadyDeskClient
from bot.console import Console
from bot.settings import Settings
from sandbox.data import SandboxData, seeded
from sandbox.readydesk import SANDBOX_KEY, build_readydesk_app
from sandbox.slack import SlackSandbox

FIXTURES = Path(__file__).parent / "fixtures"
ENDPOINT = "http://readydesk.test/readydesk/API/default.aspx"
ENV_PREFIXES = ("SLACK_", "READYDESK_", "KICKSERV_", "DESKHAND_")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's Slack or backend settings, or a stray .env."""
    for name in list(os.environ):
        if name.startswith(ENV_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def fixture_text(relative: str) -> str:
    """A wire body stored under tests/fixtures/."""
    return (FIXTURES / relative).read_text()


class RecordingSleep:
    """An injectable retry sleep that returns at once and remembers each delay."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> RecordingSleep:
    """The retry delays a client asked for."""
    return RecordingSleep()


@pytest.fixture
async def console() -> AsyncIterator[Console]:
    """The real app behind the local console, with the Slack and backend sandboxes."""
    async with Console(Settings(_env_file=None)) as running:
        yield running


@pytest.fixture
async def slack() -> AsyncIterator[SlackSandbox]:
    """The Slack sandbox (Web API, response_url sink, Socket Mode) on a loopback port."""
    sandbox = SlackSandbox()
    await sandbox.start()
    yield sandbox
    await sandbox.stop()


@pytest.fixture
def rd_data() -> SandboxData:
    """A fresh seeded ReadyDesk database for one test."""
    return seeded()


@pytest.fixture
async def readydesk(rd_data: SandboxData, sleeps: RecordingSleep) -> AsyncIterator[ReadyDeskClient]:
    """A client talking to the ReadyDesk fake in-process."""
    client = ReadyDeskClient(
        ENDPOINT,
        SANDBOX_KEY,
        transport=httpx.ASGITransport(app=build_readydesk_app(rd_data)),
        retry=RetryPolicy(sleep=sleeps),
    )
    yield client
    await client.aclose()
