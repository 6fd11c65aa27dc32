"""The project's own files agree: environment.yml lists what pyproject.toml lists; the README's commands exist."""

from __future__ import annotations

import re
import tomllib

import yaml

from conftest import PROJECT_DIR


def normalise(requirement: str) -> str:
    name = re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {normalise(r) for r in project["dependencies"]}
    wanted |= {normalise(r) for r in project["optional-dependencies"]["test"]}
    environment = yaml.safe_load((PROJECT_DIR / "environment.yml").read_text(encoding="utf-8"))
    listed = {normalise(d) for d in environment["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    assert listed == wanted
    pip_part = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    assert pip_part == ["-e ."]


def test_the_ci_script_runs_the_readme_test_command():
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    ci = (PROJECT_DIR / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in readme and "make test" in ci
    assert "make all" in readme


def test_processed_data_is_not_committed_but_documented():
    ignore = (PROJECT_DIR / ".gitignore").read_text(encoding="utf-8")
    assert "/data/processed/*" in ignore
    assert (PROJECT_DIR / "data" / "processed" / "README.md").is_file()
