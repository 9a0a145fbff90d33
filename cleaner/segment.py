"""Text in, lines out: the unit the line model labels."""

from __future__ import annotations


def split_lines(text: str) -> list[str]:
    """One entry per input line, blank ones too, so every input line gets a label.

    Only line breaks are touched (CRLF and CR become LF); a final line break ends the last
    line rather than opening an empty one.
    """
    if not text:
        return []
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    return lines
