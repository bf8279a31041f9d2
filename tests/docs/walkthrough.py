"""Reading a docs page's commands, to run them as written."""

from __future__ import annotations

import shlex

from tests.helpers import PROJECT_ROOT


def page_commands(page: str, leave_out: tuple[str, ...] = ()) -> list[list[str]]:
    """The commands of the page's bash blocks in order, split as a shell splits them (comments
    dropped); blocks under a heading named in ``leave_out`` are left out."""
    commands: list[list[str]] = []
    heading, fence = "", None
    for line in (PROJECT_ROOT / "docs" / page).read_text().splitlines():
        if line.startswith("```"):
            fence = line[3:].strip() if fence is None else None
        elif fence is None and line.startswith("#"):
            heading = line.lstrip("#").strip()
        elif fence == "bash" and heading not in leave_out and (words := shlex.split(line, comments=True)):
            commands.append(words)
    return commands
