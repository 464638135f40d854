"""Shared fixtures for tests/bot: HTTP mode's Starlette app over httpx's ASGI transport."""

import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import create_engine

from bot.app import build_app, build_sandbox_desk
from bot.server import build_http_app
from bot.settings import Settings
from sandbox.data import seeded
from sandbox.kickserv import build_kickserv_app
from sandbox.kickserv_data import seeded_kickserv
from sandbox.readydesk import build_readydesk_app
from store.migrate import upgrade
from tests.bot.browser_helpers import browser  # noqa: F401 (a fixture: one a worker)
from tests.bot.visit_helpers import visit_console
from tests.conftest import ready_store
from tests.slack_helpers import SIGNING_SECRET


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file at the newest revision, made once a worker. A real process started on a
    copy starts as a restart does: nothing to migrate, Alembic not imported (about 0.2 CPU-s
    less), for the tests that are not about a first start."""
    path = tmp_path_factory.mktemp("migrated") / "state.db"
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def migrated_url(migrated_database: Path, tmp_path: Path) -> str:
    """DESKHAND_DATABASE_URL of this test's own copy of `migrated_database`."""
    copy = tmp_path / "migrated.db"
    shutil.copyfile(migrated_database, copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def reached() -> list[dict[str, Any]]:
    """Every request body that got into the Bolt app (past its own signature check)."""
    return []


@pytest.fixture
def fakes():
    data = seeded(tickets=50, customers=10)
    return build_readydesk_app(data), build_kickserv_app(seeded_kickserv(data, customers=5))


@pytest.fixture
def settings(slack):
    return Settings(
        _env_file=None,
        SLACK_API_URL=slack.api_url,
        SLACK_BOT_TOKEN=SecretStr("xoxb-test-token"),
        SLACK_SIGNING_SECRET=SecretStr(SIGNING_SECRET),
    )


@pytest.fixture
async def server(settings, fakes, reached):
    """(http client for the Starlette app, what the test listeners saw); see also `reached`."""
    store = ready_store()
    desk = build_sandbox_desk(store, *fakes)
    bolt = build_app(settings, desk, store=store)
    seen: list[str] = []

    @bolt.middleware
    async def record(body, next):
        reached.append(body)
        return await next()

    @bolt.view("test_view")
    async def submit(ack, view):
        await ack(response_action="errors", errors={"note_block": "Write something first."})

    @bolt.options("test_customer_picker")
    async def options(ack, payload):
        await ack(
            options=[
                {"text": {"type": "plain_text", "text": payload["value"].upper()}, "value": "1"}
            ]
        )

    @bolt.event("app_mention")
    async def mentioned(event):
        seen.append(event["text"])

    @bolt.command("/explode")
    async def explode(ack):
        await ack()
        # Fails at once after acking: Bolt 1.30 alone would then drop the ack and answer 404
        # after 3 seconds (bot/acks.py).
        raise RuntimeError("kaboom: secret internals")

    app = build_http_app(settings, desk, store=ready_store(), bolt=bolt)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://deskhand"
    ) as client:
        yield client, seen
    await desk.aclose()


@pytest.fixture
async def desk_console():
    """The console the visit tests book in (tests/bot/visit_helpers.py)."""
    async with visit_console() as console:
        yield console
