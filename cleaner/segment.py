"""Text in, lines out: the unit the line model labels.

A line ends at LF, CRLF or CR, as in Python's universal newlines (`open()` in text mode) and
as a file is read everywhere else. Other characters that `str.splitlines()` also breaks at
(VT, FF, FS/GS/RS, NEL, U+2028, U+2029) stay inside their line: scraped text carries them
inside paragraphs, and `Result.text` joins lines with LF alone, so that splitting it again
by this rule gives back the same lines.
"""

from __future__ import annotations

#: The line endings, longest first so that CRLF is one break, not two.
LINE_BREAKS: tuple[str, ...] = ("\r\n", "\r", "\n")


def split_lines(text: str) -> list[str]:
    """One entry per input line, blank ones too, so every input line gets a label.

    Only line breaks are touched; a final line break ends the last line rather than opening
    an empty one. So a text has as many lines as line breaks, plus one if it does not end
    with a break; an empty text has none.
    """
    if not text:
        return []
    for brk in LINE_BREAKS[:-1]:
        text = text.replace(brk, "\n")
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    return lines
