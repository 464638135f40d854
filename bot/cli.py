"""The `deskhand` command: `run` (Socket Mode, or the web sandbox without tokens), `serve`
(HTTP mode), `console`, `manifest`, `audit` and `db upgrade`. The web sandbox and the console are
the playground's, handed in by its entry point (playground/cli.py)."""

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from bot.heap import defer_full_collections
from bot.logs import configure_logging
from bot.settings import Settings

# Each command imports the app, the store, the workers or the sandboxes inside its own function,
# for start-up speed: those take about two seconds to import, and `deskhand manifest`, `--help`
# or a refused `serve` need none of them. Nothing here dodges an import cycle (only
# playground/cli.py imports bot.cli).


@dataclass(frozen=True)
class Playground:
    """What `run` without Slack tokens and `console` start: the web sandbox page and the console,
    given by playground/cli.py (the floor above bot/, which bot/ never imports)."""

    web_sandbox: Callable[[Settings, int], int]  # (settings, port) -> exit code
    console: Callable[[Settings, bool], Awaitable[None]]  # (settings, json_output)


def main(argv: list[str] | None = None, playground: Playground | None = None) -> int:
    """The `deskhand` command's arguments to exit code (playground/cli.py is its entry point)."""
    parser = argparse.ArgumentParser(
        prog="deskhand", description="Slack chat-ops for ReadyDesk and Kickserv."
    )
    commands = parser.add_subparsers(dest="command")
    run = commands.add_parser(
        "run",
        help="Socket Mode when SLACK_BOT_TOKEN and SLACK_APP_TOKEN are set, else the web sandbox",
    )
    run.add_argument(
        "--port",
        type=int,
        default=None,
        help="the web sandbox's port on 127.0.0.1 (default DESKHAND_SANDBOX_PORT, else 3000)",
    )
    serve = commands.add_parser(
        "serve", help="HTTP mode: POST /slack/events; GET /livez, /readyz, /metrics"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=3000, help="port to listen on")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes serving the port (more than 1 needs PostgreSQL as DESKHAND_DATABASE_URL)",
    )
    console = commands.add_parser("console", help="type slash commands locally (sandbox Slack)")
    console.add_argument("--json", action="store_true", help="one JSON object a reply")
    manifest = commands.add_parser("manifest", help="print the Slack app manifest to install")
    manifest.add_argument(
        "--url", help="public base URL (https://host) for HTTP mode; omit for Socket Mode"
    )
    manifest.add_argument(
        "--workflow-steps",
        action="store_true",
        help="declare Deskhand's Workflow Builder steps (paid plans; makes the app org-ready)",
    )
    audit = commands.add_parser("audit", help="print the audit log of writes from Slack")
    audit.add_argument("--since", default="1d", help="how far back: 30m, 12h, 7d (default 1d)")
    audit.add_argument("--json", action="store_true", help="one JSON object a row")
    digest = commands.add_parser("digest", help="scheduled digests")
    digest.add_argument("action", choices=["run-due"], help="post what is due once, then exit")
    digest.add_argument("--at", help="the instant to run for (ISO 8601 with offset); default now")
    alerts = commands.add_parser("alerts", help="channel alerts")
    alerts.add_argument("action", choices=["poll"], help="one poll of every watch, then exit")
    db = commands.add_parser("db", help="the state database")
    db.add_argument("action", choices=["upgrade"], help="apply every pending migration")
    args = parser.parse_args(argv)
    if args.command == "manifest":
        return print_manifest(args.url, workflow_steps=args.workflow_steps)
    if args.command == "db":
        return upgrade_database(read_settings().database_url)
    if args.command == "digest":
        return run_due_digests(read_settings(), args.at)
    if args.command == "alerts":
        return poll_alerts(read_settings())
    if args.command == "audit":
        return print_audit(read_settings().database_url, args.since, as_json=args.json)

    settings = read_settings()
    command = args.command or "run"
    if command == "serve":
        missing = [
            name
            for name, value in (
                ("SLACK_BOT_TOKEN", settings.slack_bot_token),
                ("SLACK_SIGNING_SECRET", settings.slack_signing_secret),
            )
            if value is None
        ]
        if missing:
            print(
                f"deskhand serve needs {' and '.join(missing)} (README: Connecting to Slack). "
                "Without Slack credentials, `deskhand run` starts the web sandbox.",
                file=sys.stderr,
            )
            return 2
        refusal = _workers_refusal(args.workers, settings.database_url)
        if refusal:
            print(refusal, file=sys.stderr)
            return 2
        configure_logging(logging.INFO, settings.secrets(), settings.log_format)
        if args.workers == 1:  # this process serves (else uvicorn's supervisor, which does not)
            defer_full_collections()
        from bot.server import serve as serve_http

        return serve_http(settings, args.host, args.port, workers=args.workers)
    if command == "run" and settings.has_slack_credentials:
        configure_logging(logging.INFO, settings.secrets(), settings.log_format)
        from bot.socket_mode import run_socket_mode

        return asyncio.run(run_socket_mode(settings))
    if playground is None:
        print(
            f"deskhand {command} without Slack is the playground's: "
            "run the `deskhand` command (playground/cli.py).",
            file=sys.stderr,
        )
        return 2
    if command == "run":
        configure_logging(logging.WARNING, settings.secrets())
        asked = getattr(args, "port", None)
        port = settings.sandbox_port if asked is None else asked
        return playground.web_sandbox(settings, port)
    # The console keeps stdout for replies; only warnings go to stderr.
    configure_logging(logging.WARNING, settings.secrets(), settings.log_format)
    try:
        asyncio.run(playground.console(settings, getattr(args, "json", False)))
    except KeyboardInterrupt:
        print(file=sys.stderr)
    return 0


def read_settings() -> Settings:
    """The settings from the environment; a bad value exits with one line per variable (its
    value is not shown: it may be a secret)."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as err:
        lines = [f"  {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors()]
        print("Deskhand cannot start with these settings:", *lines, sep="\n", file=sys.stderr)
        raise SystemExit(2) from None


def _workers_refusal(workers: int, database_url: str) -> str | None:
    """Why `serve --workers N` cannot run as asked, or None."""
    if workers < 1:
        return f"--workers takes a number of processes, 1 or more (got {workers})."
    if workers > 1 and database_url.startswith("sqlite"):
        return (
            f"deskhand serve --workers {workers} needs a database the processes can share: "
            "SQLite serves one process. Set DESKHAND_DATABASE_URL to PostgreSQL "
            "(README: Several processes), or serve with one worker."
        )
    return None


def run_due_digests(settings: Settings, at: str | None) -> int:
    """`deskhand digest run-due [--at …]`: for cron or a Kubernetes CronJob."""
    if _no_bot_token(settings, "digest run-due"):
        return 2
    try:
        now = datetime.fromisoformat(at) if at else datetime.now(UTC)
    except ValueError:
        print(
            f"--at takes an ISO 8601 time like 2026-12-01T08:00:00-05:00, not {at!r}.",
            file=sys.stderr,
        )
        return 2
    if now.tzinfo is None:
        print("--at needs a UTC offset, like 2026-12-01T08:00:00-05:00.", file=sys.stderr)
        return 2
    from workers.digests import run_due

    configure_logging(logging.WARNING, settings.secrets(), settings.log_format)
    due = partial(run_due, grace=timedelta(seconds=settings.digest_grace))
    return asyncio.run(_once(settings, due, now, f"Nothing due at {now.isoformat()}."))


def poll_alerts(settings: Settings) -> int:
    """`deskhand alerts poll`: one poll of every watch (for cron, or to check a setup)."""
    if _no_bot_token(settings, "alerts poll"):
        return 2
    from workers.job_changes import poll_job_changes
    from workers.watches import poll_watches

    async def both(*args: Any, **kwargs: Any) -> list[str]:
        """The watches, then the technicians' job-change DMs."""
        return [*await poll_watches(*args, **kwargs), *await poll_job_changes(*args, **kwargs)]

    configure_logging(logging.WARNING, settings.secrets(), settings.log_format)
    return asyncio.run(_once(settings, both, datetime.now(UTC), "Nothing is watched."))


def _no_bot_token(settings: Settings, command: str) -> bool:
    """True (and says so) when the bot token a posting command needs is missing."""
    if settings.slack_bot_token is None or not settings.slack_bot_token.get_secret_value():
        print(f"deskhand {command} posts with SLACK_BOT_TOKEN, which is not set.", file=sys.stderr)
        return True
    return False


async def _once(
    settings: Settings, work: Callable[..., Awaitable[list[str]]], now: datetime, nothing: str
) -> int:
    """Run one worker (`work(desk, store, slack, now, config=…)`), print what it did, exit."""
    from bot.app import build_desk, build_web_client, handler_config
    from store import SchemaMismatch, Store

    store = Store(settings.database_url)
    desk = build_desk(settings, store)
    try:
        await store.migrate()
        slack, config = build_web_client(settings), handler_config(settings)
        lines = await work(desk, store, slack, now, config=config)
    except SchemaMismatch as err:
        print(err, file=sys.stderr)
        return 2
    finally:
        await desk.aclose()
        await store.close()
    print("\n".join(lines) if lines else nothing)
    return 0


def print_audit(database_url: str, since: str, *, as_json: bool) -> int:
    """`deskhand audit [--since 1d] [--json]`: the write attempts, newest first."""
    from store import SchemaMismatch
    from store.audit import parse_age

    try:
        start = datetime.now(UTC) - parse_age(since)
    except ValueError as err:
        print(err, file=sys.stderr)
        return 2
    missing = _missing_sqlite_file(database_url)
    if missing:  # said, not created empty: an empty log would look like "no writes"
        print(
            f"There is no database at {missing} (DESKHAND_DATABASE_URL says where the bot keeps "
            "it). The web sandbox keeps its own: "
            "DESKHAND_DATABASE_URL=sqlite:///.deskhand/sandbox.db deskhand audit",
            file=sys.stderr,
        )
        return 1
    try:
        rows = asyncio.run(_recent_writes(database_url, start))
    except SchemaMismatch as err:
        print(err, file=sys.stderr)
        return 2
    for row in rows:
        if as_json:
            print(json.dumps(row.as_dict(), ensure_ascii=False))
        else:
            print(row.as_line())
    if not rows and not as_json:
        print(f"No writes from Slack since {start:%Y-%m-%d %H:%M} UTC.")
    return 0


def _missing_sqlite_file(database_url: str) -> str | None:
    """The path of a SQLite database file that does not exist, or None."""
    from sqlalchemy import make_url

    url = make_url(database_url)
    name = url.database
    if url.get_backend_name() != "sqlite" or name in (None, "", ":memory:"):
        return None
    return None if Path(name).exists() else name


async def _recent_writes(database_url: str, start: datetime) -> list:
    """The audit rows since `start`, from a store migrated first (the CLI is a start)."""
    from store import Store

    store = Store(database_url)
    try:
        await store.migrate()
        return await store.audit.recent(since=start)
    finally:
        await store.close()


def upgrade_database(database_url: str) -> int:
    """`deskhand db upgrade`: migrate the configured database (Deskhand also does it at start)."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import SQLAlchemyError

    from store.migrate import SchemaMismatch, current_revision, require_known, upgrade

    engine = create_engine(database_url)
    try:
        before = require_known(engine)
        upgrade(engine)
        after = current_revision(engine)
    except SchemaMismatch as err:
        print(err, file=sys.stderr)
        return 2
    except SQLAlchemyError as err:
        print(f"Could not migrate the database: {type(err).__name__}.", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    if before == after:
        print(f"The state database is already at revision {after}.")
    else:
        print(f"Upgraded the state database from {before or 'empty'} to revision {after}.")
    return 0


def print_manifest(base_url: str | None, *, workflow_steps: bool = False) -> int:
    """`deskhand manifest [--url https://host] [--workflow-steps]`: the manifest as committed,
    or for HTTP mode, or with the Workflow Builder steps; links unfurl on the hosts of
    READYDESK_WEB_URL and KICKSERV_WEB_URL (those settings alone are read: printing needs no
    other)."""
    from pydantic import ValidationError

    from api.links import RecordLinks
    from bot.manifest import (
        base_url_problem,
        http_mode,
        load_manifest,
        render_manifest,
        with_unfurl_domains,
        with_workflow_steps,
    )
    from bot.settings import WebPages
    from cards.ids import FUNCTION_EXECUTED
    from cards.steps import function_section

    manifest = load_manifest()
    try:
        pages = WebPages()
    except ValidationError as err:
        wrong = ", ".join(str(e["loc"][0]) for e in err.errors() if e.get("loc")) or "a setting"
        print(f"Ignoring {wrong} (not valid): unfurl_domains as committed.", file=sys.stderr)
    else:
        links = RecordLinks(pages.readydesk_web_url, pages.kickserv_pages())
        manifest = with_unfurl_domains(manifest, links.domains())
    if base_url is not None:
        problem = base_url_problem(base_url)
        if problem:
            print(f"{problem}.", file=sys.stderr)
            return 2
        manifest = http_mode(manifest, base_url)
    if workflow_steps:
        manifest = with_workflow_steps(manifest, function_section(), FUNCTION_EXECUTED)
    sys.stdout.write(render_manifest(manifest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
