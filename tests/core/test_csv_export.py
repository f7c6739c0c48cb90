"""Every CSV export writes cells people typed as text a spreadsheet will never run."""

import pytest

from prodops.core.csv_export import csv_cell

FORMULAS = ['=HYPERLINK("http://x","y")', "+SUM(A1:A2)", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", [*FORMULAS, "  =1+1", " \t+cmd", "\n@x"])
def test_formula_like_text_is_escaped(text):
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Quote tool", "a=b", "", 5, -3, 2.5, None])
def test_plain_values_pass_through(value):
    assert csv_cell(value) == ("" if value is None else value)
