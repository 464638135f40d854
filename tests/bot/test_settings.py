"""Configuration from the environment."""

from bot.settings import Settings
from tests.conftest import ready_store, run_cli


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


def test_a_dot_env_in_the_working_directory_is_read_under_the_environment(monkeypatch, tmp_path):
    """The working directory is the test's own (clean_environment): no .env, then one."""
    assert Settings().timezone == Settings(_env_file=None).timezone
    (tmp_path / ".env").write_text("DESKHAND_TIMEZONE=Europe/Oslo\nREADYDESK_KEY=k-from-file\n")
    assert Settings().timezone == "Europe/Oslo" and Settings().secrets() == ["k-from-file"]
    assert Settings(_env_file=None).readydesk_is_sandbox
    monkeypatch.setenv("DESKHAND_TIMEZONE", "America/Chicago")
    assert Settings().timezone == "America/Chicago"
    (tmp_path / ".env").write_text("# nothing set\n")
    assert Settings().timezone == "America/Chicago" and Settings().readydesk_is_sandbox


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


def test_a_time_zone_is_checked_at_start_and_its_case_forgiven():
    assert Settings(_env_file=None, DESKHAND_TIMEZONE="utc").timezone == "UTC"
    assert Settings(_env_file=None, DESKHAND_TIMEZONE="america/new_york").timezone == (
        "America/New_York"
    )
    ran = run_cli("console", env={"DESKHAND_TIMEZONE": "Europe/Berln"}, input="")
    assert ran.returncode != 0 and "Traceback" not in ran.stderr
    assert ran.stderr.startswith("Deskhand cannot start with these settings:")
    assert "'Europe/Berln' is not a time zone. Did you mean Europe/Berlin?" in ran.stderr


def test_admins_and_writers_are_slack_user_ids_or_the_start_says_so():
    ok = Settings(_env_file=None, DESKHAND_ADMINS="U0BOSS, W0ENT1", DESKHAND_WRITERS="U1 U2")
    assert ok.admin_ids == {"U0BOSS", "W0ENT1"} and ok.writer_ids == {"U1", "U2"}
    ran = run_cli("console", env={"DESKHAND_ADMINS": "U0BOSS @alice"}, input="")
    assert ran.returncode != 0 and "Traceback" not in ran.stderr
    assert "takes Slack user IDs such as U0123ABCD" in ran.stderr and "@alice" in ran.stderr


def test_writers_may_be_user_groups_too():
    settings = Settings(_env_file=None, DESKHAND_WRITERS="S0SUPPORT,U0DISPATCH")
    assert settings.writer_ids == {"S0SUPPORT", "U0DISPATCH"}
