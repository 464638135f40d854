"""The probes an orchestrator asks: /livez (the process answers), /readyz (it can serve, each
part named), /healthz (the old name of /readyz); and /metrics when the database is down."""

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from starlette.applications import Starlette

from bot.app import build_sandbox_desk
from bot.probes import probe_routes
from bot.server import build_http_app
from sandbox.kickserv import SANDBOX_API_KEY
from sandbox.readydesk import SANDBOX_KEY
from store import Store
from store.migrate import head_revision
from tests.conftest import ready_store
from tests.scrape import parse, value

READY = {
    "status": "ok",
    "process": "serving",
    "database": "ok",
    "migrations": "ok",
    "backends": {"readydesk": "ok", "kickserv": "ok"},
}


@asynccontextmanager
async def _served_on(store: Store, settings, fakes) -> AsyncIterator[httpx.AsyncClient]:
    """HTTP mode over the fakes with `store` as its state database."""
    desk = build_sandbox_desk(store, *fakes)
    app = build_http_app(settings, desk, store=store)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://deskhand"
        ) as client:
            yield client
    finally:
        await desk.aclose()
        await store.close()


async def test_livez_says_the_process_answers(server):
    client, _ = server
    response = await client.get("/livez")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_readyz_names_each_part_and_healthz_is_its_old_name(server):
    client, _ = server
    for path in ("/readyz", "/healthz"):
        response = await client.get(path)
        assert (response.status_code, response.json()) == (200, READY), path


async def test_readyz_stays_ready_with_one_backend_and_names_the_one_that_failed(server, fakes):
    client, _ = server
    fakes[1].state.faults.add("status", status=401)
    response = await client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["backends"]["readydesk"] == "ok"
    assert body["backends"]["kickserv"] == "auth_failed"


async def test_readyz_is_503_when_no_backend_answers(server, fakes):
    client, _ = server
    for fake in fakes:
        fake.state.faults.add("status", status=401)
    response = await client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["backends"] == {"readydesk": "auth_failed", "kickserv": "auth_failed"}
    assert SANDBOX_KEY not in json.dumps(body)


async def test_readyz_is_503_until_the_migrations_are_applied(settings, fakes, tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'new.db'}")  # never migrated
    async with _served_on(store, settings, fakes) as client:
        response = await client.get("/readyz")
        assert response.status_code == 503
        body = response.json()
        assert (body["status"], body["database"]) == ("unavailable", "ok")
        assert body["migrations"] == f"at none, needs {head_revision()} (deskhand db upgrade)"
        await store.migrate()
        assert (await client.get("/readyz")).json() == READY


async def test_a_database_that_does_not_answer_is_named_without_its_password(
    settings, fakes, caplog
):
    # Nothing listens on port 1: the connection is refused at once.
    store = Store("postgresql+psycopg://deskhand:hunter2-secret@127.0.0.1:1/deskhand")
    with caplog.at_level(logging.WARNING):
        async with _served_on(store, settings, fakes) as client:
            ready = await client.get("/readyz")
            metrics = await client.get("/metrics")
    assert ready.status_code == 503
    body = ready.json()
    assert body["database"] == "error: OperationalError"
    assert body["migrations"] == "unknown"
    assert body["backends"] == READY["backends"]
    # /metrics still answers, and says so.
    assert metrics.status_code == 200
    assert value(parse(metrics.text), "deskhand_state_database_up") == 0
    for shown in (ready.text, metrics.text):
        assert "hunter2-secret" not in shown and "127.0.0.1" not in shown


BOT_TOKEN = "xoxb-test-token"  # the `settings` fixture's
CREDENTIALED_URL = "https://admin:hunter2-pass@helpdesk.example/readydesk/"


def _answering(status: int, body: str, content_type: str):
    """An ASGI app answering every request with this reply (a backend quoting what it got)."""

    async def app(scope, receive, send):
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", content_type.encode())],
            }
        )
        await send({"type": "http.response.body", "body": body.encode()})

    return app


async def test_readyz_names_the_failing_system_and_a_reason_never_the_secrets_it_quoted(
    settings, tmp_path
):
    readydesk = _answering(
        200,
        f"<response><error>Invalid API key {SANDBOX_KEY} for {CREDENTIALED_URL}</error></response>",
        "text/xml",
    )
    kickserv = _answering(
        422,
        json.dumps(
            {
                "errors": [
                    f"api key {SANDBOX_API_KEY} with token {BOT_TOKEN} refused at "
                    f"{CREDENTIALED_URL}"
                ]
            }
        ),
        "application/json",
    )
    store = Store(f"sqlite:///{tmp_path / 'state.db'}")
    await store.migrate()
    async with _served_on(store, settings, (readydesk, kickserv)) as client:
        answers = [await client.get(path) for path in ("/readyz", "/healthz")]
    for answer in answers:
        assert answer.status_code == 503
        assert answer.json()["backends"] == {
            "readydesk": "auth_failed",
            "kickserv": "invalid",
        }
        for secret in (SANDBOX_KEY, SANDBOX_API_KEY, BOT_TOKEN, "hunter2-pass"):
            assert secret not in answer.text


async def test_readyz_of_a_stopping_process_is_503_not_a_traceback(settings, fakes):
    store = ready_store()
    desk = build_sandbox_desk(store, *fakes)
    serving = asyncio.Event()
    serving.set()
    # Socket Mode's probe server: it answers until the very end of a stop.
    probes = Starlette(routes=probe_routes(desk, store, serving.is_set))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=probes, raise_app_exceptions=False),
        base_url="http://deskhand",
    ) as client:
        assert (await client.get("/readyz")).status_code == 200
        serving.clear()  # SIGTERM: the requests finish, then the backend clients close
        await desk.aclose()
        answers = [await client.get(path) for path in ("/readyz", "/healthz")]
    await store.close()
    for answer in answers:
        assert answer.status_code == 503
        assert answer.json()["status"] == "unavailable"
        assert answer.json()["process"] == "not serving (starting or stopping)"
