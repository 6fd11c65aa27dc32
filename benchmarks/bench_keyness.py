"""Time keyness over every term against the time scikit-learn's CountVectorizer takes to count the texts.

Run: .venv/bin/python benchmarks/bench_keyness.py

Two comparisons: the interview against Russia's UN General Debate statements, and all
Russian against all US statements. Texts are read straight from data/raw (UTF-8, byte-order
mark removed) and counted with CountVectorizer's default tokenisation; keyness is then
computed for every term of the two count Series. Each step is timed several times and the
fastest run is reported. Target: keyness under a tenth of the counting time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer

from analysis.config import RAW_DIR
from analysis.stats import keyness

REPEATS = 7


def read_texts(paths: list[Path]) -> list[str]:
    return [path.read_text(encoding="utf-8-sig") for path in paths]


def count_texts(texts: list[str]) -> pd.Series:
    """Term counts of a list of texts (one corpus) with CountVectorizer."""
    vectorizer = CountVectorizer()
    matrix = vectorizer.fit_transform(texts)
    totals = np.asarray(matrix.sum(axis=0)).ravel()
    return pd.Series(totals, index=vectorizer.get_feature_names_out())


def fastest(step: Callable[[], object]) -> tuple[float, object]:
    """Best wall time in seconds over REPEATS runs, and the step's result."""
    times, result = [], None
    for _ in range(REPEATS):
        started = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - started)
    return min(times), result


def compare(name: str, target_texts: list[str], reference_texts: list[str]) -> None:
    count_time, (target, reference) = fastest(lambda: (count_texts(target_texts), count_texts(reference_texts)))
    keyness_time, table = fastest(lambda: keyness(target, reference))
    ratio = keyness_time / count_time
    print(f"{name}")
    print(f"  texts: {len(target_texts)} vs {len(reference_texts)}; tokens: {int(target.sum()):,} vs "
          f"{int(reference.sum()):,}; terms scored: {len(table):,}")
    print(f"  CountVectorizer counting: {count_time * 1e3:8.1f} ms")
    print(f"  keyness (all terms):      {keyness_time * 1e3:8.1f} ms")
    print(f"  ratio keyness / counting: {ratio:8.3f}  (target < 0.1: {'met' if ratio < 0.1 else 'NOT met'})")


def main() -> None:
    ungdc = RAW_DIR / "ungdc" / "rus_usa_can_1992_2024"
    interview = read_texts([RAW_DIR / "interview" / "darchiev-interfax.txt"])
    russia = read_texts(sorted(ungdc.glob("RUS_*.txt")))
    usa = read_texts(sorted(ungdc.glob("USA_*.txt")))
    print(f"fastest of {REPEATS} runs each")
    compare("interview vs Russia's UN statements", interview, russia)
    compare("Russia's vs the USA's UN statements", russia, usa)


if __name__ == "__main__":
    main()
