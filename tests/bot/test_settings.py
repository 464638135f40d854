"""Configuration from the environment."""

from bot.settings import Settings
from tests.conftest import ready_store


def test_defaults_run_everything_in_the_sandbox():
    settings = Settings(_env_file=None)
    assert settings.readydesk_is_sandbox
    assert not settings.has_slack_credentials
    assert settings.readydesk_wire_names().history_action == "add_history"


def test_environment_names_and_secrets(monkeypatch):
    monkeypatch.setenv("READYDESK_URL", "https://hd.example/readydesk/API/default.aspx")
    monkeypatch.setenv("READYDESK_KEY", "k-123456")
    monkeypatch.setenv("READYDESK_HISTORY_ACTION", "add_ticket_history")
    monkeypatch.setenv("DESKHAND_TIMEZONE", "America/New_York")
    settings = Settings(_env_file=None)
    assert not settings.readydesk_is_sandbox
    assert settings.readydesk_wire_names().history_action == "add_ticket_history"
    assert settings.timezone == "America/New_York"
    assert "k-123456" not in repr(settings)
    assert settings.secrets() == ["k-123456"]


def test_kickserv_leaves_the_sandbox_only_with_account_and_key(monkeypatch):
    monkeypatch.setenv("KICKSERV_ACCOUNT", "acme-services")
    assert Settings(_env_file=None).kickserv_is_sandbox
    monkeypatch.setenv("KICKSERV_API_KEY", "ks-key-123")
    settings = Settings(_env_file=None)
    assert not settings.kickserv_is_sandbox
    assert settings.kickserv_url == "https://app.kickserv.com"


async def test_the_sandbox_desk_describes_the_same_businesses_in_both_systems():
    from bot.app import build_desk

    desk = build_desk(Settings(_env_file=None), ready_store())
    try:
        ks = await desk.kickserv.get_customer(1)
        rd = await desk.readydesk.get_customer("demo")
        assert ks.contact_email == rd.email
    finally:
        await desk.aclose()
