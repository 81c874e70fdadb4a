"""CSV cells a spreadsheet cannot mistake for formulas.

Excel, LibreOffice and Google Sheets run a CSV cell that starts with ``=``, ``+``, ``-`` or
``@`` as a formula (``=HYPERLINK(...)`` becomes a live link), and a leading tab or carriage
return can hide such a start. Following the OWASP advice on CSV injection, a *text* cell that
starts with one of these characters is written with a single quote before it, which
spreadsheets show as text. Numbers are written as they are: ``-5`` in a value column stays
the number -5. Used by every ``--format csv`` export.
"""

from __future__ import annotations

RISKY_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """``value`` as a CSV cell: text a spreadsheet would run is prefixed with ``'``.

    >>> csv_cell('=HYPERLINK("http://x")'), csv_cell("-x"), csv_cell(-5), csv_cell("Манас")
    ('\\'=HYPERLINK("http://x")', "'-x", -5, 'Манас')
    """
    if isinstance(value, str) and value.startswith(RISKY_START):
        return "'" + value
    return value


class _SafeWriter:
    """A CSV writer whose rows go through :func:`csv_cell`."""

    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([csv_cell(v) for v in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def safe_writer(writer) -> _SafeWriter:
    """``writer`` (from :func:`csv.writer`) with every text cell made safe by :func:`csv_cell`.

    >>> import csv, io
    >>> out = io.StringIO()
    >>> _ = safe_writer(csv.writer(out)).writerow(["=1+1", -5, "+7"])
    >>> print(out.getvalue().strip())
    '=1+1,-5,'+7
    """
    return _SafeWriter(writer)


def safe_frame(frame):
    """A copy of a pandas ``frame`` whose text cells (values, not headings) went through
    :func:`csv_cell`; numeric columns are left as they are."""
    out = frame.copy()
    for column in out.columns:
        if getattr(out[column].dtype, "kind", "O") not in "biufcmM":  # not numbers, booleans or dates
            out[column] = out[column].map(csv_cell)
    return out
