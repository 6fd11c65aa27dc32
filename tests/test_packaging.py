"""The project's own files agree: the lock, pyproject.toml and environment.yml; one version; the README's commands."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from conftest import PROJECT_DIR

LOCK = PROJECT_DIR / "requirements.lock"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: The one platform the lock is resolved for (see `make lock`).
LOCKED_PLATFORM = {"python_version": "3.11", "python_full_version": "3.11.0", "sys_platform": "linux",
                   "platform_system": "Linux", "platform_machine": "x86_64", "os_name": "posix",
                   "implementation_name": "cpython", "platform_python_implementation": "CPython"}


def read_lock(path: Path = LOCK) -> dict[str, tuple[Version, list[str]]]:
    """The lock's pins: canonical name -> (version, its sha256 hashes)."""
    pins: dict[str, tuple[Version, list[str]]] = {}
    name = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if pin := re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", line):
            name = canonicalize_name(pin[1])
            assert name not in pins, f"{path.name}: {name} is pinned twice"
            pins[name] = (Version(pin[2]), [])
        elif name and (digest := re.search(r"--hash=sha256:([0-9a-f]{64})", line)):
            pins[name][1].append(digest[1])
    return pins


def project_requirements() -> list[Requirement]:
    """Every requirement pyproject.toml states: dependencies, all extras, all dependency groups."""
    pyproject = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8"))
    listed = list(pyproject["project"]["dependencies"])
    for extra in pyproject["project"]["optional-dependencies"].values():
        listed += extra
    for group in pyproject.get("dependency-groups", {}).values():
        listed += [entry for entry in group if isinstance(entry, str)]
    return [Requirement(entry) for entry in listed]


def test_read_lock_parses_pins_and_hashes(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("# made by a tool\nNumPy==2.1.0 \\\n    --hash=sha256:" + "a" * 64 + " \\\n"
                    "    --hash=sha256:" + "b" * 64 + "\n    # via pandas\nzipp==3.0\n", encoding="utf-8")
    assert read_lock(lock) == {"numpy": (Version("2.1.0"), ["a" * 64, "b" * 64]), "zipp": (Version("3.0"), [])}


def test_the_lock_pins_every_requirement_within_its_pyproject_range():
    pins = read_lock()
    outside = []
    for requirement in project_requirements():
        if requirement.marker and not requirement.marker.evaluate(LOCKED_PLATFORM):
            continue
        name = canonicalize_name(requirement.name)
        if name not in pins:
            outside.append(f"{requirement}: not in {LOCK.name}")
        elif not requirement.specifier.contains(pins[name][0], prereleases=True):
            outside.append(f"{requirement}: {LOCK.name} pins {pins[name][0]}")
    assert not outside, "run `make lock`:\n" + "\n".join(outside)


def test_every_pin_in_the_lock_has_a_hash():
    pins = read_lock()
    assert len(pins) > len(project_requirements())  # transitive dependencies are pinned too
    assert [name for name, (_, hashes) in pins.items() if not hashes] == []


def test_environment_yml_pins_what_the_lock_pins():
    environment = yaml.safe_load((PROJECT_DIR / "environment.yml").read_text(encoding="utf-8"))
    conda = [d for d in environment["dependencies"] if isinstance(d, str)]
    assert conda == ["python=3.11", "pip"]
    pip_part = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    assert pip_part[-1] == "-e ."
    listed = {}
    for entry in pip_part[:-1]:
        name, _, version = entry.partition("==")
        listed[canonicalize_name(name)] = Version(version)
    assert listed == {name: version for name, (version, _) in read_lock().items()}


def test_the_version_is_written_once_and_cited_alike():
    import analysis

    pyproject = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" in pyproject["project"]["dynamic"] and "version" not in pyproject["project"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "analysis.__version__"}
    citation = yaml.safe_load((PROJECT_DIR / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["version"] == analysis.__version__
    changelog = (PROJECT_DIR / "CHANGELOG.md").read_text(encoding="utf-8")
    latest = re.search(r"^## \[(\d[^\]]*)\] - (\d{4}-\d{2}-\d{2})$", changelog, re.MULTILINE)
    assert latest and latest[1] == analysis.__version__
    assert str(citation["date-released"]) == latest[2]


def test_citation_cff_is_valid_cff_1_2_and_cites_each_data_source():
    import json

    import jsonschema

    schema = json.loads((FIXTURES / "citation" / "schema-1.2.0.json").read_text(encoding="utf-8"))
    citation = yaml.safe_load((PROJECT_DIR / "CITATION.cff").read_text(encoding="utf-8"))
    errors = [f"{list(e.path)}: {e.message}" for e in jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.FormatChecker()).iter_errors(citation)]
    assert not errors, "\n".join(errors)
    pyproject = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8"))
    assert citation["license"] == pyproject["project"]["license"]
    notes = " ".join(reference.get("notes", "") for reference in citation["references"])
    folders = sorted(source.parent.name for source in (PROJECT_DIR / "data" / "raw").glob("*/SOURCE.md"))
    assert folders
    uncited = [folder for folder in folders if f"data/raw/{folder}/" not in notes]
    assert not uncited, f"CITATION.cff: no reference whose notes name these data folders: {uncited}"


def test_the_ci_script_runs_the_readme_test_command():
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    ci = (PROJECT_DIR / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in readme and "make test" in ci
    assert "make all" in readme


def test_processed_data_is_not_committed_but_documented():
    ignore = (PROJECT_DIR / ".gitignore").read_text(encoding="utf-8")
    assert "/data/processed/*" in ignore
    assert (PROJECT_DIR / "data" / "processed" / "README.md").is_file()
