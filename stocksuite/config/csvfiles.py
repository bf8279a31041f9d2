"""CSV files: strict input (a header of known columns, each row validated, every bad row
named) and plain output.

Nothing is acted on until the whole file has been read: a bad row (or a duplicate key) is
reported as ``file:line: reason``, all of them at once, and the caller gets no rows at all.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from stocksuite.config.errors import StockSuiteError

T = TypeVar("T")
MAX_SHOWN = 50


class CsvError(StockSuiteError):
    """The CSV has bad rows; nothing was done with any of them."""

    outcome = "nothing sent"

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = "\n".join(problems[:MAX_SHOWN])
        more = f"\n... and {len(problems) - MAX_SHOWN} more" if len(problems) > MAX_SHOWN else ""
        super().__init__(f"{len(problems)} bad row(s), {self.outcome}:\n{shown}{more}")


def read_rows(path: Path, required: tuple[str, ...], optional: tuple[str, ...],
              parse: Callable[[dict[str, str], int], T], key: Callable[[T], str] | None = None,
              key_name: str = "key", error: type[CsvError] = CsvError) -> list[T]:  # fmt: skip
    """Every row of ``path`` through ``parse(row, line)`` (which raises ValueError for a bad
    row); rows with the same ``key`` are refused after the first. Raises ``error`` listing every
    problem, or returns all rows."""
    problems: list[str] = []
    rows: list[T] = []
    seen: dict[str, int] = {}
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as err:
        raise error([f"{path}: cannot read ({err.strerror})"]) from err
    with handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in required if c not in header]
        unknown = [c for c in header if c not in required + optional]
        if missing or unknown:
            what = "; ".join(filter(None, [missing and f"missing column(s) {', '.join(missing)}",
                                           unknown and f"unknown column(s) {', '.join(unknown)}"]))  # fmt: skip
            raise error([f"{path}:1: {what}"])
        reader.fieldnames = header
        for raw in reader:
            line = reader.line_num
            try:
                if None in raw or any(raw.get(c) is None for c in required):
                    raise ValueError("wrong number of fields")
                row = parse(raw, line)
            except ValueError as err:
                problems.append(f"{path}:{line}: {err}")
                continue
            if key is not None:
                value = key(row)
                if value in seen:
                    problems.append(f"{path}:{line}: duplicate {key_name} {value} (first on line {seen[value]})")
                    continue
                seen[value] = line
            rows.append(row)
    if problems:
        raise error(problems)
    return rows


def write_rows(path: Path, columns: tuple[str, ...], rows: Iterable[dict[str, str]],
               error: type[StockSuiteError] = StockSuiteError) -> None:  # fmt: skip
    """A header of ``columns`` and the ``rows``; raises ``error`` naming the file it cannot write."""
    try:
        with path.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    except OSError as err:
        raise error(f"{path}: cannot write ({err.strerror})") from err
