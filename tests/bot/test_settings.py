"""Configuration from the environment."""

from bot.settings import Settings


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
