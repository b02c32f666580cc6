"""One escaping function per output format, for every string a submission controls.

File and folder names, test messages, captured output and finding details all
come from candidate code or candidate files. Rendered raw, a newline in a
folder name prints a second ``SCORE 100.0 / 100  PASS`` line under a real
0.0, ``<img>`` in a file name renders in a CI job summary, and terminal
escape sequences repaint the reviewer's terminal. Every renderer passes such
strings through the function for its format, and nothing else:

- ``text``: one line of a terminal scorecard (``text_lines`` for several);
- ``markdown`` and ``markdown_code``: inline text and code spans in GitHub markdown;
- ``html``: text and attribute values in HTML;
- ``xml``: text and attribute values for ElementTree (which escapes markup itself);
- ``unicode_safe``: strings for JSON (which escapes the rest itself).

All of them first make the string valid Unicode: a file name with bytes that
are not UTF-8 arrives with lone surrogates (``os.fsdecode``), which no encoder
writes. Such bytes are shown as ``\\xff``, the way Python shows them.
"""

from __future__ import annotations

import html as _html
import re
import unicodedata
from typing import Any

#: Lone surrogates: undecodable bytes of a file name (surrogateescape).
_SURROGATES = re.compile("[\ud800-\udfff]")
#: Shown escaped in text and markdown: every control and format character (C0, DEL, C1,
#: bidi overrides, zero-width joiners: category C*), except a space.
_CONTROL_CATEGORIES = ("Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp")
#: What XML 1.0 forbids even escaped.
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: ASCII punctuation that can start inline markup (emphasis, code, links: ``(`` only counts
#: after ``]``), end a table cell, or start raw HTML or an entity; a backslash makes each
#: literal (CommonMark). Line-start markup (``#``, ``-``) cannot occur: the text is inline.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~<>&])")


def unicode_safe(text: str) -> str:
    """``text`` as valid Unicode: the bytes behind lone surrogates shown as ``\\xNN``."""
    if not _SURROGATES.search(text):
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _visible(char: str) -> str:
    if char == " " or unicodedata.category(char) not in _CONTROL_CATEGORIES:
        return char
    code = ord(char)
    return (
        f"\\x{code:02x}"
        if code < 0x100
        else f"\\u{code:04x}"
        if code < 0x10000
        else f"\\U{code:08x}"
    )


def text(value: Any) -> str:
    """One line of terminal text: no newline, no control or escape character survives."""
    raw = unicode_safe(str(value))
    if raw.isprintable():
        return raw
    return "".join(_visible(c) for c in raw)


def text_lines(value: Any) -> list[str]:
    """Several lines of terminal text (a message), each escaped as ``text``."""
    return [text(line) for line in unicode_safe(str(value)).splitlines()]


def markdown(value: Any) -> str:
    """Inline markdown text (a table cell, a list item): one line, no markup, no raw HTML."""
    one_line = " ".join(unicode_safe(str(value)).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text(one_line))


def markdown_code(value: Any) -> str:
    """A code span: fenced by more backticks than any run inside; pipes escaped for tables."""
    shown = text(" ".join(unicode_safe(str(value)).split())).replace("|", "\\|")
    longest = max((len(run) for run in re.findall("`+", shown)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if shown.startswith("`") or shown.endswith("`") else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


def html(value: Any) -> str:
    """Text or an attribute value in HTML."""
    return _html.escape(_XML_INVALID.sub("\ufffd", unicode_safe(str(value))), quote=True)


def xml(value: Any) -> str:
    """Text or an attribute value for ElementTree, which escapes ``<``, ``&`` and quotes."""
    return _XML_INVALID.sub("\ufffd", unicode_safe(str(value)))


def json_safe(data: Any) -> Any:
    """A JSON-ready structure whose every string (keys included) is ``unicode_safe``."""
    if isinstance(data, str):
        return unicode_safe(data)
    if isinstance(data, dict):
        return {json_safe(k): json_safe(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [json_safe(v) for v in data]
    return data
