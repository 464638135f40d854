"""The environment a replica runs with, in the check as in compose.yaml: ops/replica.env, plus
what each deployment supplies (its Slack app, its backends, its database)."""

from pathlib import Path

REPLICA_ENV = Path(__file__).with_name("replica.env")
CONTAINERFILE = "Containerfile"

# Each deployment's own: compose.yaml takes them from the user's environment (empty backends mean
# the sandbox), the check from the sandboxes it runs. An empty SLACK_APP_TOKEN means HTTP mode.
DEPLOYMENT_KEYS = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "READYDESK_URL",
    "READYDESK_KEY",
    "KICKSERV_URL",
    "KICKSERV_ACCOUNT",
    "KICKSERV_API_KEY",
    "DESKHAND_DATABASE_URL",
)
# Containers of the check share the host's network, so each one is told its own port; compose
# gives each replica its own network and publishes the image's default port instead.
HOST_NETWORK_KEYS = ("DESKHAND_PORT",)


def shared_settings(path: Path = REPLICA_ENV) -> dict[str, str]:
    """The NAME=value lines of an env file (comments and blank lines skipped)."""
    settings = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            settings[name.strip()] = value.strip()
    return settings


def replica_env(deployment: dict[str, str], port: int) -> dict[str, str]:
    """A replica's whole environment in the check: the shared settings, the deployment's
    values (every one of DEPLOYMENT_KEYS, no other) and its port."""
    if set(deployment) != set(DEPLOYMENT_KEYS):
        wrong = sorted(set(deployment) ^ set(DEPLOYMENT_KEYS))
        raise ValueError(f"a deployment names exactly DEPLOYMENT_KEYS; not so for {wrong}")
    return {**shared_settings(), **deployment, "DESKHAND_PORT": str(port)}
