"""The story bank: the example, the coverage map, the advice, malformed banks, the CLI, and random input."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockiv import cli, paths, stories
from mockiv.errors import UserInputError
from mockiv.packs import signal_ids

FIXTURES = Path(__file__).parent / "fixtures" / "stories"
EXAMPLE = paths.project_root() / "question_packs" / "examples" / "story-bank.example.toml"


@pytest.fixture(autouse=True)
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("MOCKIV_HOME", str(home))
    paths.set_data_dir(None)
    return home


def bank_text(*stories_toml: str) -> str:
    return "schema_version = 1\n" + "".join(stories_toml)


def story(story_id: str, signals: list[str], action: str = "I rewrote the job.",
          result: str = "It ran 3 times faster.") -> str:
    return (f'\n[[stories]]\nid = "{story_id}"\ntitle = "Story {story_id}"\nsituation = "A slow job."\n'
            f'task = "Make it faster."\naction = "{action}"\nresult = "{result}"\nsignals = {json.dumps(signals)}\n')


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_example_bank_is_valid_complete_and_needs_no_advice() -> None:
    assert stories.validate_bank_file(EXAMPLE) == []
    bank, _ = stories.load_bank(EXAMPLE)
    assert 7 <= len(bank.stories) <= 10
    assert stories.coverage(bank).lacking == []
    assert stories.advice(bank) == []
    assert any(s.lesson for s in bank.stories), "the example should show a failure story with its lesson"


def test_coverage_maps_every_signal_in_rubric_order(tmp_path: Path) -> None:
    bank = stories.parse_bank(bank_text(story("a", ["ownership", "execution"]), story("b", ["execution"])).encode())
    cover = stories.coverage(bank)
    assert list(cover.by_signal) == signal_ids()
    assert cover.by_signal["execution"] == ("a", "b") and cover.by_signal["ownership"] == ("a",)
    assert cover.covered == ["ownership", "execution"]
    assert cover.lacking == ["technical-depth", "leadership", "business-impact", "learning", "curiosity"]


def test_advice_names_what_costs_the_candidate_and_why() -> None:
    bank = stories.parse_bank(bank_text(
        story("team", ["ownership"], action="We migrated the platform and our team automated it."),
        story("vague", ["execution"], result="It went well and everyone was happy."),
        story("spoken", ["learning"], result="Errors fell by half within two weeks."),
    ).encode())
    notes = stories.advice(bank)
    assert any(n.startswith("the bank has 3 stories; aim for 7–10") for n in notes)
    assert any("stories[team].action says 'we' but never 'I'" in n for n in notes)
    assert any("stories[vague].result has no number" in n for n in notes)
    assert not any("seed" in n for n in notes), "internal source references are not for the candidate"
    assert not any("stories[spoken]" in n for n in notes), "numbers said as words count"
    assert sum(n.startswith("no story proves") for n in notes) == 4


MALFORMED = sorted(FIXTURES.glob("*.toml"))


@pytest.mark.parametrize("path", MALFORMED, ids=[p.stem for p in MALFORMED])
def test_each_malformed_bank_gives_exactly_its_expected_lines(path: Path) -> None:
    expected = [line.removeprefix("# expect: ") for line in path.read_text().splitlines()
                if line.startswith("# expect: ")]
    assert expected
    problems = stories.validate_bank_file(path)
    normalised = []
    for problem in problems:
        rest = problem[len(str(path)) + 1:]
        normalised.append(rest.strip() if rest[:1].isdigit() else f"-: {rest.strip()}")
    assert normalised == expected
    with pytest.raises(stories.StoryBankError):
        stories.load_bank(path)


def test_missing_default_bank_says_how_to_start() -> None:
    with pytest.raises(UserInputError, match="stories init"):
        stories.load_bank()


def test_unknown_story_suggests_the_closest() -> None:
    bank, _ = stories.load_bank(EXAMPLE)
    with pytest.raises(UserInputError, match="did you mean 'pipeline-speed'"):
        bank.story("pipeline-sped")


def test_cli_init_list_show_validate_coverage(capsys: pytest.CaptureFixture[str], data_home: Path) -> None:
    code, _, err = run_cli(capsys, "stories", "list")
    assert code == 2 and "stories init" in err and err.count("\n") == 1
    code, out, _ = run_cli(capsys, "stories", "init")
    target = data_home / "stories" / "stories.toml"
    assert code == 0 and target.read_bytes() == EXAMPLE.read_bytes()
    code, _, err = run_cli(capsys, "stories", "init")
    assert code == 2 and "already exists" in err
    code, out, _ = run_cli(capsys, "stories", "list")
    assert code == 0 and "pipeline-speed" in out and "Signals covered: 7 of 7" in out
    code, out, _ = run_cli(capsys, "stories", "show", "missed-migration-date")
    assert code == 0 and "Lesson:" in out and "Situation:" in out
    code, out, _ = run_cli(capsys, "stories", "show", "cost-review", "--json")
    assert code == 0 and json.loads(out)["signals"] == ["business-impact", "execution", "curiosity"]
    code, out, _ = run_cli(capsys, "stories", "validate")
    assert code == 0 and ": ok, 8 stories" in out
    code, out, _ = run_cli(capsys, "stories", "coverage", "--json")
    assert code == 0 and json.loads(out)["lacking"] == []


def test_cli_validate_reports_lacking_signals_and_problems(capsys: pytest.CaptureFixture[str],
                                                           tmp_path: Path) -> None:
    thin = tmp_path / "thin.toml"
    thin.write_text(bank_text(story("only", ["execution"])))
    code, out, _ = run_cli(capsys, "stories", "validate", str(thin))
    assert code == 0 and "Signals covered: 1 of 7" in out and "curiosity        0  LACKING" in out
    assert "Advice:" in out
    bad = FIXTURES / "unknown-signal.toml"
    code, out, _ = run_cli(capsys, "stories", "validate", "--file", str(bad))
    assert code == 2 and "(got 'teamwork')" in out
    code, out, _ = run_cli(capsys, "stories", "list", "--file", str(thin), "--json")
    assert code == 0 and json.loads(out)["coverage"]["covered"] == ["execution"]


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=600) | st.text(max_size=400).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_random_input_never_crashes_the_bank_loader(data: bytes) -> None:
    try:
        bank = stories.parse_bank(data, "random.toml")
    except stories.StoryBankError as error:
        assert error.problems and all(p.startswith("random.toml") and "\n" not in p for p in error.problems)
        return
    assert bank.stories and all(s.signals for s in bank.stories)


def test_the_story_example_in_the_readme_is_a_valid_bank() -> None:
    readme = (paths.project_root() / "question_packs" / "README.md").read_text()
    example = re.findall(r"```toml\n(.*?)```", readme, re.DOTALL)[1]
    assert stories.parse_bank(example.encode()).stories[0].id == "pipeline-speed"


def test_cli_validate_without_a_bank_says_how_to_start(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "stories", "validate")
    assert code == 2 and "stories init" in out + err and (out + err).count("\n") == 1


@pytest.mark.parametrize("kind", ["device", "fifo", "folder"])
def test_validate_refuses_what_is_no_file_without_reading_it(kind: str, tmp_path: Path) -> None:
    """`stories validate /dev/zero` or a pipe used to read until memory ran out, or wait forever."""
    import subprocess
    import sys

    target = {"device": Path("/dev/zero"), "fifo": tmp_path / "x.toml", "folder": tmp_path / "bank.toml"}[kind]
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "folder":
        target.mkdir()
    for command in (["stories", "validate", str(target)], ["packs", "validate", str(target)]):
        done = subprocess.run([sys.executable, "-m", "mockiv.cli", *command], capture_output=True, text=True,
                              timeout=60, env={**os.environ, "MOCKIV_HOME": str(tmp_path / "home")})
        output = done.stdout + done.stderr
        assert done.returncode == 2 and output.count("\n") == 1 and "Traceback" not in output, output
        if command[0] == "stories":  # packs refuse such paths by name already
            assert ("device or a pipe" if kind != "folder" else "is a folder") in output
