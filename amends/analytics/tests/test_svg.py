"""The SVG drawing: well-formed, escaped, linked to the cards behind each figure, to scale."""

import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from amends.analytics.charts import ChartData, Point, Series
from amends.analytics.svg import _ticks, chart_svg, format_value

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def link(point: str, series: str) -> str:
    return f"/cards/?point={point}&series={series}"


def bars_chart(**changes) -> ChartData:
    values = {
        "key": "by_state", "title": "Open <cards> & more", "kind": "bars",
        "series": [Series("cards", "Cards")],
        "points": [Point("new", "New", {"cards": 4}), Point("work", "In work", {"cards": 0}),
                   Point("late", "<b>Late</b>", {"cards": 10})],
    }
    return ChartData(**{**values, **changes})


def hrefs(root: ET.Element) -> list[str]:
    return [a.get("href") for a in root.iter("{http://www.w3.org/2000/svg}a")]


def rect_heights(root: ET.Element) -> list[float]:
    return [float(rect.get("height")) for rect in root.iter("{http://www.w3.org/2000/svg}rect")
            if rect.get("width") != "14"]  # the legend's swatches are 14 wide


def test_bars_link_each_counted_figure_and_nothing_else():
    root = parse(chart_svg(bars_chart(), link=link))
    assert hrefs(root) == ["/cards/?point=new&series=cards", "/cards/?point=late&series=cards"]
    assert root.get("role") == "img"
    assert root.find("svg:title", NS).text == "Open <cards> & more"


def test_without_link_nothing_is_linked_and_each_bar_keeps_its_name():
    markup = chart_svg(bars_chart())
    root = parse(markup)
    assert hrefs(root) == []
    names = [title.text for title in root.iter("{http://www.w3.org/2000/svg}title")]
    assert "<b>Late</b> — Cards: 10" in names


def test_text_is_escaped():
    markup = chart_svg(bars_chart(title='<script>alert("x")</script>'), link=link)
    assert "<script>" not in markup and "<b>" not in markup
    assert "&lt;script&gt;" in markup
    assert "&amp;series=cards" in markup  # hrefs are attribute-escaped as well


def test_bars_are_to_scale():
    root = parse(chart_svg(bars_chart()))
    heights = rect_heights(root)
    assert len(heights) == 3
    assert heights[1] == 0
    assert heights[2] == pytest.approx(heights[0] * 10 / 4, abs=0.15)


def test_stacked_bars_add_up_and_link_each_part():
    chart = ChartData("by_month", "By month", "stacked", [Series("email", "E-mail"), Series("phone", "Phone")], [
        Point("2026-01", "Jan", {"email": 3, "phone": 1}),
        Point("2026-02", "Feb", {"email": 0, "phone": 8}),
    ])
    root = parse(chart_svg(chart, link=link))
    assert hrefs(root) == ["/cards/?point=2026-01&series=email", "/cards/?point=2026-01&series=phone",
                           "/cards/?point=2026-02&series=phone"]
    first_email, first_phone, second_phone = rect_heights(root)
    assert first_email + first_phone == pytest.approx(second_phone / 2, abs=0.15)


def test_pareto_draws_the_cumulative_share_on_a_right_axis_with_the_80_mark():
    series = [Series("cards", "Cards"), Series("cumulative", "Cumulative", "%", False)]
    chart = ChartData("pareto", "Causes", "pareto", series, [
        Point("7", "Packaging", {"cards": 6, "cumulative": 60.0}),
        Point("3", "Delivery", {"cards": 3, "cumulative": 90.0}),
        Point("none", "No cause", {"cards": 1, "cumulative": 100.0}),
    ], mark=80)
    markup = chart_svg(chart, link=link)
    root = parse(markup)
    # The cumulative dots take the reader to the cards of their point, as its bar does.
    assert hrefs(root) == [link("7", "cards"), link("3", "cards"), link("none", "cards"),
                           link("7", "cards"), link("3", "cards"), link("none", "cards")]
    polyline = root.find("svg:polyline", NS)
    ys = [float(pair.split(",")[1]) for pair in polyline.get("points").split()]
    mark = next(line for line in root.iter("{http://www.w3.org/2000/svg}line") if line.get("stroke") == "#b91c1c")
    # On the right axis (0–100 %) 80 % sits between 60 % and 90 %, at two thirds of the way from 60 %.
    assert float(mark.get("y1")) == pytest.approx(ys[0] + (ys[1] - ys[0]) * 2 / 3, abs=0.2)
    assert "80 %" in markup
    assert "Cumulative, %" in markup  # the right axis is labelled


def test_lines_break_where_nothing_was_measured():
    chart = ChartData("per_thousand", "Per 1,000 orders", "lines",
                      [Series("per_thousand", "Per 1,000 orders", "", False), Series("cards", "Cards")], [
        Point("2026-01", "Jan", {"per_thousand": 2.5, "cards": 5}),
        Point("2026-02", "Feb", {"per_thousand": 3.0, "cards": 6}),
        Point("2026-03", "Mar", {"per_thousand": None, "cards": 4}),
        Point("2026-04", "Apr", {"per_thousand": 1.5, "cards": 3}),
        Point("2026-05", "May", {"per_thousand": 2.0, "cards": 4}),
    ])
    root = parse(chart_svg(chart, link=link))
    lines = root.findall("svg:polyline", NS)
    # Two runs for the rate (broken at March), one for the cards, on the right axis.
    assert [len(line.get("points").split()) for line in lines] == [2, 2, 5]
    assert len(root.findall(".//svg:circle", NS)) == 9
    assert hrefs(root).count(link("2026-03", "cards")) == 1


def test_an_empty_chart_says_so_and_draws_nothing():
    chart = bars_chart(points=[Point("new", "New", {"cards": 0})])
    with translation.override("en"):
        markup = chart_svg(chart, link=link)
    root = parse(markup)
    assert hrefs(root) == [] and rect_heights(root) == []
    assert "No complaints match these filters in this period." in markup


def test_many_points_are_labelled_sparsely_and_slanted():
    points = [Point(f"2026-W{week:02}", f"2026-W{week:02}", {"cards": week}) for week in range(1, 54)]
    root = parse(chart_svg(ChartData("weeks", "Weeks", "bars", [Series("cards", "Cards")], points)))
    labels = [text for text in root.iter("{http://www.w3.org/2000/svg}text")
              if "".join(text.itertext()).startswith("2026-W")]
    assert 10 <= len(labels) <= 14
    assert all("rotate" in text.get("transform", "") for text in labels)
    # None is cut: the first week's label would run out of the drawing, so the labels start a week later.
    assert ["".join(text.itertext()) for text in labels][:2] == ["2026-W02", "2026-W06"]


def test_few_long_labels_wrap_onto_two_lines_and_keep_their_full_name():
    label = "Packaging damaged in transit by the courier"
    points = [Point(str(index), label, {"cards": index + 1}) for index in range(5)]
    root = parse(chart_svg(ChartData("pareto", "Causes", "bars", [Series("cards", "Cards")], points)))
    texts = [text for text in root.iter("{http://www.w3.org/2000/svg}text") if text.find("svg:title", NS) is not None]
    assert len(texts) == 5
    first = texts[0]
    assert first.find("svg:title", NS).text == label
    lines = [tspan.text for tspan in first.findall("svg:tspan", NS)]
    assert len(lines) == 2 and lines[0].startswith("Packaging") and lines[1].endswith("…")
    assert "transform" not in first.attrib


def test_ids_differ_between_two_drawings_of_one_chart():
    first, second = parse(chart_svg(bars_chart())), parse(chart_svg(bars_chart()))
    assert first.get("aria-labelledby") != second.get("aria-labelledby")


@pytest.mark.parametrize(("top", "whole", "expected"), [
    (0, True, [0, 1]), (4, True, [0, 1, 2, 3, 4]), (10, True, [0, 2, 4, 6, 8, 10]),
    (13, True, [0, 5, 10, 15]), (100, False, [0, 20, 40, 60, 80, 100]), (2.2, False, [0, 0.5, 1, 1.5, 2, 2.5]),
])
def test_ticks_are_round_and_reach_the_top(top, whole, expected):
    assert _ticks(top, whole=whole) == expected


@pytest.mark.parametrize(("language", "value", "unit", "text"), [
    ("en", 3, "", "3"), ("en", 3.0, "", "3"), ("en", 2.345, "h", "2.3 h"), ("en", 80, "%", "80 %"),
    ("en", None, "", "–"), ("ru", 2.345, "h", "2,3 ч"), ("hy", 2.345, "h", "2,3 ժ"), ("ru", 12.5, "%", "12,5 %"),
])
def test_format_value_in_the_readers_language(language, value, unit, text):
    with translation.override(language):
        assert format_value(value, unit) == text


def test_a_norm_sits_on_the_left_axis_and_a_second_unit_on_the_right():
    chart = ChartData("times", "Response times", "bars",
                      [Series("median_h", "Median", "h", False), Series("measured", "Measured")], [
        Point("first_response", "First response", {"median_h": 10.0, "measured": 40}),
        Point("decision", "Decision", {"median_h": 20.0, "measured": 0}),
    ], mark=15)
    root = parse(chart_svg(chart, link=link))
    bars = [rect for rect in root.iter("{http://www.w3.org/2000/svg}rect") if rect.get("width") != "14"]
    tops = [float(rect.get("y")) for rect in bars]
    bottom = tops[0] + float(bars[0].get("height"))
    mark = next(line for line in root.iter("{http://www.w3.org/2000/svg}line") if line.get("stroke") == "#b91c1c")
    # 15 h is halfway between the 10 h and 20 h bars' tops.
    assert float(mark.get("y1")) == pytest.approx((tops[0] + tops[1]) / 2, abs=0.2)
    assert bottom > tops[0] > tops[1]
    # The medians link to the cards measured at their point; the decision's point has none.
    assert hrefs(root) == [link("first_response", "measured"), link("first_response", "measured")]
    assert root.find("svg:polyline", NS) is not None  # the count, drawn as a line on the right axis


def test_months_are_written_short_under_the_axis_none_cut_and_their_names_kept():
    names = ["Декабрь 2025 г.", *(f"{name} 2026 г." for name in (
        "Январь", "Февраль", "Март", "Апрель", "Май", "Июнь", "Июль", "Август", "Сентябрь", "Октябрь", "Ноябрь"))]
    points = [Point(f"{2025 + (index > 0)}-{(index + 11) % 12 + 1:02}", name, {"cards": index})
              for index, name in enumerate(names)]
    root = parse(chart_svg(ChartData("months", "Months", "bars", [Series("cards", "Cards")], points)))
    labels = [text for text in root.iter("{http://www.w3.org/2000/svg}text") if text.find("svg:title", NS) is not None]
    assert [text.find("svg:title", NS).text for text in labels] == names
    assert ["".join(text.find("svg:tspan", NS).itertext()) for text in labels] == [
        "12.2025", *(f"{month:02}.2026" for month in range(1, 12))]


def test_few_labels_with_a_word_longer_than_their_room_slant_rather_than_cut_the_word():
    names = ["Received", "Justified", "Partly justified", "Unjustified", "Closed", "Open", "Overdue", "Undecided"]
    points = [Point(str(index), name, {"cards": index + 1}) for index, name in enumerate(names)]
    root = parse(chart_svg(ChartData("month", "Month", "bars", [Series("cards", "Cards")], points)))
    labels = [text for text in root.iter("{http://www.w3.org/2000/svg}text") if "".join(text.itertext()) in names]
    assert len(labels) == len(names)
    assert all("rotate" in text.get("transform", "") for text in labels)
