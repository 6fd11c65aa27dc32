"""Every number quoted in a notebook's prose appears in that notebook's outputs or code.

The worked solutions of the exercises (`notebooks/solutions/`) are checked like the notebooks.

A number in a Markdown cell must equal, after rounding to the decimals the prose gives, a number in
one of the notebook's cell outputs or code cells. Exempt, because they are not findings:

- numbers in inline code, years (1900-2100), rate units ("per 10,000 tokens"), an interval's level
  ("95 % interval"), pages and chapters of a reference ("pp. 181-185", "ch. 15"), names ("SHA-256"),
  dates ("February 24"), notebook numbers ("notebook 03") and a title's number;
- numbers listed in the cell in a comment ``<!-- numbers from outside: ... -->``, which says where
  each comes from (a reference, or the arithmetic on numbers shown).

A failure names the notebook, the cell and each number that no output shows, so that a notebook whose
outputs changed can be brought back in line with its prose.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

_NOTEBOOKS_DIR = Path(__file__).parent.parent / "notebooks"
#: The notebooks and the worked solutions of their exercises.
NOTEBOOKS = sorted(_NOTEBOOKS_DIR.glob("*.ipynb")) + sorted((_NOTEBOOKS_DIR / "solutions").glob("*.ipynb"))
_NUMBER = re.compile(r"(?<![\w.,])[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w])")
_EXEMPT_COMMENT = re.compile(r"<!--\s*numbers from outside:(.*?)-->", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_NOT_FINDINGS = [
    re.compile(r"`[^`]*`"),                                   # inline code
    re.compile(r"\]\([^)]*\)"),                               # link targets
    re.compile(r"\bper\s+\d{1,3}(?:,\d{3})*(?:\s+or\s+\d{1,3}(?:,\d{3})*)?", re.I),  # rate units
    re.compile(r"\b(?:SHA|COVID|Type)[- ]\d+"),                # names: SHA-256, COVID-19, Type 42 fonts
    re.compile(r"\b\d+\s*%\s*(?:confidence\s+)?intervals?\b"),    # an interval's level
    re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)"
               r"\s+\d{1,2}\b"),                               # dates
    re.compile(r"\b(?:pp?|ch|no|vol)\.\s*\d+(?:\s*[–-]\s*\d+)?"),  # pages and chapters
    re.compile(r"\bnotebooks?\s+\d+(?:\s*(?:[–-]|and|,)\s*\d+)*", re.I),
    re.compile(r"^#+\s*\d+\b\.?", re.M),                      # a title's number
    re.compile(r"\b\d{2}[-–·]\w"),                            # file names such as 03-sanctions
]


def _numbers(text: str) -> list[str]:
    return [m.group().replace(",", "").replace("−", "-") for m in _NUMBER.finditer(text)]


def _decimals(number: str) -> int:
    return len(number.split(".")[1]) if "." in number else 0


def _is_year(number: str) -> bool:
    return "." not in number and 1900 <= abs(int(number)) <= 2100


def _shown(notebook: dict) -> list[float]:
    """Every number of the notebook's outputs and code cells."""
    found = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        found += _numbers("".join(cell["source"]).replace("_", ""))
        for output in cell.get("outputs", []):
            text = output.get("text") or output.get("data", {}).get("text/plain") or ""
            found += _numbers("".join(text))
    return [float(number) for number in found]


def missing_numbers(notebook: dict) -> list[tuple[int, str]]:
    """``(cell index, number)`` for each number of the prose that no output or code cell shows."""
    shown = _shown(notebook)
    missing = []
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"])
        exempt = {float(n) for comment in _EXEMPT_COMMENT.findall(text) for n in _numbers(comment)}
        text = _COMMENT.sub(" ", text)
        for pattern in _NOT_FINDINGS:
            text = pattern.sub(" ", text)
        for number in _numbers(text):
            value, places = float(number), _decimals(number)
            if _is_year(number) or value in exempt:
                continue
            if not any(round(abs(x), places) == abs(value) for x in shown):
                missing.append((index, number))
    return missing


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_number_in_the_prose_is_in_an_output(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    missing = missing_numbers(notebook)
    assert not missing, f"{path.name}: numbers in the prose that no output shows (cell, number): {missing}"


def test_the_check_finds_a_number_no_output_shows():
    notebook = {"cells": [
        {"cell_type": "code", "source": ["x = 3"], "outputs": [{"text": ["count  41\nrate  8.862\n"]}]},
        {"cell_type": "markdown", "source": ["41 matches, 8.86 per 10,000 tokens (8.9), in 2012; p. 263"]},
        {"cell_type": "markdown", "source": ["<!-- numbers from outside: 7 (Smith 2001) -->\n7 of them, and 11"]},
    ]}
    assert missing_numbers(notebook) == [(2, "11")]
