"""A ChartData drawn as SVG on the server: no script, no library, the same drawing on the page and in the
PDF. The drawing scales to its box (viewBox), so it reads at 390 px as on a desk; every text is escaped.

Series share an axis when they share a unit and whether cards stand behind them: the first series'
group is drawn on the left axis as the chart's kind says (bars side by side, stacked, lines); a second
group (a Pareto's cumulative share, a count beside a median) is drawn as a line on a right axis. Any
further group is left to the data table under the chart."""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from .charts import ChartData, Point, Series, count_series

WIDTH, PLOT_HEIGHT = 520, 220
LEFT, SIDE_AXIS, RIGHT_PLAIN = 52, 52, 16
BOTTOM_FLAT, LINE_HEIGHT, BOTTOM_SLANTED = 34, 14, 92  # room under the axis for 16 slanted characters
LEGEND_ROW, CHAR_WIDTH = 18, 7.5  # the legend's line height; a character's width at font size 12, for layout
MAX_LABELS, LABEL_CHARS = 14, 16  # more point labels than this are thinned; longer ones are cut (full in <title>)
WRAPPED_UP_TO = 8  # the labels of this many points or fewer wrap onto two lines rather than slant
SLANT_COS = math.cos(math.radians(40))
SLANT_CHAR_WIDTH = 8  # wider than CHAR_WIDTH: a slanted label must not run out of the drawing
VALUES_SHOWN_UP_TO = 16  # bars print their value above them while there are at most this many
# Okabe-Ito's colours, told apart by people who see colours differently.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000", "#999999")
# What every page, workbook and PDF says instead of a chart with no data.
EMPTY_MESSAGE = gettext_lazy("No complaints match these filters in this period.")


def empty_message(chart: ChartData) -> str:
    """What an empty chart says: its own sentence (survey answers are not cards), else the cards' one."""
    return str(chart.empty_message or EMPTY_MESSAGE)

_ids = count(1)

Link = Callable[[str, str], str]
MONTH_KEY = re.compile(r"(\d{4})-(\d{2})")


# Units written after a figure in the reader's language; the others ("%", "₽") read alike in all three.
UNIT_WORDS = {"h": pgettext_lazy("unit after a figure", "h"), "K": ""}
# Decimal places a figure is printed with, by unit: one, but the surveys' coefficient K has two.
PLACES = {"K": 2}


def format_value(value: float | int | None, unit: str = "") -> str:
    """A figure as the chart and its table print it: whole numbers plainly, others to one decimal with
    the reader's decimal separator."""
    if value is None:
        return "–"
    text = str(int(value)) if float(value).is_integer() else number_format(value, PLACES.get(unit, 1))
    unit_text = str(UNIT_WORDS.get(unit, unit))
    return f"{text} {unit_text}" if unit_text else text


def _tick_text(value: float) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if value >= 10_000:
        return f"{value / 1000:g}k"
    return f"{value:g}"


def _ticks(top: float, *, whole: bool) -> list[float]:
    """Round steps from 0 to at least `top`, at most six; counts step by whole numbers."""
    top = max(top, 1.0)
    raw = top / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if whole:
        step = max(1, math.ceil(step))
    steps = math.ceil(top / step - 1e-9)
    return [round(step * index, 6) for index in range(steps + 1)]


def _short(text: str, room: int = LABEL_CHARS) -> str:
    room = max(room, 2)
    return text if len(text) <= room else text[: room - 1] + "…"


def _axis_text(point: Point) -> str:
    """What the axis writes under a point: a month as "03.2026", since its name ("Сентябрь 2026 г.") was
    cut or slanted past reading; the full name stays in the label's <title> and the table."""
    month = MONTH_KEY.fullmatch(point.key)
    return f"{month[2]}.{month[1]}" if month else str(point.label)


def _wrapped(text: str, room: int) -> list[str]:
    """The label on at most two lines of `room` characters, broken between words, the rest cut."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= room:
            lines[-1] += " " + word
        elif len(lines) == 2:
            lines[-1] += " " + word
            break
        else:
            lines.append(word)
    return [_short(line, room) for line in lines] or [""]


@dataclass
class _Axis:
    series: list[Series]
    ticks: list[float]
    label: str

    @property
    def top(self) -> float:
        return self.ticks[-1]


def _groups(series: list[Series]) -> list[list[Series]]:
    groups: dict[tuple[str, bool], list[Series]] = {}
    for one in series:
        groups.setdefault((one.unit, one.drillable), []).append(one)
    return list(groups.values())


def _axis_label(group: list[Series]) -> str:
    if len(group) == 1:
        label, unit = str(group[0].label), group[0].unit
        return f"{label}, {unit}" if unit and unit not in label else label
    unit = group[0].unit
    return {"": _("Cards"), "%": _("Share, %"), "h": _("Hours")}.get(unit, unit)


def _axis(group: list[Series], points: list[Point], *, stacked: bool = False, mark: float | None = None) -> _Axis:
    values = [[point.values.get(one.key) or 0 for one in group] for point in points]
    highest = max((sum(row) if stacked else max(row, default=0)) for row in values) if values else 0
    if group[0].unit == "%":
        highest = max(highest, 100)
    if mark is not None:
        highest = max(highest, mark)
    whole = group[0].unit == "" and all(float(v).is_integer() for row in values for v in row)
    return _Axis(group, _ticks(highest, whole=whole), _axis_label(group))


def _legend(series: list[Series], colour: dict[str, str], lines: set[str]) -> tuple[list[str], int]:
    parts: list[str] = []
    x: float = LEFT
    row = 0
    for one in series:
        label = escape(str(one.label))
        width = 22 + len(str(one.label)) * CHAR_WIDTH + 14
        if x + width > WIDTH - RIGHT_PLAIN and x > LEFT:
            x, row = LEFT, row + 1
        y = 14 + row * LEGEND_ROW
        if one.key in lines:
            parts.append(f'<line x1="{x:.1f}" y1="{y - 4}" x2="{x + 16:.1f}" y2="{y - 4}" stroke="{colour[one.key]}" '
                         'stroke-width="2.5"/>')
        else:
            parts.append(f'<rect x="{x:.1f}" y="{y - 10}" width="14" height="12" fill="{colour[one.key]}"/>')
        parts.append(f'<text x="{x + 22:.1f}" y="{y}">{label}</text>')
        x += width
    return parts, 14 + row * LEGEND_ROW + 22


def figure_link(link: Link | None, chart: ChartData, point: Point, series: Series) -> str | None:
    """The href of one figure: its cards, or for a share or a median the cards of the point's count;
    None when there is no link to make or no card behind the figure."""
    target = series if series.drillable else count_series(chart.series)
    if link is None or target is None or point.values.get(series.key) is None or not point.values.get(target.key):
        return None
    return link(point.key, target.key)


def chart_svg(chart: ChartData, *, link: Link | None = None) -> SafeString:
    """The chart as SVG markup; `link(point_key, series_key)` gives each bar's or dot's href (None: no
    links, as in a PDF). A chart without data says so instead of drawing from nothing."""
    ident = f"chart-{re.sub(r'[^a-z0-9_-]', '', chart.key.lower())}-{next(_ids)}"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {{height}}" role="img" '
        f'aria-labelledby="{ident}-title" class="chart" font-family="DejaVu Sans, sans-serif" font-size="12">'
        f'<title id="{ident}-title">{escape(str(chart.title))}</title>'
    )
    if chart.empty or not chart.points or not chart.series:
        return mark_safe("".join([
            head.format(height=60),
            f'<text x="{WIDTH / 2}" y="34" text-anchor="middle">{escape(empty_message(chart))}</text></svg>',
        ]))
    return mark_safe(_Drawing(chart, link, head).draw())


class _Drawing:
    def __init__(self, chart: ChartData, link: Link | None, head: str) -> None:
        self.chart, self.link, self.head = chart, link, head
        self.points = chart.points
        groups = _groups(chart.series)
        pareto, stacked = chart.kind == "pareto", chart.kind == "stacked"
        self.left = _axis(groups[0], self.points, stacked=stacked, mark=None if pareto else chart.mark)
        self.right = _axis(groups[1], self.points, mark=chart.mark if pareto else None) if len(groups) > 1 else None
        self.mark_axis = self.right if pareto and self.right else self.left
        self.colour = {one.key: PALETTE[index % len(PALETTE)] for index, one in enumerate(chart.series)}
        drawn_lines = {one.key for one in self.right.series} if self.right else set()
        if chart.kind == "lines":
            drawn_lines |= {one.key for one in self.left.series}
        shown = self.left.series + (self.right.series if self.right else [])
        self.legend, self.top = _legend(shown, self.colour, drawn_lines)
        self.right_edge = WIDTH - (SIDE_AXIS if self.right else RIGHT_PLAIN)
        self.slot = (self.right_edge - LEFT) / len(self.points)
        self.every = math.ceil(len(self.points) / MAX_LABELS)  # every n-th point is labelled
        self.room = int(self.slot * self.every * 0.95 / CHAR_WIDTH)  # characters a flat label has
        texts = [_axis_text(point) for point in self.points]
        long = any(len(text) > self.room for text in texts)
        # Wrapped, a word longer than the room is cut short ("Receiv…"); slanted, it reads whole.
        words_fit = all(len(word) <= self.room for text in texts for word in text.split())
        self.wrapped = long and len(self.points) <= WRAPPED_UP_TO and words_fit
        self.slanted = long and not self.wrapped
        self.bottom = self.top + PLOT_HEIGHT
        self.height = self.bottom + (BOTTOM_SLANTED if self.slanted else BOTTOM_FLAT + self.wrapped * LINE_HEIGHT)

    def y(self, axis: _Axis, value: float) -> float:
        return self.bottom - (self.bottom - self.top) * value / axis.top

    def x_mid(self, index: int) -> float:
        return LEFT + self.slot * (index + 0.5)


    def figure(self, shape: str, point: Point, one: Series) -> str:
        """A bar or a dot with its accessible name, linked to the cards behind it when there are any."""
        name = f"{point.label} — {one.label}: {format_value(point.values.get(one.key), one.unit)}"
        href = figure_link(self.link, self.chart, point, one)
        if href is None:
            return shape.replace("/>", f"><title>{escape(name)}</title></{shape.split()[0][1:]}>", 1)
        return f'<a href="{escape(href)}" aria-label="{escape(name)}">{shape}</a>'

    def draw(self) -> str:
        parts = [self.head.format(height=self.height), *self.legend, *self.grid()]
        if self.chart.kind == "lines":
            for one in self.left.series:
                parts += self.line(self.left, one)
        elif self.chart.kind == "stacked":
            parts += self.stacks()
        else:
            parts += self.bars()
        if self.right:
            for one in self.right.series:
                parts += self.line(self.right, one, dashed=self.chart.kind == "lines")
        parts += self.mark()
        parts += self.labels()
        parts.append("</svg>")
        return "".join(parts)

    def grid(self) -> list[str]:
        parts = []
        for tick in self.left.ticks:
            y = self.y(self.left, tick)
            parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{self.right_edge}" y2="{y:.1f}" stroke="#e5e7eb"/>')
            parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_tick_text(tick)}</text>')
        middle = (self.top + self.bottom) / 2
        parts += [
            f'<line x1="{LEFT}" y1="{self.bottom}" x2="{self.right_edge}" y2="{self.bottom}" stroke="#374151"/>',
            f'<line x1="{LEFT}" y1="{self.top}" x2="{LEFT}" y2="{self.bottom}" stroke="#374151"/>',
            f'<text x="14" y="{middle:.1f}" text-anchor="middle" transform="rotate(-90 14 {middle:.1f})">'
            f'{escape(self.left.label)}</text>',
        ]
        if self.right:
            edge = self.right_edge
            for tick in self.right.ticks:
                y = self.y(self.right, tick)
                parts.append(f'<text x="{edge + 6}" y="{y + 4:.1f}">{_tick_text(tick)}</text>')
            parts += [
                f'<line x1="{edge}" y1="{self.top}" x2="{edge}" y2="{self.bottom}" stroke="#374151"/>',
                f'<text x="{WIDTH - 8}" y="{middle:.1f}" text-anchor="middle" '
                f'transform="rotate(90 {WIDTH - 8} {middle:.1f})">{escape(self.right.label)}</text>',
            ]
        return parts

    def bars(self) -> list[str]:
        group = self.left.series
        width = self.slot * 0.76 / len(group)
        show_values = len(self.points) * len(group) <= VALUES_SHOWN_UP_TO
        parts = []
        for index, point in enumerate(self.points):
            for offset, one in enumerate(group):
                value = point.values.get(one.key)
                if value is None:
                    continue
                x = LEFT + self.slot * (index + 0.12) + offset * width
                y = self.y(self.left, value)
                shape = (f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{self.bottom - y:.1f}" '
                         f'fill="{self.colour[one.key]}"/>')
                parts.append(self.figure(shape, point, one))
                if show_values:
                    parts.append(f'<text x="{x + width / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" '
                                 f'font-size="11">{format_value(value)}</text>')
        return parts

    def stacks(self) -> list[str]:
        width = self.slot * 0.7
        show_totals = len(self.points) <= VALUES_SHOWN_UP_TO
        parts = []
        for index, point in enumerate(self.points):
            x, total = LEFT + self.slot * (index + 0.15), 0.0
            for one in self.left.series:
                value = point.values.get(one.key) or 0
                if not value:
                    continue
                low, high = self.y(self.left, total), self.y(self.left, total + value)
                total += value
                shape = (f'<rect x="{x:.1f}" y="{high:.1f}" width="{width:.1f}" height="{low - high:.1f}" '
                         f'fill="{self.colour[one.key]}" stroke="#fff" stroke-width="0.5"/>')
                parts.append(self.figure(shape, point, one))
            if show_totals and total:
                parts.append(f'<text x="{x + width / 2:.1f}" y="{self.y(self.left, total) - 3:.1f}" '
                             f'text-anchor="middle" font-size="11">{format_value(total)}</text>')
        return parts

    def line(self, axis: _Axis, one: Series, *, dashed: bool = False) -> list[str]:
        colour = self.colour[one.key]
        dots = [(index, point, point.values.get(one.key)) for index, point in enumerate(self.points)]
        runs: list[list[str]] = [[]]
        for index, _point, value in dots:
            if value is None:  # nothing measured: the line breaks rather than dropping to zero
                runs.append([])
                continue
            runs[-1].append(f"{self.x_mid(index):.1f},{self.y(axis, value):.1f}")
        dash = ' stroke-dasharray="6 3"' if dashed else ""
        parts = [f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>'
                 for run in runs if len(run) > 1]
        for index, point, value in dots:
            if value is not None:
                shape = (f'<circle cx="{self.x_mid(index):.1f}" cy="{self.y(axis, value):.1f}" r="4" '
                         f'fill="{colour}" stroke="#fff" stroke-width="1"/>')
                parts.append(self.figure(shape, point, one))
        return parts

    def mark(self) -> list[str]:
        if self.chart.mark is None:
            return []
        axis = self.mark_axis
        y = self.y(axis, self.chart.mark)
        text = format_value(self.chart.mark, axis.series[0].unit)
        return [
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{self.right_edge}" y2="{y:.1f}" stroke="#b91c1c" '
            f'stroke-width="1.5" stroke-dasharray="6 4"/>',
            f'<text x="{self.right_edge - 4}" y="{y - 4:.1f}" text-anchor="end" fill="#b91c1c" font-weight="bold" '
            f'paint-order="stroke" stroke="#fff" stroke-width="3">{escape(text)}</text>',
        ]

    def slant_room(self, index: int) -> int:
        """How many characters a slanted label has before it would run out of the drawing on the left."""
        return int((self.x_mid(index) - 8) / (SLANT_CHAR_WIDTH * SLANT_COS))

    def labels(self) -> list[str]:
        first = 0
        if self.slanted and self.every > 1:  # thinned labels may start at the first point whose label fits
            first = next((index for index in range(self.every)
                          if self.slant_room(index) >= len(_short(_axis_text(self.points[index])))), 0)
        parts = []
        for index, point in enumerate(self.points):
            if index < first or (index - first) % self.every:
                continue
            label, text = str(point.label), _axis_text(point)
            x, y = self.x_mid(index), self.bottom + 15
            if self.slanted:
                lines = [_short(text, min(LABEL_CHARS, self.slant_room(index)))]
                place = f'text-anchor="end" transform="rotate(-40 {x:.1f} {y:.1f})"'
            else:
                lines = _wrapped(text, self.room) if self.wrapped else [text]
                place = 'text-anchor="middle"'
            title = f"<title>{escape(label)}</title>" if " ".join(lines) != label else ""
            rows = "".join(f'<tspan x="{x:.1f}" dy="{LINE_HEIGHT if row else 0}">{escape(line)}</tspan>'
                           for row, line in enumerate(lines))
            parts.append(f'<text x="{x:.1f}" y="{y:.1f}" {place}>{title}{rows}</text>')
        return parts
