"""The `deskhand` command: `run` (Slack if configured, else the console) and `console`."""

import argparse
import asyncio
import logging
import sys

from api.http import configure_logging
from bot.settings import Settings


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `deskhand` console script."""
    parser = argparse.ArgumentParser(
        prog="deskhand", description="Slack chat-ops for ReadyDesk and Kickserv."
    )
    commands = parser.add_subparsers(dest="command")
    commands.add_parser(
        "run", help="connect to Slack (Socket Mode) when tokens are set, else start the console"
    )
    console = commands.add_parser(
        "console", help="type slash commands locally against the sandboxes"
    )
    console.add_argument(
        "--json", action="store_true", help="print each reply as one JSON object a line"
    )
    args = parser.parse_args(argv)

    settings = Settings()
    command = args.command or "run"
    if command == "run" and settings.has_slack_credentials:
        configure_logging(logging.INFO, settings.secrets())
        from bot.socket_mode import run_socket_mode

        return asyncio.run(run_socket_mode(settings))
    # The console keeps stdout for replies; only warnings go to stderr.
    configure_logging(logging.WARNING, settings.secrets())
    from bot.console import run_console

    try:
        asyncio.run(run_console(settings, json_output=getattr(args, "json", False)))
    except KeyboardInterrupt:
        print(file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
