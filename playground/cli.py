"""The entry point of the `deskhand` command: bot/cli.py's commands, with the two that need no
Slack (`run` without tokens: the web sandbox page; `console`) served from this floor."""

import sys

from bot import cli
from bot.settings import Settings


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `deskhand` console script."""
    return cli.main(argv, cli.Playground(web_sandbox=_web_sandbox, console=_console))


# Imported when called, as bot/cli.py does: `deskhand manifest` or `--help` need neither.
def _web_sandbox(settings: Settings, port: int) -> int:
    """The web sandbox page on 127.0.0.1:`port`, until interrupted."""
    from playground.web.serve import serve_web_sandbox

    return serve_web_sandbox(settings, port)


async def _console(settings: Settings, json_output: bool) -> None:
    """The console on this terminal, until end of input."""
    from playground.console_lines import run_console

    # The streams as they are now (not as they were at import): tests feed sys.stdin in-process.
    await run_console(settings, json_output=json_output, stdin=sys.stdin, stdout=sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
