"""Project paths, found from the package's location (never from the working directory)."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
LEXICON_DIR = PACKAGE_DIR / "lexicons"
STYLE_FILE = PACKAGE_DIR / "paper.mplstyle"


def _find_project_root() -> Path:
    """The folder holding ``pyproject.toml`` and ``data/`` above the package.

    ``ANALYSIS_PROJECT_ROOT`` overrides the search (useful when the package is
    installed outside its repository).
    """
    override = os.environ.get("ANALYSIS_PROJECT_ROOT")
    if override:
        return Path(override).resolve()
    for folder in PACKAGE_DIR.parents:
        if (folder / "pyproject.toml").is_file() and (folder / "data").is_dir():
            return folder
    return Path.cwd().resolve()


PROJECT_ROOT = _find_project_root()
DATA_DIR = PROJECT_ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
PROCESSED_DIR = DATA_DIR / "processed"
REPORTS_DIR = PROJECT_ROOT / "reports"
FIGURES_DIR = REPORTS_DIR / "figures"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
MANIFEST_FILE = RAW_DIR / "manifest.csv"
