"""Reading CSV tables the way municipal offices save them.

Excel in a Russian or Kyrgyz Windows saves "CSV" in Windows-1251 with ``;`` between cells,
newer versions in UTF-8 with a byte-order mark, "Unicode text" in UTF-16 with tabs; files
from other tools use ``,``. These helpers decode the bytes and pick the separator, and name
spreadsheet columns by letter so that every error can point at a cell ("ячейка F3"). Used by
the budget history table and the household and livestock registers.
"""

from __future__ import annotations

import codecs

DELIMITERS = (";", "\t", ",")


def decode_table(raw: bytes) -> tuple[str, str]:
    """``(text, encoding)`` of a saved table: UTF-16 if it starts with its byte-order mark,
    else UTF-8 (with or without the mark), else Windows-1251.

    Windows-1251 decodes any byte sequence, so it comes last: a file that is valid UTF-8 is
    read as UTF-8 (Cyrillic in Windows-1251 is almost never valid UTF-8).

    >>> decode_table("Код;Айыл".encode("cp1251"))
    ('Код;Айыл', 'cp1251')
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "utf-16"
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1251"), "cp1251"


def sniff_delimiter(line: str) -> str:
    """The separator of a table whose (header) line is ``line``: ``;`` (Excel in Russian)
    if the line has one, else a tab, else a comma.

    >>> sniff_delimiter("section;line;source;2016")
    ';'
    """
    for delimiter in DELIMITERS[:-1]:
        if delimiter in line:
            return delimiter
    return ","


def column_letter(index: int) -> str:
    """Spreadsheet column letters for a 0-based index.

    >>> column_letter(0), column_letter(25), column_letter(26)
    ('A', 'Z', 'AA')
    """
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name
