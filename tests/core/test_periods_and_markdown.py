import datetime as dt
import re

import pytest

from prodops.core.errors import ValidationFailed
from prodops.core.markdown import render_markdown
from prodops.core.periods import parse_period, quarter_of


def test_quarter_with_calendar_fiscal_year():
    period = parse_period("2027-Q1")
    assert (period.start, period.end) == (dt.date(2027, 1, 1), dt.date(2027, 3, 31))
    assert [m.month for m in period.months()] == [1, 2, 3]


def test_quarter_with_fiscal_year_starting_in_april():
    period = parse_period("2027-Q4", fiscal_start_month=4)
    assert (period.start, period.end) == (dt.date(2028, 1, 1), dt.date(2028, 3, 31))
    assert quarter_of(dt.date(2027, 5, 10), fiscal_start_month=4).label == "2027-Q1"
    assert quarter_of(dt.date(2028, 2, 1), fiscal_start_month=4).label == "2027-Q4"


def test_year_period():
    period = parse_period("2027")
    assert (period.start, period.end) == (dt.date(2027, 1, 1), dt.date(2027, 12, 31))


@pytest.mark.parametrize("label", ["2027-Q5", "27-Q1", "next quarter", ""])
def test_bad_period_is_refused_naming_the_field(label):
    with pytest.raises(ValidationFailed) as error:
        parse_period(label, field="period")
    assert error.value.field == "period"


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="#" onclick="alert(1)">x</a>',
    ],
)
def test_markdown_renders_attacks_inert(text):
    html = render_markdown(text)
    assert "<script" not in html
    assert "<img" not in html
    # No tag may carry an event handler or a javascript: link; escaped text is harmless.
    assert not re.search(r"<[a-z][^>]*\son\w+\s*=", html, re.IGNORECASE)
    assert not re.search(r"href=\"\s*javascript:", html, re.IGNORECASE)


def test_markdown_keeps_formatting():
    html = render_markdown("**bold** and [link](https://example.com)")
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.com"' in html


def test_code_label_reads_like_words():
    from prodops.core.templatetags.prodops_tags import code_label

    assert code_label("in_progress") == "in progress"
    assert code_label(None) == ""
