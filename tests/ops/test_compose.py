"""compose.yaml runs what the image check proves: the same image, its own command, the settings
of ops/replica.env, and the same deployment values the check supplies (no more, no fewer)."""

import re
from pathlib import Path

import pytest
import yaml

from ops.replica_env import (
    CONTAINERFILE,
    DEPLOYMENT_KEYS,
    HOST_NETWORK_KEYS,
    REPLICA_ENV,
    replica_env,
    shared_settings,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def _replicas(compose: dict) -> dict[str, dict]:
    return {name: s for name, s in compose["services"].items() if "build" in s}


def _image_default(instruction: str) -> str:
    """A value the Containerfile's final stage sets, e.g. `DESKHAND_PORT=3000` -> 3000."""
    found = re.findall(rf"\b{instruction}=(\S+)", (ROOT / CONTAINERFILE).read_text())
    return found[-1]


def test_two_replicas_of_the_image_the_check_builds_run_its_own_command(compose):
    replicas = _replicas(compose)
    assert len(replicas) == 2
    script = (ROOT / "ops" / "image-check.sh").read_text()
    assert f"-f {CONTAINERFILE} " in script  # the check builds this file from the repo root
    for service in replicas.values():
        assert service["build"] == {"context": ".", "dockerfile": CONTAINERFILE}
        assert "command" not in service and "entrypoint" not in service


def test_replicas_take_the_checks_settings_and_the_same_deployment_values(compose):
    checked = replica_env({key: "x" for key in DEPLOYMENT_KEYS}, port=3921)
    for service in _replicas(compose).values():
        assert ROOT / service["env_file"] == REPLICA_ENV
        environment = set(service["environment"])
        assert environment == set(DEPLOYMENT_KEYS)
        assert not environment & set(shared_settings())  # nothing overrides what was proven
        assert set(checked) == {*shared_settings(), *environment, *HOST_NETWORK_KEYS}


def test_the_check_refuses_a_deployment_value_compose_does_not_pass():
    with pytest.raises(ValueError, match="SLACK_EXTRA"):
        replica_env({**dict.fromkeys(DEPLOYMENT_KEYS, "x"), "SLACK_EXTRA": "x"}, port=3921)
    with pytest.raises(ValueError, match="READYDESK_KEY"):
        replica_env({k: "x" for k in DEPLOYMENT_KEYS if k != "READYDESK_KEY"}, port=3921)


def test_replicas_share_the_postgresql_service_and_publish_the_images_port(compose):
    port = _image_default("DESKHAND_PORT")
    published = []
    for service in _replicas(compose).values():
        database = service["environment"]["DESKHAND_DATABASE_URL"]
        assert database.startswith("postgresql+psycopg://") and "@postgres:5432/" in database
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        [mapping] = service["ports"]
        host, container = mapping.split(":")
        assert container == port
        published.append(host)
    assert len(set(published)) == 2
    assert "postgres" in compose["services"]


def test_a_stop_waits_longer_than_the_drain(compose):
    drain = float(shared_settings()["DESKHAND_DRAIN_SECONDS"])
    for service in _replicas(compose).values():
        assert float(service["stop_grace_period"].removesuffix("s")) > drain
