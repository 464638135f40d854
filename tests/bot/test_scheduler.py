"""The in-process loop (bot/scheduler.py): what one look runs, by the settings."""

import pytest
from pydantic import SecretStr

import bot.scheduler as scheduler_module
from bot.scheduler import build_scheduler
from bot.settings import Settings


@pytest.fixture
def ran(monkeypatch) -> list[str]:
    """The workers a look ran, in order (each answers with nothing to say)."""
    names: list[str] = []
    for worker in (
        "sweep_claims",
        "sweep_visit_notes",
        "run_due",
        "poll_watches",
        "poll_job_changes",
    ):

        async def record(*args, _name=worker, **kwargs):
            names.append(_name)
            return []

        monkeypatch.setattr(scheduler_module, worker, record)
    return names


def _settings(**env) -> Settings:
    return Settings(_env_file=None, SLACK_BOT_TOKEN=SecretStr("xoxb-sandbox"), **env)


async def test_by_default_the_loop_posts_digests_and_polls_watches(ran):
    await build_scheduler(_settings(), None, None).look()  # type: ignore[arg-type]
    assert ran == [
        "sweep_claims",
        "sweep_visit_notes",
        "run_due",
        "poll_watches",
        "poll_job_changes",
    ]


async def test_with_digests_left_to_cron_the_loop_only_finishes_unfinished_writes(ran):
    settings = _settings(DESKHAND_DIGESTS_IN_PROCESS="false")
    await build_scheduler(settings, None, None).look()  # type: ignore[arg-type]
    assert ran == ["sweep_claims", "sweep_visit_notes"]
