"""`mockiv debrief`: a real interview's questions, remembered answers, wins and growth areas become a plan: growth
areas the findings support, a personal pack (validated like any pack), drills, and a check in `mockiv progress`
after each session. Non-interactive from flags or a TOML/JSON file; bad input is one line per problem, exit 2."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mockiv import cli, packs
from mockiv.core.debrief import Debrief, Remembered, check_targets, named_rules, pack_toml, plan, settings
from mockiv.core.rules import rule_specs

Q1 = "Tell me about a time you improved the performance of a system."
A1 = ("We had a slow checkout page. We looked at the database and we added some caching, and it was much better "
      "after that. The team was happy with it.")
Q2 = "Tell me about a failure."
A2 = ("We missed a deadline once because the requirements changed a lot. It was the product team's fault really, "
      "they kept changing things.")
Q3 = "Do you have any questions for us?"
DEBRIEF_TOML = f'''title = "Acme, backend engineer"
date = 2026-12-03
wins = ["I explained the caching design clearly"]
growth = ["I said we instead of I", "no numbers in my results", "I was nervous at the start"]

[[questions]]
question = "{Q1}"
answer = "{A1}"

[[questions]]
question = "{Q2}"
answer = "{A2}"

[[questions]]
question = "{Q3}"
'''


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_every_rule_the_areas_name_exists() -> None:
    ids = {s.id for s in rule_specs()}
    named = {rule for area in settings()["areas"].values() for rule in area["rules"]}
    assert named <= ids, named - ids
    assert named_rules("I said we instead of I")[0] == "we-without-i"
    assert named_rules("No numbers in my results")[0] == "no-outcome"
    assert named_rules("I liked the office") == ()


def test_the_plan_without_answers_follows_the_candidate_s_own_areas() -> None:
    debrief = Debrief("", "", (Remembered(Q1), Remembered(Q3)), (), ("I rambled",))
    made = plan(debrief, [None, None])
    assert made.scored_answers == 0 and made.proposals == () and made.unsupported == ("I rambled",)
    assert made.targets and made.drills  # the named area still gets a rule to check and its drill
    assert [q.kind for q in made.questions] == ["behavioral", "closing"]
    pack = packs.parse_pack(pack_toml("debrief-x", debrief, made).encode(), "p.toml", expected_id="debrief-x")
    assert [q.text for q in pack.questions] == [Q1, Q3] and pack.title == "Your interview"


def test_the_check_marks_each_session_since_the_debrief() -> None:
    def session(started: str, rules: list[str]) -> dict:  # type: ignore[type-arg]
        return {"started_at": started, "answers": [{"result": {"findings": [{"rule": r} for r in rules]}}]}

    sessions = [session("2026-12-01", ["no-outcome"]), session("2026-12-05", ["no-outcome", "blame"]),
                session("2026-12-06", ["blame"]), {"started_at": "2026-12-07", "answers": [{"result": None}]}]
    checks = check_targets(["no-outcome", "blame"], sessions, "2026-12-04")
    assert [(c.rule, c.marks) for c in checks] == [("no-outcome", "✗✓"), ("blame", "✗✗")]


def test_debrief_from_a_file_writes_a_pack_and_progress_checks_it(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "acme.toml"
    source.write_text(DEBRIEF_TOML)
    code, out, err = _run(capsys, "debrief", "--from", str(source))
    assert code == 0, err
    assert "Growth areas your 2 remembered answers support:" in out
    assert '(you named it too: "I said we instead of I")' in out and 'you said: "team\'s fault"' in out
    assert '(you named it too: "no numbers in my results")' in out
    assert "Your own growth areas the remembered answers did not show (kept in the plan):\n  - I was nervous" in out
    assert "Too short" not in out  # a remembered answer is a summary: its length is no growth area
    assert "practise pack 'debrief-2026-12-03' (3 questions): mockiv practice --pack debrief-2026-12-03" in out
    assert packs.validate_pack_file(packs.user_dir() / "debrief-2026-12-03.toml") == []
    pack = packs.load_pack("debrief-2026-12-03")
    assert [q.text for q in pack.questions] == [Q1, Q2, Q3]
    assert "What exactly did you do yourself?" in pack.questions[0].follow_ups
    code, out, _ = _run(capsys, "progress")
    assert "No practice session since: `mockiv practice --pack debrief-2026-12-03`" in out
    answer = tmp_path / "a.txt"
    answer.write_text("I profiled the checkout queries, I added an index and a cache, and page load went from 4 "
                      "seconds to 1.2 seconds, which raised conversion by 5 percent for our customers.")
    code, out, _ = _run(capsys, "practice", "--no-tui", "--no-tts", "--pack", "debrief-2026-12-03", "--limit", "1",
                        "--answers", str(answer))
    assert code == 0
    # The end of the session says where the plan stands, as progress does.
    assert "Your debrief plan (interview of 2026-12-03; pack debrief-2026-12-03)" in out
    assert re.search(r"Only “we”, never “I” +✓", out), out
    code, out, _ = _run(capsys, "progress", "--json")
    check = json.loads(out)["debrief_check"]
    assert check["pack_id"] == "debrief-2026-12-03"
    marks = {t["rule"]: t["marks"] for t in check["targets"]}
    assert marks["we-without-i"] == "✓" and marks["no-outcome"] == "✓"
    code, out, _ = _run(capsys, "progress")
    assert "Your debrief plan (interview of 2026-12-03; pack debrief-2026-12-03)" in out
    assert "Only “we”, never “I”" in out


def test_debrief_from_flags_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "debrief", "--question", Q1, "--answer", A1, "--question", Q3,
                          "--growth", "more numbers", "--date", "last Tuesday", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["pack_id"] == "debrief-last-tuesday"
    assert [q["answer"] for q in result["debrief"]["questions"]] == [A1, ""]
    assert result["plan"]["scored_answers"] == 1 and "no-outcome" in result["plan"]["targets"]
    source = tmp_path / "d.json"
    source.write_text(json.dumps({"questions": [{"question": Q3}], "growth": ["ask better questions"]}))
    code, out, err = _run(capsys, "debrief", "--from", str(source), "--json")
    assert code == 0, err
    assert json.loads(out)["pack_id"] == "debrief" and "no-questions" in json.loads(out)["plan"]["targets"]


@pytest.mark.parametrize(("content", "suffix", "expected"), [
    ('title = "x"\n', ".toml", "questions: required key is missing"),
    ('[[questions]]\nquestion = ""\n', ".toml", "must not be empty"),
    ('growth = ["a", "b", "c", "d"]\n[[questions]]\nquestion = "Why us?"\n', ".toml", "growth"),
    ('[[questions]]\nquestion = "Why us?"\nanswr = "x"\n', ".toml", "answr"),
    ("[1, 2]", ".json", "must be a JSON object"),
    ("{nope", ".json", "not valid JSON"),
    ("questions: []", ".yaml", "must end in .toml or .json"),
])
def test_a_bad_debrief_is_one_line_per_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str,
                                               suffix: str, expected: str) -> None:
    source = tmp_path / f"d{suffix}"
    source.write_text(content)
    code, out, err = _run(capsys, "debrief", "--from", str(source))
    assert code == 2 and out == "" and "Traceback" not in err
    assert expected in err and all(line.startswith(("mockiv: ", str(source))) for line in err.splitlines())
    assert not packs.user_dir().exists() or not list(packs.user_dir().glob("*.toml"))


def test_no_questions_without_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "debrief")
    assert code == 2 and err.startswith("mockiv: no questions: give --question TEXT")
    code, _, err = _run(capsys, "debrief", "--question", "Why us?", "--answer", "a", "--answer", "b")
    assert code == 2 and "2 --answer for 1 --question" in err


def test_in_a_terminal_it_asks_for_each_item(monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    import io
    import sys

    typed = io.StringIO("\n".join(["Acme", "", Q1, A1, "", "I stayed calm", "", "more numbers", ""]) + "\n")
    typed.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr(sys, "stdin", typed)
    code, out, err = _run(capsys, "debrief")
    assert code == 0, err
    assert "Question 2 you were asked: " in out and "Something to work on (2/3): " in out
    assert "Keep doing what went well:\n  + I stayed calm" in out
    assert "practise pack 'debrief' (1 question)" in out
    assert [q.text for q in packs.load_pack("debrief").questions] == [Q1]


def test_a_pack_id_never_replaces_a_pack_the_debrief_did_not_write(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "debrief", "--question", Q3, "--pack-id", "general")
    assert code == 2 and err == ("mockiv: --pack-id 'general' is already a pack that comes with mockiv; choose "
                                 "another id, or leave --pack-id out for debrief-<date>\n")
    packs.user_dir().mkdir(parents=True, exist_ok=True)
    own = packs.user_dir() / "mine.toml"
    own.write_text("# my own pack\n")
    code, _, err = _run(capsys, "debrief", "--question", Q3, "--pack-id", "mine")
    assert code == 2 and "is already one of your own packs" in err and own.read_text() == "# my own pack\n"
    for _ in range(2):  # a debrief's own pack may be written again under the id the candidate chose
        assert _run(capsys, "debrief", "--question", Q3, "--pack-id", "acme")[0] == 0
    code, _, err = _run(capsys, "debrief", "--question", Q3, "--pack-id", "Bad Id")
    assert code == 2 and "use lower-case letters" in err


def test_a_remembered_answer_can_be_spoken(speech_dir: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    from tests.support.speech_fixtures import SpeechFixture, synthesize

    spoken = synthesize(SpeechFixture("debrief-remembered", A1, "en-us", 150), speech_dir)
    typed = tmp_path / "a2.txt"
    typed.write_text(A2)
    code, out, err = _run(capsys, "debrief", "--question", Q1, "--answer", f"@{spoken}", "--question", Q2,
                          "--answer", f"@{typed}", "--json")
    assert code == 0, err
    first, second = (q["answer"] for q in json.loads(out)["debrief"]["questions"])
    assert "checkout page" in first.lower() and "caching" in first.lower()  # heard, not read
    assert second == A2 and json.loads(out)["plan"]["scored_answers"] == 2
    code, _, err = _run(capsys, "debrief", "--question", Q1, "--answer", f"@{tmp_path / 'nope.wav'}")
    assert code == 2 and err == f"mockiv: --answer @{tmp_path / 'nope.wav'}: no such file\n"
