"""The customer's K through time as a small SVG line, drawn on the server: no script, scales to its
box (viewBox), so it reads at 390 px as on a desk; every text is escaped."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime

WIDTH, HEIGHT = 480, 180
LEFT, RIGHT, TOP, BOTTOM = 30, 12, 12, 24
SCALE = range(0, 11, 2)  # K runs 1-10: the axis from 0, a line every two points


def k_line(points: Sequence[tuple[datetime, Decimal]], *, threshold: Decimal, title: str) -> SafeString:
    """The points in order of time, spaced evenly (one per response), with a dashed line at the
    threshold; a point below it is drawn red. `title` is the drawing's accessible name."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def day(at: datetime) -> str:
        return escape(date_format(localtime(at), "SHORT_DATE_FORMAT"))

    def y(value: Decimal | int) -> float:
        return TOP + plot_h * (1 - float(value) / 10)

    def x(index: int) -> float:
        return LEFT + (plot_w / 2 if len(points) == 1 else plot_w * index / (len(points) - 1))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" class="k-line" font-family="DejaVu Sans, sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in SCALE:
        parts.append(f'<line x1="{LEFT}" y1="{y(tick):.1f}" x2="{WIDTH - RIGHT}" y2="{y(tick):.1f}" stroke="#e5e7eb"/>')
        parts.append(f'<text x="{LEFT - 5}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick}</text>')
    parts.append(
        f'<line x1="{LEFT}" y1="{y(threshold):.1f}" x2="{WIDTH - RIGHT}" y2="{y(threshold):.1f}" '
        f'stroke="#b91c1c" stroke-width="1.5" stroke-dasharray="6 4" class="k-threshold"/>',
    )
    if len(points) > 1:
        line = " ".join(f"{x(index):.1f},{y(k):.1f}" for index, (_at, k) in enumerate(points))
        parts.append(f'<polyline points="{line}" fill="none" stroke="#2e86c1" stroke-width="2.5"/>')
    for index, (at, k) in enumerate(points):
        colour = "#b91c1c" if k < threshold else "#2e86c1"
        label = f"{day(at)}: K = {k:.2f}"
        parts.append(
            f'<circle cx="{x(index):.1f}" cy="{y(k):.1f}" r="4" fill="{colour}" stroke="#fff" stroke-width="1">'
            f"<title>{label}</title></circle>",
        )
    if points:
        first, last = points[0][0], points[-1][0]
        parts.append(f'<text x="{LEFT}" y="{HEIGHT - 6}">{day(first)}</text>')
        if len(points) > 1:
            parts.append(f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 6}" text-anchor="end">'
                         f"{day(last)}</text>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
