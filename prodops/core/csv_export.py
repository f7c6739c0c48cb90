"""CSV exports: every cell a person wrote is written so a spreadsheet shows it as text.

Spreadsheet programs run a cell that starts with `=`, `+`, `-` or `@` (also after leading
spaces) or with a tab or carriage return as a formula, so a request titled
`=HYPERLINK("http://evil", "click")` would become a live link in whoever opens the export.
Every export writes through `csv_writer`, which escapes such cells with a leading `'`.
"""

import csv

FORMULA_STARTS = ("=", "+", "-", "@")
CONTROL_STARTS = ("\t", "\r", "\n")


def csv_cell(value):
    """A cell as a spreadsheet will show it, never as a formula: text starting with = + - @
    (after any leading whitespace) or with a tab, CR or newline gets a leading `'`. Numbers,
    dates and empty values pass through unchanged."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    if value[:1] in CONTROL_STARTS or value.lstrip()[:1] in FORMULA_STARTS:
        return "'" + value
    return value


class _EscapingWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([csv_cell(cell) for cell in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


class _Echo:
    """A file that hands back what is written, so rows can be streamed one by one."""

    def write(self, value):
        return value


def csv_writer(target=None):
    """A csv writer whose every cell goes through csv_cell. Without a target, `writerow`
    returns the encoded line (for a StreamingHttpResponse)."""
    return _EscapingWriter(csv.writer(target if target is not None else _Echo()))
