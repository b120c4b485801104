"""Server-drawn bar charts: accessible, escaped, well-formed inline SVG with a data table for screen readers."""

import itertools
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils.safestring import SafeString
from django.utils.translation import override

from alliance.charts import PALETTE, year_chart

SVG = "{http://www.w3.org/2000/svg}"
KINDS = [
    ("summit", "Summit meeting"),
    ("scc", "Security Consultative Committee (2+2)"),
    ("defense-ministers", "Defense ministers"),
]
HOSTILE = ["<script>alert(1)</script>", "\"&'"]


def render(counts, series=(("topic", "Topic"),), **options):
    options.setdefault("title", "Meetings per year")
    options.setdefault("description", "Bar chart of meetings per year.")
    options.setdefault("chart_id", "meetings")
    return year_chart(counts=counts, series=list(series), **options)


def parse(html):
    """The figure as an XML tree: the SVG inside it must be well-formed for this to work."""
    return ET.fromstring(f"<root>{html}</root>")


def chart_svg(root):
    return root.find(f".//{SVG}svg")


def bars(root):
    return [rect for rect in chart_svg(root).iter(f"{SVG}rect") if rect.get("class") == "chart-bar"]


def bar(root, year, key="topic"):
    (found,) = [rect for rect in bars(root) if rect.get("data-year") == str(year) and rect.get("data-series") == key]
    return found


def height(rect):
    return float(rect.get("height"))


def year_labels(root):
    return {
        int(text.text): float(text.get("x"))
        for text in chart_svg(root).iter(f"{SVG}text")
        if text.get("class") == "chart-year"
    }


def gridline_values(root):
    return [int(text.text) for text in chart_svg(root).iter(f"{SVG}text") if text.get("class") == "chart-value"]


def baseline(root):
    (zero,) = [
        line for line in chart_svg(root).iter(f"{SVG}line")
        if line.get("class") == "chart-grid" and line.get("stroke") == "currentColor"
    ]
    return float(zero.get("y1"))


def table_rows(root):
    table = root.find(".//table")
    header = ["".join(cell.itertext()) for cell in table.find("thead/tr")]
    rows = [["".join(cell.itertext()) for cell in row] for row in table.find("tbody")]
    return table, header, rows


def relative_luminance(hex_colour):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(int(hex_colour[i:i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def test_the_result_is_safe_html_wrapped_in_a_chart_figure():
    html = render({2023: {"topic": 3}})
    assert isinstance(html, SafeString)
    assert html.startswith('<figure class="chart">') and html.endswith("</figure>")


def test_the_svg_is_an_image_named_by_its_own_title_and_description():
    svg = chart_svg(parse(render({2023: {"topic": 3}}, title="Meetings", description="How many", chart_id="kinds")))
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "kinds-title kinds-desc"
    assert svg.find(f"{SVG}title").get("id") == "kinds-title"
    assert svg.find(f"{SVG}title").text == "Meetings"
    assert svg.find(f"{SVG}desc").get("id") == "kinds-desc"
    assert svg.find(f"{SVG}desc").text == "How many"


def test_the_svg_scales_with_its_container_from_a_viewbox_about_640_wide():
    svg = chart_svg(parse(render({2023: {"topic": 3}})))
    _x, _y, width, view_height = (float(part) for part in svg.get("viewBox").split())
    assert 600 <= width <= 680 and 220 <= view_height <= 260
    assert svg.get("width") == "100%"
    assert svg.get("preserveAspectRatio")
    assert svg.get("height") is None


def test_svg_text_takes_the_page_text_colour():
    svg = chart_svg(parse(render({2020: {"topic": 1}, 2023: {"topic": 3}})))
    groups_with_text = [group for group in svg.iter(f"{SVG}g") if group.find(f"{SVG}text") is not None]
    assert groups_with_text
    assert all(group.get("fill") == "currentColor" for group in groups_with_text)


def test_each_non_zero_cell_gets_exactly_one_bar():
    counts = {
        2020: {"summit": 2, "scc": 0, "defense-ministers": 1},
        2021: {"scc": 4},
        2022: {"summit": 0},
    }
    cells = sorted((rect.get("data-year"), rect.get("data-series")) for rect in bars(parse(render(counts, KINDS))))
    assert cells == [("2020", "defense-ministers"), ("2020", "summit"), ("2021", "scc")]


def test_bar_heights_are_proportional_to_counts():
    root = parse(render({2020: {"topic": 1}, 2021: {"topic": 2}, 2022: {"topic": 4}, 2023: {"topic": 7}}))
    one = height(bar(root, 2020))
    assert height(bar(root, 2021)) == pytest.approx(2 * one, abs=0.05)
    assert height(bar(root, 2022)) == pytest.approx(4 * one, abs=0.05)
    assert height(bar(root, 2023)) == pytest.approx(7 * one, abs=0.05)


def test_bars_stand_on_the_zero_gridline():
    root = parse(render({2020: {"topic": 3}, 2021: {"topic": 5}}))
    for rect in bars(root):
        assert float(rect.get("y")) + height(rect) == pytest.approx(baseline(root), abs=0.01)


def test_stacked_segments_sit_on_one_another_in_series_order_without_overlap():
    root = parse(render({2020: {"summit": 3, "scc": 1, "defense-ministers": 2}, 2021: {"summit": 6}}, KINDS))
    bottom = baseline(root)
    for key, _label in KINDS:
        segment = bar(root, 2020, key)
        assert float(segment.get("y")) + height(segment) == pytest.approx(bottom, abs=0.01)
        bottom = float(segment.get("y"))
    unit = height(bar(root, 2020, "scc"))
    assert height(bar(root, 2020, "summit")) == pytest.approx(3 * unit, abs=0.05)
    assert height(bar(root, 2020, "defense-ministers")) == pytest.approx(2 * unit, abs=0.05)
    assert height(bar(root, 2021, "summit")) == pytest.approx(6 * unit, abs=0.05)


def test_segments_of_one_year_share_a_column_and_series_keep_their_colour():
    root = parse(render({2020: {"summit": 3, "scc": 1}, 2021: {"summit": 2, "scc": 2}}, KINDS))
    for year in (2020, 2021):
        assert bar(root, year, "summit").get("x") == bar(root, year, "scc").get("x")
    assert {bar(root, year, "summit").get("fill") for year in (2020, 2021)} == {PALETTE[0]}
    assert {bar(root, year, "scc").get("fill") for year in (2020, 2021)} == {PALETTE[1]}


def test_each_bar_has_a_tooltip_naming_year_series_and_count():
    root = parse(render({2023: {"summit": 3, "scc": 1}}, KINDS))
    assert bar(root, 2023, "summit").find(f"{SVG}title").text == "2023: Summit meeting 3"
    assert bar(root, 2023, "scc").find(f"{SVG}title").text == "2023: Security Consultative Committee (2+2) 1"


def test_years_without_data_stay_on_the_axis_but_get_no_bar():
    root = parse(render({2020: {"topic": 1}, 2023: {"topic": 2}}))
    labels = year_labels(root)
    assert sorted(labels) == [2020, 2021, 2022, 2023]
    assert {rect.get("data-year") for rect in bars(root)} == {"2020", "2023"}
    slot = labels[2021] - labels[2020]
    assert float(bar(root, 2023).get("x")) - float(bar(root, 2020).get("x")) == pytest.approx(3 * slot, abs=0.05)


def test_explicit_first_and_last_years_widen_the_axis():
    root = parse(render({2020: {"topic": 1}}, first_year=2018, last_year=2022))
    assert sorted(year_labels(root)) == [2018, 2019, 2020, 2021, 2022]
    assert [rect.get("data-year") for rect in bars(root)] == ["2020"]


def test_gridlines_run_from_zero_to_a_round_maximum_at_or_above_the_tallest_bar():
    for tallest in (1, 3, 7, 13, 48, 230):
        values = gridline_values(parse(render({2020: {"topic": tallest}})))
        step = values[1] - values[0]
        assert values[0] == 0 and values[-1] >= tallest
        assert 2 <= len(values) <= 6
        assert values == list(range(0, values[-1] + 1, step))
        assert re.fullmatch(r"[125]0*", str(step))


def test_the_screen_reader_table_has_one_row_per_year_with_data_and_the_right_totals():
    counts = {
        2019: {"summit": 1, "scc": 2},
        2021: {"summit": 0, "scc": 0},
        2022: {"defense-ministers": 5, "unlisted": 9},
    }
    with override("en"):
        root = parse(render(counts, KINDS, title="Meetings by kind", first_year=2018, last_year=2023))
    table, header, rows = table_rows(root)
    assert table.get("class") == "visually-hidden"
    assert table.find("caption").text == "Meetings by kind"
    assert header == ["Year", "Summit meeting", "Security Consultative Committee (2+2)", "Defense ministers", "Total"]
    assert rows == [["2019", "1", "2", "0", "3"], ["2022", "0", "0", "5", "5"]]


def test_hostile_labels_are_escaped_everywhere_and_never_appear_raw():
    series = [("a", HOSTILE[0]), ("b", HOSTILE[1])]
    html = render({2023: {"a": 1, "b": 2}}, series, title=HOSTILE[0], description=HOSTILE[1])
    assert "<script" not in html
    assert "\"&'" not in html
    root = parse(html)
    svg = chart_svg(root)
    assert svg.find(f"{SVG}title").text == HOSTILE[0]
    assert svg.find(f"{SVG}desc").text == HOSTILE[1]
    assert bar(root, 2023, "a").find(f"{SVG}title").text == f"2023: {HOSTILE[0]} 1"
    assert bar(root, 2023, "b").find(f"{SVG}title").text == f"2023: {HOSTILE[1]} 2"
    assert ["".join(item.itertext()).strip() for item in root.iter("li")] == HOSTILE
    table, header, _rows = table_rows(root)
    assert table.find("caption").text == HOSTILE[0]
    assert header[1:3] == HOSTILE


def test_hostile_series_keys_are_escaped_in_attributes():
    key = '"><script>alert(1)</script>'
    html = render({2023: {key: 1}}, [(key, "Topic")])
    assert "<script" not in html
    assert [rect.get("data-series") for rect in bars(parse(html))] == [key]


def test_japanese_labels_pass_through_unchanged():
    root = parse(render({2023: {"summit": 2, "scc": 1}}, [("summit", "首脳会談"), ("scc", "日米安全保障協議委員会")]))
    assert bar(root, 2023, "summit").find(f"{SVG}title").text == "2023: 首脳会談 2"
    assert ["".join(item.itertext()).strip() for item in root.iter("li")] == ["首脳会談", "日米安全保障協議委員会"]


@pytest.mark.parametrize("series, has_legend", [
    (KINDS[:1], False),
    (KINDS[:2], True),
    (KINDS, True),
])
def test_the_legend_appears_only_with_two_or_more_series(series, has_legend):
    root = parse(render({2023: {"summit": 1}}, series))
    legend = root.find(".//ul[@class='chart-legend']")
    if not has_legend:
        assert legend is None
        return
    items = legend.findall("li")
    assert ["".join(item.itertext()).strip() for item in items] == [label for _key, label in series]
    swatches = [item.find(".//rect").get("fill") for item in items]
    assert swatches == list(PALETTE[:len(series)])


def test_the_legend_follows_the_svg():
    children = [child.tag for child in parse(render({2023: {"summit": 1}}, KINDS)).find("figure")]
    assert children == [f"{SVG}svg", "ul", "table"]


def test_a_single_year_chart_labels_that_year_and_draws_its_bar():
    root = parse(render({2023: {"topic": 4}}))
    assert list(year_labels(root)) == [2023]
    assert len(bars(root)) == 1


def test_a_1960_to_2026_chart_labels_first_and_last_years_and_every_nth_between():
    counts = {year: {"topic": year % 7} for year in range(1960, 2027)}
    root = parse(render(counts, first_year=1960, last_year=2026))
    labels = year_labels(root)
    years = sorted(labels)
    assert years[0] == 1960 and years[-1] == 2026
    assert 4 <= len(years) <= 14
    inner = years[1:-1]
    steps = {later - earlier for earlier, later in itertools.pairwise(inner)}
    assert len(steps) == 1, "labels between the first and last are evenly spaced"


def test_year_labels_do_not_overlap_and_stay_inside_the_drawing():
    for first, last in ((1960, 2026), (1990, 2026), (2000, 2026), (2015, 2026), (2024, 2026)):
        root = parse(render({first: {"topic": 1}, last: {"topic": 1}}))
        width = float(chart_svg(root).get("viewBox").split()[2])
        positions = sorted(year_labels(root).values())
        label_width = 4 * 0.62 * 16
        assert all(later - earlier >= label_width for earlier, later in itertools.pairwise(positions)), (first, last)
        assert positions[0] - label_width / 2 >= 0 and positions[-1] + label_width / 2 <= width


def test_an_empty_counts_dict_gives_the_nothing_to_chart_paragraph():
    with override("en"):
        html = render({})
    assert html == '<p class="chart-empty">Nothing to chart.</p>'


def test_counts_that_are_all_zero_also_give_the_empty_paragraph():
    with override("en"):
        html = render({2023: {"topic": 0}})
    assert html == '<p class="chart-empty">Nothing to chart.</p>'


@pytest.mark.parametrize("chart_id, expected", [
    ("topic chart", "topic-chart"),
    ('a"b', "a-b"),
    ("x' onload='alert(1)", "x-onload-alert-1"),
    ("  ", "chart"),
    ("kinds_2023-ja", "kinds_2023-ja"),
])
def test_chart_ids_with_spaces_or_quotes_are_sanitised(chart_id, expected):
    svg = chart_svg(parse(render({2023: {"topic": 1}}, chart_id=chart_id)))
    assert svg.get("aria-labelledby") == f"{expected}-title {expected}-desc"
    assert svg.find(f"{SVG}title").get("id") == f"{expected}-title"
    assert svg.find(f"{SVG}desc").get("id") == f"{expected}-desc"


def test_every_palette_colour_has_at_least_3_to_1_contrast_against_white():
    assert len(PALETTE) == 8 and len(set(PALETTE)) == 8
    for colour in PALETTE:
        assert (1.05 / (relative_luminance(colour) + 0.05)) >= 3, colour


def test_series_beyond_eight_reuse_the_palette_in_order():
    series = [(f"s{index}", f"Series {index}") for index in range(10)]
    root = parse(render({2023: {key: 1 for key, _label in series}}, series))
    fills = [bar(root, 2023, key).get("fill") for key, _label in series]
    assert fills == [*PALETTE, PALETTE[0], PALETTE[1]]


def test_impossible_input_is_refused():
    with pytest.raises(ValueError):
        render({2023: {"topic": -1}})
    with pytest.raises(ValueError):
        render({2023: {"topic": 1}}, first_year=2024, last_year=2020)
    with pytest.raises(ValueError):
        render({2023: {"topic": 1}}, [("topic", "A"), ("topic", "B")])
