"""The package's documented errors: one clear message naming the file (and line)."""

from __future__ import annotations

from pathlib import Path


class AnalysisError(Exception):
    """Base class of every error the package raises on purpose."""


class InputError(AnalysisError, ValueError):
    """A file or text that cannot be read, decoded or parsed.

    The message names the file and, where it helps, the line::

        InputError: data/raw/x.txt: the file is empty
        InputError: my.dic, line 4: category 7 is not declared
    """

    def __init__(self, path: str | Path | None, message: str, *, line: int | None = None):
        self.path = None if path is None else str(path)
        self.line = line
        self.reason = message
        where = self.path or "<text>"
        if line is not None:
            where = f"{where}, line {line}"
        super().__init__(f"{where}: {message}")


class UnknownNameError(AnalysisError, LookupError):
    """A document, layer or label the corpus does not have; the message names the nearest ones."""


class RawDataChangedError(InputError):
    """A raw file's checksum no longer matches the manifest."""
