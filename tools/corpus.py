"""The real-answer corpus (corpus/real/*.jsonl): load, validate, split by source, count.

    python tools/corpus.py check        validate every file (exit 1 on a problem, one line each)
    python tools/corpus.py stats        answers, sentences and flag positives per split (no test texts)

Splits are decided by a hash of `source_key`, so one page or repository never feeds two splits and nobody
chooses which answers land in the test split.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "real"

# The labels are the judgement layer's own flags, strengths and sentence roles.
from mockiv.core.rules.judged import FLAGS, ROLES, STRENGTHS  # noqa: E402

KINDS = ("intro", "behavioral", "failure", "technical", "motivation", "closing")
FIDELITY = ("verbatim", "shortened", "paraphrased")
STYLES = ("written", "spoken")

# Where each flag is scored (shared/labelling.md, "Where each flag applies").
APPLIES: dict[str, tuple[str, ...]] = {
    "we-without-i": ("behavioral", "failure", "technical"),
    "no-outcome": ("behavioral", "technical"),
    "no-problem": ("behavioral", "technical"),
    "no-business-impact": ("behavioral", "technical"),
    "vague": ("behavioral", "failure", "technical"),
    "hypothetical": ("behavioral", "failure"),
    "blame": ("behavioral", "failure", "motivation"),
    "failure-no-lesson": ("failure",),
    "negativity": KINDS,
    "early-negotiation": KINDS,
}
STRENGTH_APPLIES: dict[str, tuple[str, ...]] = {
    "quantified-result": ("behavioral", "technical", "failure", "intro"),
    "business-framing": ("behavioral", "technical", "failure", "intro", "motivation"),
}

SPLITS = ("train", "dev", "test")


def normalise_source(source_key: str) -> str:
    """One spelling per source: "https://www.github.com/Owner/Repo/blob/x" and "github:owner/repo@abc:path" are
    the same repository; a page is its address without scheme, "www." or fragment."""
    key = source_key.strip().lower()
    key = re.sub(r"^[a-z]+://", "", key).removeprefix("www.").split("#")[0].rstrip("/")
    github = re.match(r"^(?:github:|github\.com/)([^/@:]+)/([^/@:]+)", key)
    if github:
        return f"github:{github.group(1)}/{github.group(2).removesuffix('.git')}"
    return key


def split_of(source_key: str) -> str:
    """60 % train, 20 % dev, 20 % test, by a hash of the source."""
    bucket = int(hashlib.sha256(normalise_source(source_key).encode()).hexdigest()[:8], 16) % 100
    return "test" if bucket < 20 else "dev" if bucket < 40 else "train"


def iter_answers(root: Path = CORPUS) -> Iterator[tuple[Path, int, dict[str, Any]]]:
    for path in sorted(root.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                yield path, number, json.loads(line)


def load(split: str | None = None, root: Path = CORPUS) -> list[dict[str, Any]]:
    """Every answer (with its `split` added), or only those of one split."""
    out = []
    for _path, _number, answer in iter_answers(root):
        answer["split"] = split_of(answer["source_key"])
        if split is None or answer["split"] == split:
            out.append(answer)
    return out


def problems(answer: dict[str, Any]) -> list[str]:
    """What is wrong with one answer record (empty when it is well formed)."""
    out = []
    for key in ("id", "source", "source_key", "fidelity", "style", "question", "kind", "text", "sentences", "flags"):
        if key not in answer:
            out.append(f"missing {key!r}")
    if out:
        return out
    if answer["kind"] not in KINDS:
        out.append(f"kind {answer['kind']!r} is not one of {KINDS}")
    if answer["fidelity"] not in FIDELITY:
        out.append(f"fidelity {answer['fidelity']!r} is not one of {FIDELITY}")
    if answer["style"] not in STYLES:
        out.append(f"style {answer['style']!r} is not one of {STYLES}")
    flags = answer["flags"]
    if set(flags) != set(FLAGS) or not all(isinstance(v, bool) for v in flags.values()):
        out.append(f"flags must hold exactly {FLAGS} as true/false")
    strengths = answer.get("strengths", {})
    if set(strengths) - set(STRENGTHS) or not all(isinstance(v, bool) for v in strengths.values()):
        out.append(f"strengths may hold only {STRENGTHS} as true/false")
    sentences = answer["sentences"]
    if not sentences:
        out.append("no sentences")
    for i, sentence in enumerate(sentences):
        unknown = set(sentence.get("roles", [])) - set(ROLES)
        if unknown:
            out.append(f"sentence {i}: unknown roles {sorted(unknown)}")
        if not sentence.get("text", "").strip():
            out.append(f"sentence {i}: empty text")
    words = len(answer["text"].split())
    if words < 8:
        out.append(f"only {words} words")
    return out


SHINGLE_WORDS = 10  # a run of ten words in the same order is a copy, not a shared phrase
COMMON_RUN = 8  # a run already in this many answers is a stock phrase: stop listing it (keeps the check linear)
COPY_SHARE = 0.2  # a fifth of the shorter answer's runs in another answer: a copy (reworded copies share a third)


def shingles(text: str) -> set[int]:
    """The answer's runs of SHINGLE_WORDS words (lowercase, punctuation left out), hashed."""
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {hash(" ".join(words[i:i + SHINGLE_WORDS])) for i in range(max(len(words) - SHINGLE_WORDS + 1, 0))}


def check(root: Path = CORPUS) -> int:
    seen: dict[str, str] = {}
    texts: dict[str, str] = {}
    sources: dict[str, str] = {}
    # Every run of words -> the answers (where, number of runs) that hold it: the same answer stored twice counts
    # twice, and under two sources it can land in two splits (a test answer whose copy is trained on measures
    # nothing).
    runs: dict[int, list[tuple[str, int]]] = {}
    bad = 0
    for path, number, answer in iter_answers(root):
        where = f"{path.name}:{number}"
        for problem in problems(answer):
            print(f"{where}: {problem}")
            bad += 1
        ident = answer.get("id", "")
        if ident in seen:
            print(f"{where}: id {ident!r} already used at {seen[ident]}")
            bad += 1
        seen[ident] = where
        owner = path.name.split("-")[0]
        source = normalise_source(answer.get("source_key", ""))
        if sources.setdefault(source, owner) != owner:  # same split either way; only repeated texts are wrong
            print(f"{where}: note: source {source!r} is also used by collector {sources[source]!r}")
        norm = " ".join(answer.get("text", "").lower().split())
        exact = norm in texts
        if exact:
            print(f"{where}: same text as {texts[norm]}")
            bad += 1
        texts[norm] = where
        own = shingles(answer.get("text", ""))
        shared: dict[tuple[str, int], int] = {}
        for run in own:
            for other in runs.get(run, ()):
                shared[other] = shared.get(other, 0) + 1
        copy = next((other for (other, size), count in shared.items() if count >= COPY_SHARE * min(len(own), size)),
                    None)
        if copy is not None and not exact:
            print(f"{where}: much the same text as {copy} (keep one copy)")
            bad += 1
        for run in own:
            holders = runs.setdefault(run, [])
            if len(holders) < COMMON_RUN:
                holders.append((where, len(own)))
    print(f"{len(seen)} answers, {bad} problems")
    return 1 if bad else 0


def stats(root: Path = CORPUS) -> None:
    answers = load(root=root)
    by_split = Counter(a["split"] for a in answers)
    print("answers:", dict(by_split), "total", len(answers))
    print("sources:", {s: len({normalise_source(a["source_key"]) for a in answers if a["split"] == s}) for s in SPLITS})
    print("styles:", dict(Counter((a["split"], a["style"]) for a in answers)))
    print(f"{'flag':22} " + " ".join(f"{s:>14}" for s in SPLITS) + "   (positives/applicable)")
    for flag in FLAGS:
        cells = []
        for split in SPLITS:
            scored = [a for a in answers if a["split"] == split and a["kind"] in APPLIES[flag]]
            cells.append(f"{sum(a['flags'][flag] for a in scored):>6}/{len(scored):<7}")
        print(f"{flag:22} " + " ".join(cells))
    roles = Counter((a["split"], r) for a in answers for s in a["sentences"] for r in s.get("roles", []))
    print("sentence roles (train/dev/test):")
    for role in ROLES:
        print(f"  {role:18} " + " ".join(f"{roles[(s, role)]:>6}" for s in SPLITS))


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "stats"
    if command == "check":
        sys.exit(check())
    if command == "stats":
        stats()
        sys.exit(0)
    print(__doc__)
    sys.exit(2)
