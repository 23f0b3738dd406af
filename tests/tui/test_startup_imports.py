"""Start-up to the first question stays light (issue 12: <= 1 s): numpy, the Whisper runtime and the audio file
libraries load behind the first question (the model's worker, the first audio), never before it.

Checked by what is imported, not by a clock: a timing bound would fail on a busy machine and pass on a slow
change. `scripts/bench` (part `tui`) measures the time itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("numpy", "faster_whisper", "ctranslate2", "soundfile", "onnxruntime", "tokenizers", "av",
         "mockiv.nlp.encoder")

CHILD = r"""
import asyncio, json, sys

HEAVY = %r
from mockiv.tui.app import create_app
from mockiv.tui.services import build_services

def loaded():
    return sorted(m for m in HEAVY if m in sys.modules)

async def main():
    at_import = loaded()
    services = build_services(tts=False, microphone=False)
    app = create_app(services)
    app.start_model = lambda: None  # the model's worker imports the Whisper runtime by design: keep it out
    async with app.run_test(size=(80, 24)) as pilot:
        at_home = loaded()
        await pilot.press("enter")
        while app.first_question_at is None:
            await pilot.pause(0.01)
        print(json.dumps({"import": at_import, "home": at_home, "question": loaded()}), flush=True)
        app.exit()
    services.close()

asyncio.run(main())
"""


def test_nothing_heavy_is_imported_before_the_first_question(tmp_path: Path) -> None:
    env = {**os.environ, "MOCKIV_HOME": str(tmp_path), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", CHILD % (HEAVY,)], capture_output=True, text=True, env=env,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {"import": [], "home": [], "question": []}
