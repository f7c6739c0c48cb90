import datetime as dt
from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from intake.charts import intake_chart, intake_window_start, score_chart
from prodops.core import charts


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 1),
        (-3, 1),
        (0.7, 1),
        (1, 1),
        (3, 5),
        (7, 10),
        (12, 20),
        (21, 25),
        (180, 200),
        (251, 500),
    ],
)
def test_nice_ceiling(value, expected):
    assert charts.nice_ceiling(value) == expected


@pytest.mark.parametrize(
    ("value", "whole", "expected"),
    [
        (0, False, 1),
        (10, False, 10),
        (30, False, 40),
        (120, False, 200),
        (3, True, 4),
        (1, True, 4),
        (9, True, 12),
    ],
)
def test_axis_top_gives_round_ticks(value, whole, expected):
    assert charts.axis_top(value, whole=whole) == expected


def test_linear_scale_maps_domain_onto_a_reversed_range():
    scale = charts.LinearScale(100, 180, 20)
    assert scale(0) == 180
    assert scale(100) == 20
    assert scale(25) == 140
    assert charts.LinearScale(0, 180, 20)(5) == 180  # an empty domain sits on the baseline


def test_bar_chart_geometry():
    chart = charts.bar_chart(
        id="t",
        title="T",
        desc="D",
        labels=["a", "b"],
        values=[Decimal("10"), Decimal("5")],
        x_unit="X",
        y_unit="Days",
        refs=[(Decimal("8"), "Plannable", "warn")],
    )
    a, b = chart.rects
    # Axis tops out at 10 (four steps of 2.5), so "a" fills the plot height.
    assert chart.y_ticks[-1] == (chart.top, "10")
    assert (a["y"], a["h"]) == (chart.top, chart.bottom - chart.top)
    assert b["h"] == pytest.approx((chart.bottom - chart.top) / 2, abs=0.1)
    # Bars sit in equal bands, in order, inside the plot.
    assert chart.left < a["x"] < b["x"] < chart.right
    assert a["w"] == b["w"]
    assert chart.refs[0]["y"] == pytest.approx(
        chart.bottom - 0.8 * (chart.bottom - chart.top), abs=0.1
    )
    assert chart.table_rows == [["a", "10"], ["b", "5"]]
    assert not chart.is_empty


def test_empty_bar_chart_says_so():
    chart = charts.bar_chart(
        id="e",
        title="T",
        desc="D",
        labels=[],
        values=[],
        x_unit="X",
        y_unit="Y",
        empty_text="None.",
    )
    assert chart.is_empty and chart.rects == [] and chart.empty_text == "None."
    html = render_to_string("charts/_chart.html", {"chart": chart})
    assert "None." in html and "<table" in html


def test_stacked_bars_stack_bottom_up():
    chart = charts.stacked_bar_chart(
        id="s",
        title="T",
        desc="D",
        labels=["w1", "w2"],
        series=[("Sales", [2, 0], "c0"), ("CS", [2, 1], "c1")],
        x_unit="Week",
        y_unit="Requests",
    )
    sales, cs_w1, _cs_w2 = chart.rects
    assert sales["y"] + 0 == pytest.approx(cs_w1["y"] + cs_w1["h"], abs=0.1)  # CS sits on Sales
    assert sales["y"] + sales["h"] == chart.bottom
    # The axis runs to 4 (whole steps of 1 for the tallest stack, 4): it fills the height.
    assert cs_w1["y"] == chart.top
    assert chart.table_head == ["Week", "Sales", "CS", "Total"]
    assert chart.table_rows == [["w1", "2", "2", "4"], ["w2", "0", "1", "1"]]
    assert chart.legend == [("c0", "Sales"), ("c1", "CS")]


def test_step_line_with_one_point():
    start, end = dt.date(2027, 1, 1), dt.date(2027, 3, 31)
    chart = charts.step_line_chart(
        id="b",
        title="Burn",
        desc="D",
        start=start,
        end=end,
        points=[(dt.date(2027, 2, 1), Decimal("3"))],
        until=dt.date(2027, 3, 1),
        x_unit="Date",
        y_unit="Person-days",
        refs=[(Decimal("4"), "80 %", "warn"), (Decimal("5"), "100 %", "danger")],
        tick_dates=[start],
    )
    assert len(chart.dots) == 1
    points = chart.lines[0]["points"].split()
    # From (start, 0) flat to the day, up to 3, then flat on to `until`.
    assert points[0] == f"{float(chart.left)},{float(chart.bottom)}"
    assert len(points) == 4 and points[1].split(",")[0] == points[2].split(",")[0]
    assert float(points[3].split(",")[0]) > float(points[2].split(",")[0])
    assert chart.y_ticks[-1][1] == "8"  # the 100 % line (5) fits on an axis of steps of 2
    assert chart.x_ticks == [(chart.left, "1 Jan")]
    assert chart.table_rows == [["1 Feb 2027", "3"]]


def test_step_line_without_points_is_empty():
    chart = charts.step_line_chart(
        id="b",
        title="Burn",
        desc="D",
        start=dt.date(2027, 1, 1),
        end=dt.date(2027, 3, 31),
        points=[],
        until=None,
        x_unit="Date",
        y_unit="Person-days",
        empty_text="Nothing logged.",
    )
    assert chart.is_empty and chart.lines == [] and chart.dots == []


def test_chart_template_has_title_desc_axes_and_table():
    chart = score_chart(bins=[(0, 10, 1), (10, 20, 0), (90, 100, 4)])
    html = render_to_string("charts/_chart.html", {"chart": chart})
    assert 'role="img"' in html
    assert '<title id="chart-score-distribution-title">Score distribution</title>' in html
    assert "<desc" in html and "5 scored requests" in html
    assert html.count('class="axis"') == 2
    assert '<div class="sr-only"><table data-testid="chart-table">' in html
    assert '<th scope="row">90–100</th><td>4</td>' in html
    assert "<script" not in html


def test_intake_chart_groups_small_departments_as_other():
    today = dt.date(2027, 3, 17)  # a Wednesday
    start = intake_window_start(today)
    assert start.weekday() == 0 and (today - start).days < 12 * 7
    rows = [(start, f"D{i}", 10 - i) for i in range(7)] + [(start, None, 2)]
    chart = intake_chart(rows=rows, today=today)
    names = [name for _css, name in chart.legend]
    assert names == ["D0", "D1", "D2", "D3", "D4", "Other", "No department"]
    assert chart.table_rows[0][-1] == str(sum(10 - i for i in range(7)) + 2)
    assert len(chart.table_rows) == 12
