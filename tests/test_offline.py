"""Offline by design: the suite fails if anything opens a network connection.

pytest runs with --disable-socket (pytest-socket) for every test. These tests check the guard is really on,
and run the real model path in a child process whose socket module refuses and records every network use.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.speech_fixtures import FLUENT, synthesize

GUARD = '''
import os, socket
_log = os.environ["MOCKIV_NET_LOG"]
def _refuse(*args, **kwargs):
    with open(_log, "a") as f:
        f.write(repr(args[1:] if args else kwargs) + "\\n")
    raise OSError("network use refused by the offline test")
_real_connect = socket.socket.connect
def _connect(self, address):
    if self.family in (socket.AF_UNIX,):
        return _real_connect(self, address)
    _refuse(self, address)
socket.socket.connect = _connect
socket.socket.connect_ex = lambda self, address: _connect(self, address)
socket.getaddrinfo = lambda *a, **k: _refuse(None, *a)
socket.create_connection = lambda *a, **k: _refuse(None, *a)
'''


def test_the_socket_guard_is_on() -> None:
    with pytest.raises(Exception, match=r"[Ss]ocket"):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).connect(("127.0.0.1", 9))


@pytest.mark.model
def test_analyze_real_audio_opens_no_connection(tmp_path: Path, speech_dir: Path) -> None:
    guard_dir = tmp_path / "guard"
    guard_dir.mkdir()
    (guard_dir / "sitecustomize.py").write_text(GUARD)
    log = tmp_path / "net.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "PYTHONPATH"))}
    env.update(PYTHONPATH=str(guard_dir), MOCKIV_NET_LOG=str(log), MOCKIV_HOME=str(tmp_path / "home"))
    wav = synthesize(FLUENT[0], speech_dir)
    result = subprocess.run(
        [sys.executable, "-m", "mockiv.cli", "analyze", str(wav), "--question", "Tell me about a migration.",
         "--json"],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["transcript"]["words"]
    assert not log.exists() or log.read_text() == "", log.read_text()
