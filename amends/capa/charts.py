"""Charts drawn on the server as SVG: no script, no library, the same drawing on the page and in the PDF.
The drawing scales to its box (viewBox), so it is read at 390 px as on a desk; every text is escaped."""

from dataclasses import dataclass
from itertools import count

from django.utils.html import escape

WIDTH, HEIGHT = 480, 280
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 58  # room for the axes' numbers and labels
FILL = {"over": "#c0392b", "at": "#d68910", "within": "#2e86c1"}
_ids = count(1)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    standing: str  # over / at / within: the bar's colour


def _ticks(top: int) -> list[int]:
    """Whole-number steps up the value axis, at most six."""
    step = 1
    while top / step > 5:
        step = step * 5 // 2 if str(step)[0] == "2" else step * 2
    return list(range(0, top + step, step))


def bar_chart(bars: list[Bar], *, norm: int, title: str, x_label: str, y_label: str, norm_label: str) -> str:
    """Bars with a dashed line at the norm, both axes labelled; `title` is the chart's accessible name."""
    ticks = _ticks(max([norm, *(bar.value for bar in bars), 1]))
    top = ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / top)

    slot = plot_w / max(len(bars), 1)
    slanted = len(bars) > 6  # long runs of labels turn so that they do not overlap
    ident = f"chart-{next(_ids)}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{ident}-title" class="chart" font-family="DejaVu Sans, sans-serif" font-size="12">',
        f'<title id="{ident}-title">{escape(title)}</title>',
    ]
    for tick in ticks:
        parts.append(f'<line x1="{LEFT}" y1="{y(tick):.1f}" x2="{WIDTH - RIGHT}" y2="{y(tick):.1f}" stroke="#e5e7eb"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick}</text>')
    for index, bar in enumerate(bars):
        x = LEFT + index * slot + slot * 0.15
        width = slot * 0.7
        parts.append(
            f'<rect x="{x:.1f}" y="{y(bar.value):.1f}" width="{width:.1f}" height="{y(0) - y(bar.value):.1f}" '
            f'fill="{FILL.get(bar.standing, FILL["within"])}"><title>{escape(bar.label)}: {bar.value}</title></rect>',
        )
        parts.append(
            f'<text x="{x + width / 2:.1f}" y="{y(bar.value) - 3:.1f}" text-anchor="middle">{bar.value}</text>',
        )
        label_x, label_y = x + width / 2, y(0) + 15
        if slanted:
            parts.append(
                f'<text x="{label_x:.1f}" y="{label_y:.1f}" text-anchor="end" '
                f'transform="rotate(-40 {label_x:.1f} {label_y:.1f})">{escape(bar.label)}</text>',
            )
        else:
            parts.append(f'<text x="{label_x:.1f}" y="{label_y:.1f}" text-anchor="middle">{escape(bar.label)}</text>')
    parts += [
        f'<line x1="{LEFT}" y1="{y(0):.1f}" x2="{WIDTH - RIGHT}" y2="{y(0):.1f}" stroke="#374151"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{y(0):.1f}" stroke="#374151"/>',
        f'<line x1="{LEFT}" y1="{y(norm):.1f}" x2="{WIDTH - RIGHT}" y2="{y(norm):.1f}" stroke="#111827" '
        f'stroke-width="2" stroke-dasharray="6 4"/>',
        # A white halo: the label reads over a bar as tall as the norm (the demo's battery supplier).
        f'<text x="{WIDTH - RIGHT}" y="{y(norm) - 4:.1f}" text-anchor="end" font-weight="bold" '
        f'paint-order="stroke" stroke="#fff" stroke-width="3">'
        f'{escape(norm_label)}</text>',
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 4}" text-anchor="middle">{escape(x_label)}</text>',
        f'<text x="12" y="{TOP + plot_h / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 12 {TOP + plot_h / 2:.1f})">{escape(y_label)}</text>',
        "</svg>",
    ]
    return "\n".join(parts)
