"""The fishbone (Ishikawa) diagram of a nonconformity as SVG drawn on the server: no script, no
library, so the page, its print and its PDF show the same picture.

The problem sits in the head on the right, at the end of the spine; the six 6M bones run into the
spine, three above and three below; each cause is written beside its bone on a short rib to it,
wrapped by the glyph widths of the DejaVu Sans it is drawn in; a confirmed root cause is bold, dark
red and has a filled dot where its rib meets the bone (still told apart in black and white). Every
text is escaped. The drawing has a fixed width; the page lets it scroll sideways on a phone and
scales it to the page in print."""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from django.utils.html import escape
from django.utils.translation import gettext as _
from fontTools.ttLib import TTFont

from amends.answers.documents import DocumentError, font_files

from .choices import Category6M
from .models import FishboneCause, Nonconformity

FONT = 14
LINE = 18  # a text line's height
GAP = 10  # between two causes on a bone
MARGIN = 16
COLUMN = 320  # each bone's column: its causes are written to the left of the bone
SLANT = 40  # how far a bone leans from its outer end to the spine
HEAD = 230
# The widths text is wrapped to, in px: a cause beside its bone, a bone's label, the head's problem.
CAUSE_WIDTH = 230
LABEL_WIDTH = 190
HEAD_WIDTH = HEAD - 24
# Without the font's metrics (no DejaVu installed): an em fraction wide enough for capitals.
FALLBACK_ADVANCE = 0.8
MIN_BONE = 70
ROOT_COLOUR = "#a4161a"
INK = "#1f2328"
MUTED = "#59636e"

TOP, BOTTOM = Category6M.values[:3], Category6M.values[3:]


@dataclass(frozen=True)
class Cause:
    lines: list[str]
    is_root: bool

    @property
    def height(self) -> int:
        return len(self.lines) * LINE


def clean(text: str) -> str:
    """The text without control characters, which XML does not allow (line breaks become spaces)."""
    return "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)


@cache
def _advances(bold: bool) -> tuple[dict[int, float], float]:
    """Each character's advance in em, from the face the PDF draws with (the page names it first)."""
    try:
        path = font_files()[("bold" if bold else "normal", "normal")]
    except DocumentError:
        return {}, FALLBACK_ADVANCE
    font = TTFont(path, lazy=True)
    units, metrics = font["head"].unitsPerEm, font["hmtx"].metrics
    return {code: metrics[glyph][0] / units for code, glyph in font.getBestCmap().items()}, FALLBACK_ADVANCE


def text_width(text: str, *, size: int = FONT, bold: bool = False) -> float:
    advances, fallback = _advances(bold)
    return size * sum(advances.get(ord(c), fallback) for c in text)


def wrap(text: str, width: float, *, bold: bool = False) -> list[str]:
    """`text` in lines no wider than `width` px, broken between words, inside a word only when it is longer."""
    lines: list[str] = []
    line = ""
    for word in clean(text).split():
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, bold=bold) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:
            if line and text_width(line + char, bold=bold) > width:
                lines.append(line)
                line = ""
            line += char
    return [*lines, line] if line or not lines else lines


def _text(x: float, y: float, lines: Sequence[str], *, anchor: str = "start", bold: bool = False,
          colour: str = INK, size: int = FONT) -> str:
    weight = ' font-weight="bold"' if bold else ""
    spans = "".join(
        f'<tspan x="{x:.0f}" y="{y + index * LINE:.0f}">{escape(line)}</tspan>' for index, line in enumerate(lines)
    )
    return f'<text text-anchor="{anchor}" font-size="{size}" fill="{colour}"{weight}>{spans}</text>'


def _bone_height(causes: Sequence[Cause]) -> int:
    return max(MIN_BONE, sum(c.height + GAP for c in causes) + 2 * GAP)


def _bone(column: int, category: str, causes: Sequence[Cause], spine_y: int, length: int, above: bool) -> list[str]:
    """One bone: its label at the outer end, the line to the spine, its causes written beside it."""
    foot = MARGIN + (column + 1) * COLUMN - 10  # where the bone meets the spine
    sign = -1 if above else 1
    end_y = spine_y + sign * length

    def bone_x(y: float) -> float:
        return foot - SLANT * abs(y - spine_y) / length

    label = wrap(str(Category6M(category).label), LABEL_WIDTH, bold=True)
    label_y = end_y - 8 - (len(label) - 1) * LINE if above else end_y + 8 + FONT
    parts = [
        f'<g class="bone" data-category="{category}">',
        f'<line x1="{foot - SLANT}" y1="{end_y}" x2="{foot}" y2="{spine_y}" stroke="{INK}" stroke-width="2"/>',
        _text(foot - SLANT + 10, label_y, label, anchor="end", bold=True),
    ]
    # Causes are stacked top down, each at the height where its rib meets the bone.
    y = end_y + GAP + FONT if above else spine_y + 2 * GAP + FONT
    for cause in causes:
        rib_y = y - FONT / 3 + (len(cause.lines) - 1) * LINE / 2
        x = bone_x(rib_y)
        colour = ROOT_COLOUR if cause.is_root else INK
        parts.append(f'<g class="cause{" root" if cause.is_root else ""}">')
        parts.append(f'<line x1="{x - 14:.0f}" y1="{rib_y:.0f}" x2="{x:.0f}" y2="{rib_y:.0f}" stroke="{colour}"/>')
        if cause.is_root:
            parts.append(f'<circle cx="{x:.0f}" cy="{rib_y:.0f}" r="5" fill="{ROOT_COLOUR}"/>')
        parts.append(_text(x - 18, y, cause.lines, anchor="end", bold=cause.is_root, colour=colour))
        parts.append("</g>")
        y += cause.height + GAP
    parts.append("</g>")
    return parts


def fishbone_svg(nonconformity: Nonconformity, causes: Sequence[FishboneCause] | None = None) -> str:
    """The record's fishbone as an SVG element, in the active language; `causes` when already read."""
    if causes is None:
        causes = list(nonconformity.fishbone.all())
    bones: dict[str, list[Cause]] = {category: [] for category in Category6M.values}
    for cause in causes:
        bones[cause.category].append(Cause(wrap(cause.text, CAUSE_WIDTH, bold=cause.is_root), cause.is_root))

    label_lines = max(len(wrap(str(label), LABEL_WIDTH, bold=True)) for label in Category6M.labels)
    label_height = label_lines * LINE + 10
    head = [clean(nonconformity.number), *wrap(nonconformity.title, HEAD_WIDTH, bold=True)]
    head_height = len(head) * LINE + 2 * GAP
    top = max(_bone_height(bones[c]) for c in TOP)
    bottom = max(_bone_height(bones[c]) for c in BOTTOM)
    # The spine sits low enough for the upper bones and their labels, and for half the head.
    spine_y = MARGIN + max(label_height + top, head_height // 2)
    top = spine_y - MARGIN - label_height
    legend_y = spine_y + max(bottom + label_height, head_height // 2) + LINE + GAP
    width = MARGIN * 2 + 3 * COLUMN + HEAD
    height = legend_y + MARGIN

    title = _("Fishbone diagram: %(problem)s") % {"problem": clean(nonconformity.title)}
    head_x = MARGIN + 3 * COLUMN
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="fishbone-diagram" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="fishbone-title" '
        f'font-family="DejaVu Sans, Verdana, sans-serif">',
        f'<title id="fishbone-title">{escape(title)}</title>',
        f'<line x1="{MARGIN}" y1="{spine_y}" x2="{head_x}" y2="{spine_y}" stroke="{INK}" stroke-width="4"/>',
        f'<rect class="head" x="{head_x}" y="{spine_y - head_height // 2}" width="{HEAD}" height="{head_height}" '
        f'rx="12" fill="#fff" stroke="{INK}" stroke-width="2"/>',
        _text(head_x + 12, spine_y - head_height // 2 + GAP + FONT, head[:1], bold=True, colour=MUTED),
        _text(head_x + 12, spine_y - head_height // 2 + GAP + FONT + LINE, head[1:], bold=True),
    ]
    for column, category in enumerate(TOP):
        parts += _bone(column, category, bones[category], spine_y, top, True)
    for column, category in enumerate(BOTTOM):
        parts += _bone(column, category, bones[category], spine_y, bottom, False)
    parts += [
        f'<circle cx="{MARGIN + 5}" cy="{legend_y - FONT / 3:.0f}" r="5" fill="{ROOT_COLOUR}"/>',
        _text(MARGIN + 16, legend_y, [_("confirmed root cause")], bold=True, colour=ROOT_COLOUR, size=FONT - 1),
        "</svg>",
    ]
    return "".join(parts)
