"""pyproject declares every package mockiv imports, and the installed versions (the ones the suite runs
against) are inside the declared ranges."""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def requirements(group: str | None = None) -> list[Requirement]:
    lines = PROJECT["dependencies"] if group is None else PROJECT["optional-dependencies"][group]
    return [Requirement(line) for line in lines]


def normalised(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def imported_modules(paths: list[Path]) -> set[str]:
    """Top-level names of the absolute imports in these modules."""
    names: set[str] = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in ("mockiv", "__future__")}


def test_every_import_is_declared() -> None:
    runtime = {normalised(r.name) for r in requirements()}
    dev = runtime | {normalised(r.name) for r in requirements("dev")}
    distributions = metadata.packages_distributions()
    shipped = sorted((REPO / "mockiv").rglob("*.py"))
    support = sorted((REPO / "tests" / "support").rglob("*.py"))  # test and bench tools may use the dev extras
    for paths, allowed in ((shipped, runtime), (support, dev)):
        # The installed package never imports the tests (their support imports itself as `tests.support`).
        imported = imported_modules(paths) - ({"tests"} if paths is support else set())
        for module in sorted(imported):
            owners = {normalised(d) for d in distributions.get(module, [])}
            assert owners & allowed, f"{module} (from {sorted(owners) or 'no installed package'}) is not declared"


def test_the_installed_versions_are_inside_the_declared_ranges() -> None:
    for requirement in requirements() + requirements("dev"):
        installed = metadata.version(requirement.name)
        assert requirement.specifier.contains(installed, prereleases=True), f"{requirement}: {installed} installed"
