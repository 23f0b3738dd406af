"""Bad input from the command line gets one line and exit code 2, never a traceback or a wrong answer."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile

from mockiv import cli, paths

REPO = Path(__file__).resolve().parents[1]


def one_line_exit_2(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert cli.main(list(argv)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


@pytest.fixture(autouse=True)
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    monkeypatch.setenv("MOCKIV_HOME", str(home))
    paths.set_data_dir(None)
    yield home
    paths.set_data_dir(None)


def test_a_home_folder_of_no_user(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    err = one_line_exit_2(capsys, "--data-dir", "~nosuchuser-mockiv/x", "sessions", "list")
    assert "--data-dir '~nosuchuser-mockiv/x'" in err and "full path" in err
    monkeypatch.setenv("MOCKIV_HOME", "~nosuchuser-mockiv/x")
    assert "MOCKIV_HOME" in one_line_exit_2(capsys, "sessions", "list")


def test_an_all_nan_wav_is_no_answer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wav = tmp_path / "nan.wav"
    soundfile.write(wav, np.full(16_000 * 3, np.nan, dtype=np.float32), 16_000, subtype="FLOAT")
    assert "silent" in one_line_exit_2(capsys, "analyze", str(wav))


def test_a_folder_named_like_an_answer_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "x.txt"
    folder.mkdir()
    assert "is a folder" in one_line_exit_2(capsys, "analyze", str(folder))


def test_an_existing_data_folder_is_made_private(data_home: Path) -> None:
    (data_home / "recordings").mkdir(parents=True)
    data_home.chmod(0o755)
    (data_home / "recordings").chmod(0o777)
    assert cli.main(["sessions", "list"]) == 0
    assert data_home.stat().st_mode & 0o777 == 0o700
    assert (data_home / "recordings").stat().st_mode & 0o777 == 0o700


@pytest.mark.skipif(shutil.which("unshare") is None or os.geteuid() != 0,
                    reason="needs root's unshare -m to mount the data folder read-only")
def test_a_read_only_data_folder(data_home: Path, tmp_path: Path) -> None:
    """The commands that only read work from a read-only data folder (a read-only mount stops root too); one
    that writes says so in one line."""
    from mockiv.store import Store

    with Store.open() as store:
        session = store.create_session("general")
        store.end_session(session.id)
    out = tmp_path / "elsewhere.md"
    commands = [["sessions", "list"], ["sessions", "show", session.id[:8]], ["progress"],
                ["export", session.id[:8], "--format", "md", "--out", str(out)],
                ["sessions", "delete", session.id[:8], "--yes"]]
    runs = " ; ".join(f"{sys.executable} -m mockiv.cli {' '.join(c)} 2>{tmp_path}/err{i} ; echo rc=$?"
                      for i, c in enumerate(commands))
    script = f"mount --bind {data_home} {data_home} && mount -o remount,bind,ro {data_home} && {runs}"
    done = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=300,
                          cwd=REPO, env={**os.environ, "MOCKIV_HOME": str(data_home)})
    if "mount" in done.stderr:
        pytest.skip(f"cannot mount here: {done.stderr.strip()}")
    codes = [line for line in done.stdout.splitlines() if line.startswith("rc=")]
    err = (tmp_path / f"err{len(commands) - 1}").read_text()  # the delete's
    assert codes == ["rc=0", "rc=0", "rc=0", "rc=0", "rc=2"], (done.stdout, err)
    assert session.id[:8] in done.stdout and out.exists()
    assert err.count("\n") == 1 and "read-only" in err and "--data-dir" in err, err


def test_a_misspelt_command_gets_the_closest_one(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["analyse", "answer.txt"])
    assert exited.value.code == 2
    assert "did you mean `mockiv analyze`?" in capsys.readouterr().err


def test_devices_shows_no_legend_under_none_found(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULSE")}
    env["PULSE_SERVER"] = f"unix:{tmp_path}/no-such-server"  # no sound server: no devices at all
    done = subprocess.run([sys.executable, "-m", "mockiv.cli", "devices"], capture_output=True, text=True,
                          timeout=120, cwd=REPO, env=env)
    if "none found" not in done.stdout.split("Output devices")[0]:
        pytest.skip("this machine has a microphone without a sound server")
    assert done.returncode == 0 and "* = default" not in done.stdout, done.stdout


def test_piped_output_has_no_legend_for_styles_it_does_not_show(tmp_path: Path) -> None:
    answer = tmp_path / "answer.txt"
    answer.write_text("We moved the platform to Kubernetes. Um, we handled it and the team was happy.")
    done = subprocess.run([sys.executable, "-m", "mockiv.cli", "analyze", str(answer)], capture_output=True,
                          text=True, timeout=120, cwd=REPO)
    assert done.returncode == 0 and "[word] = filler" in done.stdout
    assert "underlined" not in done.stdout and "\x1b[" not in done.stdout  # piped: no styles, so no word of them


def test_an_empty_pack_name_is_not_the_default_pack(capsys: pytest.CaptureFixture[str]) -> None:
    assert "pack name is empty" in one_line_exit_2(capsys, "practice", "--pack", "", "--no-tui")
