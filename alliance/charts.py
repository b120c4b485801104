"""Bar charts drawn on the server as accessible inline SVG: no JavaScript, nothing from a CDN.

``year_chart`` turns ``{year: {series_key: count}}`` into a ``<figure class="chart">`` holding

* an SVG (``role="img"``, named by its ``<title>`` and ``<desc>``) that scales with its container,
  with round gridline values on the y-axis, year labels on the x-axis (every Nth year when the
  span is long, always the first and the last), and one bar per non-zero (year, series) cell, each
  with a ``<title>`` tooltip; several series are stacked, first series at the bottom;
* a legend in HTML below the SVG when there are two or more series;
* a ``<table class="visually-hidden">`` with the numbers, one row per year that has data, so
  screen-reader users get the data rather than a picture of it.

Everything textual is escaped; the result is marked safe only once assembled from escaped parts.
The function is pure: it reads nothing from the database.
"""

import math
import re

from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

# Eight colours, each at least 3:1 against white (WCAG 1.4.11 non-text contrast), chosen from
# Okabe–Ito-like hues and tuned so that every pair stays apart (ΔE*ab ≥ 25) in normal vision and
# in simulated protanopia, deuteranopia and tritanopia. Stacked segments are also separated by a
# thin white line, so neighbours never rely on colour difference alone. Series beyond eight reuse
# the colours in order.
PALETTE = (
    "#005DBC",  # blue          6.38:1
    "#CC7803",  # orange        3.36:1
    "#32A45D",  # green         3.18:1
    "#B38197",  # dusty pink    3.23:1
    "#774500",  # brown         7.97:1
    "#9088C8",  # lavender      3.21:1
    "#414D36",  # dark olive    8.98:1
    "#9A0070",  # magenta       8.05:1
)

# Geometry, in viewBox units. At 390 CSS px wide one unit is about 0.61 px, so 16-unit text is
# still about 10 px; at 1280 px the whole drawing simply scales up.
WIDTH = 640
HEIGHT = 240
FONT_SIZE = 16
MARGIN_TOP = 12
MARGIN_RIGHT = 16
MARGIN_BOTTOM = 30
MIN_MARGIN_LEFT = 36
DIGIT_WIDTH = 0.62 * FONT_SIZE  # a generous estimate of one digit's advance
YEAR_LABEL_WIDTH = 4 * DIGIT_WIDTH
YEAR_LABEL_GAP = 10
MAX_BAR_WIDTH = 48
BAR_FILL_RATIO = 0.72
TARGET_GRIDLINES = 4
GRID_COLOUR = "#D9D9D9"
MAX_YEARS = 500

_UNSAFE_ID_CHARS = re.compile(r"[^A-Za-z0-9_-]+")


def sanitize_chart_id(chart_id: str) -> str:
    """Keep only [A-Za-z0-9_-], turning each run of anything else into one hyphen."""
    cleaned = _UNSAFE_ID_CHARS.sub("-", str(chart_id)).strip("-")
    return cleaned or "chart"


def year_chart(
    *,
    counts: dict[int, dict[str, int]],
    series: list[tuple[str, str]],
    title: str,
    description: str,
    chart_id: str,
    first_year: int | None = None,
    last_year: int | None = None,
) -> SafeString:
    """Render counts per year as a bar chart (one series) or a stacked bar chart (several).

    ``series`` gives the order (bottom to top, and in the legend and table) and the translated
    label of each series key; keys in ``counts`` that are not in ``series`` are ignored. Years run
    continuously from ``first_year`` to ``last_year`` (by default the smallest and largest year in
    ``counts``); years outside that range are left out.
    """
    chart_id = sanitize_chart_id(chart_id)
    keys = [key for key, _label in series]
    if len(set(keys)) != len(keys):
        raise ValueError("series keys must be unique")
    for year, row in counts.items():
        for key, value in row.items():
            if value < 0:
                raise ValueError(f"negative count {value!r} for {year}/{key}")

    if not counts or not series:
        return _empty()
    first = min(counts) if first_year is None else int(first_year)
    last = max(counts) if last_year is None else int(last_year)
    if first > last:
        raise ValueError("first_year is after last_year")
    if last - first + 1 > MAX_YEARS:
        raise ValueError(f"a chart spans at most {MAX_YEARS} years")

    years = list(range(first, last + 1))
    cells = {
        year: [int(counts.get(year, {}).get(key, 0) or 0) for key in keys]
        for year in years
    }
    totals = {year: sum(values) for year, values in cells.items()}
    if not any(totals.values()):
        return _empty()

    svg = _svg(chart_id, title, description, years, cells, totals, series)
    legend = _legend(series) if len(series) > 1 else ""
    table = _table(title, years, cells, totals, series)
    return mark_safe(f'<figure class="chart">{svg}{legend}{table}</figure>')


def _empty() -> SafeString:
    return format_html('<p class="chart-empty">{}</p>', gettext("Nothing to chart."))


def _num(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _nice_step(largest: int) -> int:
    """The smallest 1, 2 or 5 × 10ⁿ that cuts ``largest`` into at most TARGET_GRIDLINES parts."""
    raw = largest / TARGET_GRIDLINES
    magnitude = 1
    while True:
        for multiple in (1, 2, 5):
            if multiple * magnitude >= raw:
                return multiple * magnitude
        magnitude *= 10


def _year_step(slot: float) -> int:
    """How many years apart labelled years must be so their labels do not overlap."""
    needed = math.ceil((YEAR_LABEL_WIDTH + YEAR_LABEL_GAP) / slot)
    magnitude = 1
    while True:
        for multiple in (1, 2, 5):
            if multiple * magnitude >= needed:
                return multiple * magnitude
        magnitude *= 10


def labelled_years(first: int, last: int, slot: float) -> list[int]:
    """The years that get an axis label: first, last, and round years far enough from both."""
    step = _year_step(slot)
    minimum_gap = math.ceil((YEAR_LABEL_WIDTH + YEAR_LABEL_GAP) / slot)
    middle = [
        year for year in range(first + 1, last)
        if year % step == 0 and year - first >= minimum_gap and last - year >= minimum_gap
    ]
    return sorted({first, *middle, last})


def _svg(chart_id, title, description, years, cells, totals, series) -> str:
    step = _nice_step(max(totals.values()))
    top = math.ceil(max(totals.values()) / step) * step
    ticks = list(range(0, top + 1, step))

    margin_left = max(MIN_MARGIN_LEFT, len(str(top)) * DIGIT_WIDTH + 12)
    plot_left = margin_left
    plot_right = WIDTH - MARGIN_RIGHT
    plot_width = plot_right - plot_left
    baseline = HEIGHT - MARGIN_BOTTOM
    plot_height = baseline - MARGIN_TOP
    scale = plot_height / top
    slot = plot_width / len(years)
    bar_width = min(slot * BAR_FILL_RATIO, MAX_BAR_WIDTH)

    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{0}-title {0}-desc"'
            ' viewBox="0 0 {1} {2}" width="100%" preserveAspectRatio="xMidYMid meet"'
            ' class="chart-svg" focusable="false">'
            '<title id="{0}-title">{3}</title><desc id="{0}-desc">{4}</desc>',
            chart_id, WIDTH, HEIGHT, title, description,
        )
    ]

    # Gridlines with their values, right-aligned against the plot.
    parts.append(format_html('<g class="chart-y-axis" font-size="{}" fill="currentColor" text-anchor="end">', FONT_SIZE))
    for value in ticks:
        y = _num(baseline - value * scale)
        stroke = "currentColor" if value == 0 else GRID_COLOUR
        parts.append(format_html(
            '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1"/>'
            '<text class="chart-value" x="{}" y="{}" dy="0.35em">{}</text>',
            _num(plot_left), _num(plot_right), y, y, stroke,
            _num(plot_left - 6), y, value,
        ))
    parts.append("</g>")

    # Year labels, centred under their slots but kept inside the drawing.
    half_label = YEAR_LABEL_WIDTH / 2
    parts.append(format_html('<g class="chart-x-axis" font-size="{}" fill="currentColor" text-anchor="middle">', FONT_SIZE))
    for year in labelled_years(years[0], years[-1], slot):
        centre = plot_left + (year - years[0] + 0.5) * slot
        x = min(max(centre, half_label), WIDTH - half_label)
        parts.append(format_html(
            '<line x1="{0}" x2="{0}" y1="{1}" y2="{2}" stroke="currentColor" stroke-width="1"/>'
            '<text class="chart-year" data-year="{3}" x="{4}" y="{5}">{3}</text>',
            _num(centre), _num(baseline), _num(baseline + 4), year, _num(x), _num(HEIGHT - 8),
        ))
    parts.append("</g>")

    # Bars: one rect per non-zero cell, stacked bottom-up in series order. Each segment's top is
    # rounded once and reused as the next segment's bottom, so segments meet exactly. A chart of
    # sixty years has hundreds of bars: each series' key and label are escaped once, not per bar,
    # and the numbers need no escaping.
    parts.append('<g class="chart-bars" stroke="#FFFFFF" stroke-width="0.75">')
    escaped = [(conditional_escape(key), conditional_escape(label), PALETTE[position % len(PALETTE)])
               for position, (key, label) in enumerate(series)]
    width = _num(bar_width)
    for index, year in enumerate(years):
        x = _num(plot_left + index * slot + (slot - bar_width) / 2)
        bottom = round(baseline, 2)
        running = 0
        for (key, label, colour), count in zip(escaped, cells[year]):
            if not count:
                continue
            running += count
            top_y = round(baseline - running * scale, 2)
            parts.append(
                f'<rect class="chart-bar" data-year="{year}" data-series="{key}" x="{x}" y="{_num(top_y)}" width="{width}"'
                f' height="{_num(bottom - top_y)}" fill="{colour}"><title>{year}: {label} {count}</title></rect>'
            )
            bottom = top_y
    parts.append("</g></svg>")
    return "".join(parts)


def _legend(series) -> str:
    items = format_html_join(
        "",
        '<li><svg class="chart-swatch" width="12" height="12" viewBox="0 0 12 12" aria-hidden="true"'
        ' focusable="false"><rect width="12" height="12" fill="{}"/></svg> {}</li>',
        ((PALETTE[position % len(PALETTE)], label) for position, (_key, label) in enumerate(series)),
    )
    return format_html('<ul class="chart-legend">{}</ul>', items)


def _table(title, years, cells, totals, series) -> str:
    header = format_html_join("", '<th scope="col">{}</th>', ((label,) for _key, label in series))
    rows = format_html_join(
        "",
        '<tr><th scope="row">{}</th>{}<td>{}</td></tr>',
        (
            (year, format_html_join("", "<td>{}</td>", ((count,) for count in cells[year])), totals[year])
            for year in years if totals[year]
        ),
    )
    return format_html(
        '<table class="visually-hidden"><caption>{}</caption>'
        '<thead><tr><th scope="col">{}</th>{}<th scope="col">{}</th></tr></thead>'
        "<tbody>{}</tbody></table>",
        title, gettext("Year"), header, gettext("Total"), rows,
    )


__all__ = ["PALETTE", "labelled_years", "sanitize_chart_id", "year_chart"]
