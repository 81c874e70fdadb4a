"""Writing values into cells so that text from the data stays the text it is.

openpyxl turns a string that starts with ``=`` into a formula and ``#N/A`` into an error
value, and refuses control characters (an XML file cannot hold them). Names come from the
economist's files: ``=HYPERLINK("http://x","click")`` as a category name must be shown as
written, not run, and an ESC in a name must not stop the workbook being written. Every cell
our workbooks fill from data goes through :func:`put`; the few formulas written on purpose
(the year headings of a budget template) are set directly.
"""

from __future__ import annotations

import re

# Excel keeps at most 32 767 characters in a cell.
MAX_TEXT = 32767
# Characters XML 1.0 cannot hold (tab, line feed and carriage return it can), lone surrogates
# (not UTF-8) and the two non-characters U+FFFE and U+FFFF.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A cell starting with these is a formula to Excel when typed or edited.
_FORMULA_START = ("=", "+", "-", "@")


def _shown(match: re.Match) -> str:
    code = ord(match.group())
    # a control character as its symbol (ESC as ␛, BEL as ␇): visible, and kept in place
    return chr(0x2400 + code) if code < 0x20 else "\ufffd"


def excel_text(text: str) -> str:
    """``text`` as a cell can hold it: control characters shown as their symbols, a lone
    surrogate or a non-character as U+FFFD, and text beyond 32 767 characters cut with a
    visible "…" (Excel would refuse or cut it silently).

    >>> excel_text("Нас\\x1b[31mеление\\x07")
    'Нас␛[31mеление␇'
    """
    text = _UNSTORABLE.sub(_shown, text)
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 1] + "…"
    return text


def put(cell, value):
    """Write ``value`` into ``cell``: numbers, dates and booleans as they are, text always as
    text (never a formula or an error value), with the quote prefix Excel gives text typed
    with a leading apostrophe, so that it stays text when the cell is edited. Returns the cell."""
    if not isinstance(value, str):
        cell.value = value
        return cell
    text = excel_text(value)
    cell.value = text
    cell.data_type = "s"  # openpyxl made "=..." a formula and "#N/A" an error value
    if text.startswith(_FORMULA_START):
        cell.quotePrefix = True
    return cell
