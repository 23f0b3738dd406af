"""Question packs: the shipped packs, the format's error messages, pack names, the CLI, and random input."""

from __future__ import annotations

import json
import math
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockiv import cli, packs, paths
from mockiv.core.transcript import Kind
from mockiv.errors import UserInputError

FIXTURES = Path(__file__).parent / "fixtures" / "packs"
SHIPPED = sorted((paths.project_root() / "question_packs").glob("*.toml"))
SEVEN_SIGNALS = ["ownership", "technical-depth", "execution", "leadership", "business-impact", "learning",
                 "curiosity"]


@pytest.fixture(autouse=True)
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("MOCKIV_HOME", str(home))
    paths.set_data_dir(None)
    return home


def expected_lines(path: Path) -> list[str]:
    text = path.read_bytes().decode("utf-8", "replace")
    return [line.removeprefix("# expect: ") for line in text.splitlines() if line.startswith("# expect: ")]


def normalised(problem: str, path: Path) -> str:
    """`FILE:12: where: what` -> `12: where: what`; `FILE: where: what` -> `-: where: what`."""
    assert problem.startswith(f"{path}:"), problem
    rest = problem[len(str(path)) + 1:]
    return rest.strip() if rest[:1].isdigit() else f"-: {rest.strip()}"


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- shipped packs ------------------------------------------------------------------------------------------------


def test_signals_are_exactly_the_seven_defined_once_as_data() -> None:
    assert packs.signal_ids() == SEVEN_SIGNALS
    for signal in packs.signals().values():
        assert signal.how_to_show and re.search(r"[Ss]eeds? 00\d", signal.source), signal


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_pack_validates(path: Path) -> None:
    assert packs.validate_pack_file(path) == []
    assert packs.load_pack(path.stem).id == path.stem


def test_at_least_six_shipped_packs_of_ten_questions_besides_the_default() -> None:
    full = [p for p in SHIPPED if p.stem != packs.DEFAULT_PACK_ID and len(packs.load_pack(p.stem).questions) >= 10]
    assert len(full) >= 6, [p.stem for p in full]


def test_the_shipped_packs_cover_every_kind_and_every_signal() -> None:
    questions = [q for p in SHIPPED for q in packs.load_pack(p.stem).questions]
    assert {q.kind for q in questions} == set(Kind)
    assert {q.signal for q in questions} == set(SEVEN_SIGNALS)


def test_the_default_pack_is_a_rounded_interview() -> None:
    pack = packs.load_pack(packs.DEFAULT_PACK_ID)
    assert 8 <= len(pack.questions) <= 10
    kinds = [q.kind for q in pack.questions]
    assert kinds[0] == Kind.INTRO and kinds[-1] == Kind.CLOSING
    assert len(set(kinds)) >= 5
    assert len({q.signal for q in pack.questions}) >= 6


def test_the_contract_pack_carries_seed_000s_probes() -> None:
    text = " ".join(q.text for q in packs.load_pack("cloud-platform-contract").questions).lower()
    for probe in ("what did you configure yourself", "how was governance structured", "escalation process",
                  "openshift", "kubernetes"):
        assert probe in text, probe


def test_the_closing_pack_tests_negotiating_too_early() -> None:
    pack = packs.load_pack("closing")
    assert all(q.kind == Kind.CLOSING for q in pack.questions)
    spoken = " ".join(q.text for q in pack.questions).lower()
    assert "day rate" in spoken and "contract terms" in spoken and "questions do you have" in spoken


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_questions_are_written_to_be_heard(path: Path) -> None:
    """The app speaks these aloud: no symbols a speech engine reads out, and each ends like a sentence."""
    pack = packs.load_pack(path.stem)
    for question in pack.questions:
        for spoken in [question.text, *question.follow_ups]:
            assert not re.search(r"[/()*`&#_\[\]{}<>]|\be\.g\.|\bi\.e\.|\betc\b", spoken), (question.id, spoken)
            assert spoken.rstrip()[-1] in ".?", (question.id, spoken)
        assert question.listen_for, question.id
        assert 30 <= question.time_budget_s <= 300


# --- malformed packs -------------------------------------------------------------------------------------------

MALFORMED = sorted(FIXTURES.glob("*.toml"))


@pytest.mark.parametrize("path", MALFORMED, ids=[p.stem for p in MALFORMED])
def test_each_malformed_pack_gives_exactly_its_expected_lines(path: Path) -> None:
    expected = expected_lines(path)
    assert expected, f"{path.name} has no '# expect:' line"
    problems = packs.validate_pack_file(path)
    assert [normalised(p, path) for p in problems] == expected
    with pytest.raises(packs.PackError) as raised:
        packs.load_pack(str(path))
    assert raised.value.problems == problems and raised.value.exit_code == 2


def test_the_fixtures_cover_every_kind_of_problem_the_issue_names() -> None:
    messages = " ".join(line for path in MALFORMED for line in expected_lines(path))
    for needle in ("unknown key", "duplicate id", "must not be empty", "must be between 10 and 900",
                   "TOML syntax", "not UTF-8", "must be one of", "required key is missing"):
        assert needle in messages, needle


def test_every_problem_is_reported_at_once_in_file_order(tmp_path: Path) -> None:
    path = tmp_path / "many.toml"
    path.write_text(
        'id = "many"\ntitle = "T"\ndescription = "D"\ntarget_role = "R"\nextra = 1\n'
        '[[questions]]\nid = "a"\ntext = ""\nkind = "intro"\nsignal = "ownership"\ntime_budget_s = 1\n'
        '[[questions]]\nid = "a"\ntext = "Why?"\nkind = "nope"\nsignal = "ownership"\ntime_budget_s = 60\n'
    )
    problems = packs.validate_pack_file(path)
    assert [p.split(":")[1] for p in problems] == ["5", "8", "11", "13", "15"]
    assert all(p.count("\n") == 0 for p in problems)


def test_oversized_pack_is_refused_before_parsing() -> None:
    with pytest.raises(packs.PackError, match="must be under 256 KiB"):
        packs.parse_pack(b"#" * (packs.MAX_PACK_BYTES + 1), "big.toml")


def test_a_byte_order_mark_is_accepted() -> None:
    data = (paths.project_root() / "question_packs" / "general.toml").read_bytes()
    assert packs.parse_pack(b"\xef\xbb\xbf" + data).id == "general"


def test_multi_line_text_is_spoken_as_one_line() -> None:
    data = (paths.project_root() / "question_packs" / "general.toml").read_text()
    data = data.replace('text = "Why this role, and why now?"', 'text = """Why this role,\n   and why now?"""')
    question = packs.parse_pack(data.encode()).question("why-this-role")
    assert question.text == "Why this role, and why now?"


# --- names and folders ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["../general", "..", "/etc/passwd", "general/../../x", "~root", "General",
                                  "a" * 65, "", "-x", "packs/general", "..\\general"])
def test_a_name_is_never_a_way_out_of_the_packs_folders(name: str) -> None:
    with pytest.raises(UserInputError, match=r"neither a pack name|the pack name is empty"):
        packs.load_pack(name)


def test_unknown_name_lists_what_exists() -> None:
    with pytest.raises(UserInputError, match=r"no pack named 'nope'; available: .*general"):
        packs.load_pack("nope")


def test_user_packs_are_listed_beside_shipped_ones_and_may_replace_them(data_home: Path) -> None:
    user = packs.user_dir()
    (user / "mine.toml").write_text((paths.project_root() / "question_packs" / "general.toml").read_text()
                                    .replace('id = "general"', 'id = "mine"'))
    (user / "general.toml").write_text((paths.project_root() / "question_packs" / "general.toml").read_text()
                                       .replace('title = "General interview', 'title = "My general interview'))
    (user / "broken.toml").write_text('id = "broken"\n')
    infos = {info.id: info for info in packs.list_packs()}
    assert infos["mine"].source == "user" and infos["mine"].valid
    assert infos["general"].source == "user" and infos["general"].replaces_shipped
    assert packs.load_pack("general").title.startswith("My general interview")
    assert infos["behavioral-star"].source == "shipped"
    assert not infos["broken"].valid and any("title: required key is missing" in p for p in infos["broken"].problems)
    assert str(user).startswith(str(data_home))


def test_a_symlink_out_of_the_user_folder_is_not_a_pack(tmp_path: Path) -> None:
    outside = tmp_path / "outside.toml"
    outside.write_text((paths.project_root() / "question_packs" / "general.toml").read_text()
                       .replace('id = "general"', 'id = "escape"'))
    (packs.user_dir() / "escape.toml").symlink_to(outside)
    assert "escape" not in {info.id for info in packs.list_packs()}
    with pytest.raises(UserInputError, match="no pack named 'escape'"):
        packs.load_pack("escape")


def test_an_explicit_path_must_be_an_existing_toml_file(tmp_path: Path) -> None:
    with pytest.raises(UserInputError, match="no such pack file"):
        packs.load_pack(str(tmp_path / "missing.toml"))
    with pytest.raises(UserInputError, match="neither a pack name"):
        packs.load_pack(str(tmp_path / "notes.txt"))


# --- the CLI -----------------------------------------------------------------------------------------------------


def test_cli_list_table_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "packs", "list")
    assert code == 0 and "general" in out and "(default)" in out and "cloud-platform-contract" in out
    code, out, _ = run_cli(capsys, "packs", "list", "--json")
    listed = json.loads(out)
    assert code == 0 and {p["id"] for p in listed} >= {p.stem for p in SHIPPED}
    assert [p["default"] for p in listed if p["id"] == "general"] == [True]


def test_cli_show_table_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "packs", "show", "failure-stories")
    assert code == 0 and "Tell me about the biggest mistake you have made at work." in out
    code, out, _ = run_cli(capsys, "packs", "show", "general", "--json")
    shown = json.loads(out)
    assert code == 0 and shown["id"] == "general" and shown["questions"][0]["kind"] == "intro"
    assert shown["source"] == "shipped" and shown["total_time_s"] > 0


def test_cli_show_refuses_a_traversal_name_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "packs", "show", "../../etc/passwd")
    assert code == 2 and out == "" and err.count("\n") == 1 and "Traceback" not in err


def test_cli_validate(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "packs", "validate", str(SHIPPED[0]), "general")
    assert code == 0 and out.count(": ok") == 2
    bad = FIXTURES / "budget-too-small.toml"
    code, out, err = run_cli(capsys, "packs", "validate", str(bad))
    assert code == 2 and err == ""
    assert out.strip() == f"{bad}:13: questions[0] (id=first).time_budget_s: must be between 10 and 900 seconds (got 5)"


def test_cli_schema_is_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "packs", "schema")
    schema = json.loads(out)
    assert code == 0 and "questions" in schema["properties"] and "Question" in schema["$defs"]


# --- random input: a UserInputError or a valid pack, never a traceback --------------------------------------------


def _toml_string(text: str) -> str:
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_string(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"


def toml_document(table: dict[str, Any]) -> str:
    return "".join(f"{_toml_key(k)} = {_toml_value(v)}\n" for k, v in table.items())


FIELD_NAMES = [*packs.Pack.model_fields, *packs.Question.model_fields]
keys = st.one_of(st.sampled_from(FIELD_NAMES), st.text(min_size=1, max_size=12))
scalars = st.one_of(
    st.booleans(), st.integers(min_value=-(2**63), max_value=2**63 - 1), st.floats(), st.text(max_size=40),
    st.sampled_from([k.value for k in Kind] + SEVEN_SIGNALS + ["", " ", "intro ", "Ownership"]),
)
toml_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5), max_leaves=25
)
BASE = tomllib.loads((paths.project_root() / "question_packs" / "general.toml").read_text())


def check_outcome(data: bytes) -> packs.Pack | None:
    """The loader's contract: a valid pack, or a PackError whose every line names the file."""
    try:
        pack = packs.parse_pack(data, "random.toml")
    except packs.PackError as error:
        assert error.problems and all(p.startswith("random.toml") for p in error.problems)
        assert all("\n" not in p for p in error.problems)
        return None
    assert isinstance(pack, packs.Pack)
    return pack


def assert_sound(pack: packs.Pack) -> None:
    """Whatever the loader accepts obeys the format's rules."""
    assert packs.NAME_PATTERN.fullmatch(pack.id)
    assert len({q.id for q in pack.questions}) == len(pack.questions)
    for question in pack.questions:
        assert question.text.strip() and question.signal in SEVEN_SIGNALS and isinstance(question.kind, Kind)
        assert 10 <= question.time_budget_s <= 900 and 0 <= question.thinking_time_s <= 120


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=600))
def test_random_bytes_never_crash_the_loader(data: bytes) -> None:
    check_outcome(data)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_random_text_never_crashes_the_loader(text: str) -> None:
    check_outcome(text.encode("utf-8", "surrogatepass"))


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(keys, toml_values, max_size=8))
def test_random_toml_documents_never_crash_the_loader(table: dict[str, Any]) -> None:
    document = toml_document(table)
    assert tomllib.loads(document) is not None  # the generator writes valid TOML
    pack = check_outcome(document.encode())
    if pack is not None:
        assert_sound(pack)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_mutated_real_packs_give_a_sound_pack_or_clear_problems(data: st.DataObject) -> None:
    table = json.loads(json.dumps(BASE))
    questions = table["questions"]
    for _ in range(data.draw(st.integers(1, 3))):
        target = data.draw(st.sampled_from(["top", "question"]))
        node = table if target == "top" else questions[data.draw(st.integers(0, len(questions) - 1))]
        key = data.draw(st.sampled_from(sorted(node)) | keys)
        if data.draw(st.booleans()):
            node.pop(key, None)
        else:
            node[key] = data.draw(toml_values)
    pack = check_outcome(toml_document(table).encode())
    if pack is not None:
        assert_sound(pack)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=80))
def test_random_pack_names_only_ever_raise_user_errors(name: str) -> None:
    try:
        pack = packs.load_pack(name)
    except UserInputError:
        return
    assert packs.NAME_PATTERN.fullmatch(name) and pack.id == name


def test_the_format_example_in_the_readme_is_a_valid_pack(tmp_path: Path) -> None:
    readme = (paths.project_root() / "question_packs" / "README.md").read_text()
    example = re.findall(r"```toml\n(.*?)```", readme, re.DOTALL)[0]
    path = tmp_path / "my-pack.toml"
    path.write_text(example)
    assert packs.validate_pack_file(path) == []


def test_terminal_escapes_in_a_question_are_refused_and_never_printed_raw(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "escape.toml"
    path.write_text('id = "escape"\ntitle = "T"\ndescription = "D"\ntarget_role = "R"\n'
                    '[[questions]]\nid = "a"\ntext = "Why us?\\u001b[2J\\u001b]0;pwned\\u0007"\nkind = "intro"\n'
                    'signal = "ownership"\ntime_budget_s = 60\n')
    (problem,) = packs.validate_pack_file(path)
    assert "control characters" in problem and "\\x1b" in problem and "\x1b" not in problem
    assert cli.main(["packs", "validate", str(path)]) == 2
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and out.count("\n") == 1
