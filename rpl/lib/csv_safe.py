"""CSV files a spreadsheet opens as data: no cell is run as a formula (CSV injection).

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a
single quote in front, as OWASP advises, so that a name like ``=HYPERLINK(...)`` shows as text.
Plain numbers (``-0.25``, ``+3``, ``-1e-05``) are written as they are: no spreadsheet runs them.
Every CSV the application writes goes through :func:`writer`.
"""

import csv
import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")


def neutralise(cell) -> str:
    """The text of ``cell`` as it is written (``None`` is empty), a formula made harmless."""
    text = "" if cell is None else str(cell)
    if text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


class SafeWriter:
    """``csv.writer`` whose cells pass through :func:`neutralise`."""

    def __init__(self, file, **options):
        self._writer = csv.writer(file, **options)

    def writerow(self, row):
        return self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(file, **options) -> SafeWriter:
    """Like ``csv.writer(file, **options)``, for rows of cells of any type."""
    return SafeWriter(file, **options)
