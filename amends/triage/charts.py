"""The calibration curve as inline SVG: each confidence bin's mean confidence against how often it was
right, beside the diagonal of a perfectly calibrated model."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

SIZE, PAD = 240, 30


def _point(confidence: float, accuracy: float) -> tuple[str, str]:
    return f"{PAD + confidence * SIZE:.1f}", f"{PAD + (1 - accuracy) * SIZE:.1f}"


def calibration_svg(bins: list[dict], title: str, x_label: str, y_label: str) -> SafeString:
    """`bins`: [{"confidence", "accuracy", "count"}...]; empty bins (None) are left out."""
    points = [_point(b["confidence"], b["accuracy"]) for b in bins if b.get("count") and b["confidence"] is not None]
    full = SIZE + 2 * PAD
    line = " ".join(f"{x},{y}" for x, y in points)
    dots = format_html_join("", '<circle cx="{}" cy="{}" r="3"></circle>', points)
    return format_html(
        '<svg class="calibration" role="img" viewBox="0 0 {full} {full}" width="{full}" height="{full}">'
        "<title>{title}</title>"
        '<rect x="{pad}" y="{pad}" width="{size}" height="{size}" fill="none" stroke="#999"></rect>'
        '<line x1="{pad}" y1="{end}" x2="{end}" y2="{pad}" stroke="#bbb" stroke-dasharray="4 3"></line>'
        '<polyline points="{line}" fill="none" stroke="#2563eb" stroke-width="2"></polyline>'
        '<g fill="#2563eb">{dots}</g>'
        '<text x="{mid}" y="{bottom}" text-anchor="middle" font-size="11">{x_label}</text>'
        '<text x="10" y="{mid}" text-anchor="middle" font-size="11" transform="rotate(-90 10 {mid})">{y_label}</text>'
        "</svg>",
        full=full, pad=PAD, size=SIZE, end=PAD + SIZE, line=line, dots=dots, title=title,
        mid=full // 2, bottom=full - 6, x_label=x_label, y_label=y_label,
    )
