"""Progress lines: drawn after 2 s on a terminal, never in a pipe or with --quiet."""

import io
import os
import time

from okmo_models import progress as p


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_appears_on_a_terminal_after_the_delay(monkeypatch):
    monkeypatch.setattr(p, "SHOW_AFTER", 0.2)
    monkeypatch.delenv("OKMO_QUIET", raising=False)
    screen = _Terminal()
    monkeypatch.setattr("sys.stderr", screen)
    with p.progress("progress_programme", "ky"):
        time.sleep(1.0)  # no step is reported: the timer alone shows the time spent
    assert "Программанын иш-чараларын тандоо" in screen.getvalue()


def test_quick_work_prints_nothing(monkeypatch):
    monkeypatch.delenv("OKMO_QUIET", raising=False)
    screen = _Terminal()
    monkeypatch.setattr("sys.stderr", screen)
    with p.progress("progress_report", "ru", total=3) as bar:
        bar.update(3)
    assert screen.getvalue() == ""


def test_no_progress_in_a_pipe_or_when_quiet(monkeypatch):
    monkeypatch.setattr("sys.stderr", io.StringIO())
    monkeypatch.delenv("OKMO_QUIET", raising=False)
    assert not p.enabled()
    monkeypatch.setattr("sys.stderr", _Terminal())
    assert p.enabled()
    monkeypatch.setenv("OKMO_QUIET", "1")
    assert not p.enabled()


def test_quiet_option_is_accepted_by_every_command_and_restored(monkeypatch):
    from okmo_models.cli import main

    monkeypatch.delenv("OKMO_QUIET", raising=False)
    seen = {}
    monkeypatch.setattr("okmo_models.cli.check_file", lambda path: seen.update(quiet=os.environ.get("OKMO_QUIET")))
    assert main(["check", "--quiet", "scenarios/teploklyuchenka/waste.yaml"]) == 0
    assert seen == {"quiet": "1"}  # while the command ran (report kernels inherit it)
    assert "OKMO_QUIET" not in os.environ  # and not after it
