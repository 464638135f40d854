"""The image check's own bookkeeping (the checks themselves need buildah and run in
`make image`): the containers' logs are kept and named when a check fails, and cleared when
every check passed."""

import tempfile
from pathlib import Path

import pytest

from ops import image_check
from ops.checks import CheckFailed


def _checks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *, fail: bool) -> Path:
    """Every check stood in for (writing its log into the work folder); the folder made."""
    work = tmp_path / "work"
    monkeypatch.setattr(tempfile, "mkdtemp", lambda prefix: (work.mkdir(), str(work))[1])

    async def serving(buildah, image, slack, folder, port):  # type: ignore[no-untyped-def]
        (folder / "single.log").write_text("started\n")
        if fail:
            raise CheckFailed("/readyz never answered 200")
        return {
            "ready_seconds": 1.0,
            "probes": {},
            "uid": 10001,
            "ticket": "#34",
            "stop_seconds": 0.1,
        }

    async def drain(*_):  # type: ignore[no-untyped-def]
        return {"stop_seconds": 1.0, "told": "Added the note"}

    async def socket_mode(*_):  # type: ignore[no-untyped-def]
        return {"ready_seconds": 1.0, "stop_seconds": 0.1}

    monkeypatch.setattr(image_check, "check_serving", serving)
    monkeypatch.setattr(image_check, "check_drain", drain)
    monkeypatch.setattr(image_check, "check_socket_mode", socket_mode)
    return work


def test_a_failed_check_keeps_the_containers_logs_and_says_where(monkeypatch, tmp_path, capsys):
    work = _checks(monkeypatch, tmp_path, fail=True)
    assert image_check.main(["--image", "deskhand:test"]) == 1
    said = capsys.readouterr().err
    assert "/readyz never answered 200" in said and str(work) in said
    assert (work / "single.log").read_text() == "started\n"


def test_a_passing_check_leaves_no_logs_behind(monkeypatch, tmp_path, capsys):
    work = _checks(monkeypatch, tmp_path, fail=False)
    assert image_check.main(["--image", "deskhand:test"]) == 0
    assert "two replicas: skipped" in capsys.readouterr().out
    assert not work.exists()
