"""The app: start-up to the first question on screen (goal < 2 s), with the model loading in the background.

Each run is a fresh `python` process (imports included, as for a user typing `mockiv`) that builds the real
services (store, rules in their child process, microphone check, speech off so no audio device is needed),
opens the app headless at 80x24, presses Enter on Home and stops the clock after the refresh that drew the
first question (`MockivApp.first_question_at`). It also reports when the Whisper model, which starts loading
behind that question, was ready, from the same start. Both include the interpreter's own start.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RUNS = 3

CHILD = r"""
import asyncio, json, sys, time
started = time.perf_counter()
from mockiv.tui.app import create_app
from mockiv.tui.services import build_services

async def main():
    services = build_services(tts=False)
    app = create_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        while app.first_question_at is None:  # set after the refresh that drew the question
            await pilot.pause(0.005)
        shown = app.first_question_at - started
        while not services.model.done:
            await pilot.pause(0.01)
        model = services.model.ready_at - started
        print(json.dumps({"shown": shown, "model": model, "model_error": services.model.error}), flush=True)
        app.exit()
    services.close()

asyncio.run(main())
"""


def one_run(home: Path) -> dict[str, float]:
    env = {**os.environ, "MOCKIV_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, env=env, cwd=REPO,
                          timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"the app did not start: {done.stderr.strip().splitlines()[-1:]}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    if data.get("model_error"):
        print(f"  model did not load: {data['model_error']}", file=sys.stderr)
    print(f"  first question at {data['shown']:.2f} s, model ready at {data['model']:.2f} s after imports "
          f"(whole process {time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return data


def interpreter_start_s() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - started


def run(figures: dict[str, float]) -> None:
    boot = interpreter_start_s()  # the child's clock starts once the interpreter is up: add that
    shown, model = [], []
    with tempfile.TemporaryDirectory(prefix="mockiv-bench-tui-") as folder:
        for _ in range(RUNS):
            data = one_run(Path(folder))
            shown.append(data["shown"] + boot)
            model.append(data["model"] + boot)
    figures["startup_to_first_question_s"] = round(statistics.median(shown), 3)
    figures["startup_to_model_ready_s"] = round(statistics.median(model), 3)


if __name__ == "__main__":
    results: dict[str, float] = {}
    run(results)
    print(json.dumps(results, indent=2))
