"""Small server-rendered SVG charts: the geometry is worked out here, `charts/_chart.html`
draws it. Every chart has axes with units, a title and description for assistive technology,
and its numbers as a table (the text alternative), so a chart never holds information that
only eyes can get.

Nothing here queries the database: callers pass the numbers."""

import datetime as dt
import math
from dataclasses import dataclass, field

WIDTH = 480
HEIGHT = 220
MARGIN_LEFT = 46
MARGIN_RIGHT = 14
MARGIN_TOP = 26
MARGIN_BOTTOM = 40
Y_TICKS = 4
# Colour classes c0…c7 (static/css/panels.css); the last ones are for "other" and "none".
PALETTE_SIZE = 6
OTHER_CLASS = "c6"
NONE_CLASS = "c7"


def _r(value: float) -> float:
    """Coordinates are written with one decimal: enough for a crisp line, short markup."""
    return round(float(value), 1)


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ that is ≥ `value`, so axis ticks fall on round
    numbers; 1 for an empty or zero range."""
    value = float(value)
    if value <= 0 or not math.isfinite(value):
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value - 1e-9:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


@dataclass(frozen=True)
class LinearScale:
    """Maps [0, domain_max] onto [range_start, range_end] (which may run backwards, as y does)."""

    domain_max: float
    range_start: float
    range_end: float

    def __call__(self, value) -> float:
        if self.domain_max <= 0:
            return _r(self.range_start)
        share = float(value) / self.domain_max
        return _r(self.range_start + share * (self.range_end - self.range_start))


def _number(value) -> str:
    number = float(value)
    return f"{number:.0f}" if number == int(number) else f"{number:.1f}"


@dataclass
class Chart:
    """Everything the template draws, already in SVG coordinates."""

    id: str
    title: str
    desc: str
    x_unit: str
    y_unit: str
    width: int = WIDTH
    height: int = HEIGHT
    left: float = MARGIN_LEFT
    top: float = MARGIN_TOP
    right: float = WIDTH - MARGIN_RIGHT
    bottom: float = HEIGHT - MARGIN_BOTTOM
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    rects: list[dict] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)
    dots: list[dict] = field(default_factory=list)
    refs: list[dict] = field(default_factory=list)
    # Vertical marks at a point in time (x, label), like a ship date.
    marks: list[dict] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)
    table_head: list[str] = field(default_factory=list)
    table_rows: list[list[str]] = field(default_factory=list)
    empty_text: str = ""

    @property
    def is_empty(self) -> bool:
        return bool(self.empty_text)

    @property
    def middle_x(self) -> float:
        return _r((self.left + self.right) / 2)

    @property
    def middle_y(self) -> float:
        return _r((self.top + self.bottom) / 2)

    @property
    def x_label_y(self) -> float:
        return _r(self.height - 4)

    @property
    def y_unit_y(self) -> float:
        return _r(self.top - 14)

    @property
    def y_tick_label_x(self) -> float:
        return _r(self.left - 6)

    @property
    def x_tick_label_y(self) -> float:
        return _r(self.bottom + 14)


def axis_top(value: float, *, whole: bool = False) -> float:
    """The top of a y axis for values up to `value`: Y_TICKS steps of a round size (1, 2,
    2.5, 5 × 10ⁿ), so every tick is a round number; whole-number steps for counts."""
    step = nice_ceiling(float(value) / Y_TICKS) if value and float(value) > 0 else 0.25
    if whole:
        step = max(math.ceil(step), 1)
    return step * Y_TICKS


def _y_axis(chart: Chart, top_value: float, *, whole: bool = False) -> LinearScale:
    top = axis_top(top_value, whole=whole)
    scale = LinearScale(top, chart.bottom, chart.top)
    chart.y_ticks = [
        (scale(top * i / Y_TICKS), _number(top * i / Y_TICKS)) for i in range(Y_TICKS + 1)
    ]
    return scale


def _bands(chart: Chart, labels: list[str]) -> list[tuple[float, float]]:
    """(x, width) of each category's bar, with a gap between bars; x tick labels under each,
    thinned to every second one when there are many."""
    count = max(len(labels), 1)
    band = (chart.right - chart.left) / count
    bars = [(_r(chart.left + i * band + band * 0.15), _r(band * 0.7)) for i in range(len(labels))]
    step = 2 if len(labels) > 8 else 1
    chart.x_ticks = [
        (_r(chart.left + i * band + band / 2), label)
        for i, label in enumerate(labels)
        if i % step == 0
    ]
    return bars


def bar_chart(
    *,
    id: str,
    title: str,
    desc: str,
    labels: list[str],
    values: list,
    x_unit: str,
    y_unit: str,
    classes: list[str] | None = None,
    refs: list[tuple[float, str, str]] = (),
    empty_text: str = "No data yet.",
    whole: bool = False,
) -> Chart:
    """One bar per label. `refs` are horizontal reference lines as (value, label, tone);
    `whole` keeps axis steps to whole numbers (for counts)."""
    chart = Chart(id=id, title=title, desc=desc, x_unit=x_unit, y_unit=y_unit)
    chart.table_head = [x_unit, y_unit]
    chart.table_rows = [[label, _number(v)] for label, v in zip(labels, values, strict=True)]
    top = max([float(v) for v in values] + [float(r[0]) for r in refs] + [0])
    scale = _y_axis(chart, top, whole=whole)
    if not labels or top == 0:
        chart.empty_text = empty_text
    for i, ((x, width), label, value) in enumerate(
        zip(_bands(chart, labels), labels, values, strict=True)
    ):
        y = scale(max(float(value), 0))
        chart.rects.append(
            {
                "x": x,
                "y": y,
                "w": width,
                "h": _r(chart.bottom - y),
                "css": (classes[i] if classes else "c0"),
                "label": f"{label}: {_number(value)} {y_unit}",
            }
        )
    _add_refs(chart, scale, refs)
    return chart


def stacked_bar_chart(
    *,
    id: str,
    title: str,
    desc: str,
    labels: list[str],
    series: list[tuple[str, list[int], str]],
    x_unit: str,
    y_unit: str,
    empty_text: str = "No data yet.",
) -> Chart:
    """Bars of stacked parts: `series` is (name, one value per label, colour class), drawn
    bottom-up in the order given."""
    chart = Chart(id=id, title=title, desc=desc, x_unit=x_unit, y_unit=y_unit)
    totals = [sum(values[i] for _n, values, _c in series) for i in range(len(labels))]
    scale = _y_axis(chart, max([*totals, 0]), whole=True)
    if not labels or not any(totals):
        chart.empty_text = empty_text
    for i, (x, width) in enumerate(_bands(chart, labels)):
        base = 0.0
        for name, values, css in series:
            value = values[i]
            if not value:
                continue
            y_top, y_base = scale(base + value), scale(base)
            chart.rects.append(
                {
                    "x": x,
                    "y": y_top,
                    "w": width,
                    "h": _r(y_base - y_top),
                    "css": css,
                    "label": f"{labels[i]} · {name}: {_number(value)} {y_unit}",
                }
            )
            base += value
    chart.legend = [(css, name) for name, _values, css in series]
    chart.table_head = [x_unit, *[name for name, _v, _c in series], "Total"]
    chart.table_rows = [
        [label, *[_number(values[i]) for _n, values, _c in series], _number(totals[i])]
        for i, label in enumerate(labels)
    ]
    return chart


def histogram(
    *,
    id: str,
    title: str,
    desc: str,
    bins: list[tuple[float, float, int]],
    x_unit: str,
    y_unit: str,
    empty_text: str = "No data yet.",
) -> Chart:
    """Counts per bin (low, high, count) as touching bars labelled low–high."""
    labels = [f"{_number(low)}–{_number(high)}" for low, high, _count in bins]
    return bar_chart(
        id=id,
        title=title,
        desc=desc,
        labels=labels,
        values=[count for _l, _h, count in bins],
        x_unit=x_unit,
        y_unit=y_unit,
        empty_text=empty_text,
        whole=True,
    )


def step_line_chart(
    *,
    id: str,
    title: str,
    desc: str,
    start: dt.date,
    end: dt.date,
    points: list[tuple[dt.date, float]],
    until: dt.date | None,
    x_unit: str,
    y_unit: str,
    refs: list[tuple[float, str, str]] = (),
    tick_dates: list[dt.date] = (),
    empty_text: str = "No data yet.",
) -> Chart:
    """A running total over dates from `start` to `end`: it starts at 0, steps up at each
    point (date, new total) and runs flat to `until` (today, within the period). A single
    point still shows: each step gets a dot."""
    chart = Chart(id=id, title=title, desc=desc, x_unit=x_unit, y_unit=y_unit)
    span = max((end - start).days, 1)
    x_scale = LinearScale(span, chart.left, chart.right)

    def x_of(day: dt.date) -> float:
        return x_scale(min(max((day - start).days, 0), span))

    top = max([float(v) for _d, v in points] + [float(r[0]) for r in refs] + [0])
    y_scale = _y_axis(chart, top)
    if not points:
        chart.empty_text = empty_text
    coords = [(x_of(start), y_scale(0))]
    previous = 0.0
    for day, total in points:
        x = x_of(day)
        coords.append((x, y_scale(previous)))
        coords.append((x, y_scale(total)))
        chart.dots.append(
            {"x": x, "y": y_scale(total), "label": f"{day:%-d %b}: {_number(total)} {y_unit}"}
        )
        previous = float(total)
    last_day = until if until is not None else (points[-1][0] if points else start)
    coords.append((x_of(max(last_day, points[-1][0] if points else start)), y_scale(previous)))
    if points:
        chart.lines.append(
            {"points": " ".join(f"{x},{y}" for x, y in coords), "css": "c0", "label": title}
        )
    chart.x_ticks = [(x_of(day), f"{day:%-d %b}") for day in tick_dates]
    _add_refs(chart, y_scale, refs)
    chart.table_head = [x_unit, y_unit]
    chart.table_rows = [[f"{day:%-d %b %Y}", _number(total)] for day, total in points]
    return chart


def _add_refs(chart: Chart, scale: LinearScale, refs) -> None:
    for value, label, tone in refs:
        chart.refs.append({"y": scale(value), "label": label, "tone": tone})


def colour_classes(count: int) -> list[str]:
    """Distinct colour classes for `count` named series (at most PALETTE_SIZE)."""
    return [f"c{i}" for i in range(min(count, PALETTE_SIZE))]
