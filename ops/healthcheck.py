"""The image's HEALTHCHECK: exit 0 when the process in the container answers its liveness probe.

Asks /livez on DESKHAND_PORT, or in Socket Mode on DESKHAND_METRICS_PORT when it is set (the
entrypoint makes it DESKHAND_PORT otherwise, see ops/entrypoint.sh). Not /readyz: a process
whose backends are both down is alive and must not be restarted for it. Python's urllib, so the
image needs no curl.
"""

import os
import sys
import urllib.error
import urllib.request


def port() -> str:
    """The port the process in the container serves its probes on."""
    socket_mode = bool(os.environ.get("SLACK_APP_TOKEN"))
    probes = os.environ.get("DESKHAND_METRICS_PORT") if socket_mode else None
    return probes or os.environ.get("DESKHAND_PORT") or "3000"


def answers(path: str) -> int:
    """The HTTP status of GET path on the container's port (0 when nothing answers)."""
    url = f"http://127.0.0.1:{port()}{path}"
    try:
        with urllib.request.urlopen(url, timeout=4) as reply:
            return reply.status
    except urllib.error.HTTPError as err:
        return err.code
    except OSError:
        return 0


def main() -> int:
    """0 when healthy, 1 when not (Docker's and Podman's meaning)."""
    return 0 if answers("/livez") == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
