"""Run every benchmark part and print one table (or, with --json, one flat JSON object of name -> number).

Each part is scripts/bench_parts/<name>.py with `run(figures: dict[str, float]) -> None`. Figure names are
snake_case and end in their unit: _s, _mb, _per_s, _ratio, or nothing for a fraction; `tts_voice` is a name
(which voice spoke), the one figure that is not a number.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
PARTS_DIR = Path(__file__).resolve().parent / "bench_parts"
# The speech fixtures and WER live with the tests (tests/support), outside the installed package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def load_part(path: Path):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(f"bench_parts.{path.stem}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="print one flat JSON object")
    parser.add_argument("--only", nargs="*", help="run only these parts (file names without .py)")
    args = parser.parse_args()
    figures: dict[str, float | str] = {}  # a few are names (tts_voice: which voice spoke)
    parts = sorted(p for p in PARTS_DIR.glob("*.py") if not p.name.startswith("_"))
    if args.only:
        parts = [p for p in parts if p.stem in args.only]
    for path in parts:
        started = time.perf_counter()
        print(f"[bench] {path.stem} ...", file=sys.stderr, flush=True)
        try:
            load_part(path).run(figures)
        except Exception as error:  # one broken part must not hide the others' figures
            print(f"[bench] {path.stem} failed: {type(error).__name__}: {error}", file=sys.stderr)
        print(f"[bench] {path.stem} done in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    figures.setdefault("peak_rss_mb", round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1))
    if args.json:
        print(json.dumps(figures, indent=2, sort_keys=True))
    else:
        width = max((len(k) for k in figures), default=10)
        for name, value in sorted(figures.items()):
            print(f"{name:<{width}}  {value:g}" if isinstance(value, int | float) else f"{name:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
