"""What a scorecard shows besides its figures: the chart of the norm over time, and the PDF (WeasyPrint,
through answers' documents: its fonts, its base URL and its refusal to fetch anything else)."""

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from amends.answers.documents import html_pdf

from .charts import Bar, bar_chart
from .scorecard import Scorecard


def scorecard_chart(scorecard: Scorecard) -> str:
    """The supplier's norm count of each recent period against its norm, as SVG."""
    return bar_chart(
        [Bar(point.period.label, point.count, point.standing) for point in scorecard.history],
        norm=scorecard.row.norm,
        title=_("%(supplier)s: complaints counted in the norm per period, against the norm of %(norm)s") % {
            "supplier": scorecard.supplier.localized_name, "norm": scorecard.row.norm,
        },
        x_label=_("Period"), y_label=_("Complaints counted"),
        norm_label=_("norm %(norm)s") % {"norm": scorecard.row.norm},
    )


def scorecard_context(scorecard: Scorecard) -> dict:
    return {"scorecard": scorecard, "row": scorecard.row, "chart": scorecard_chart(scorecard)}


def scorecard_pdf(scorecard: Scorecard) -> bytes:
    """The scorecard on A4, in the active language, with its chart."""
    return html_pdf(
        render_to_string("capa/pdf/supplier.html", scorecard_context(scorecard)),
        layout=render_to_string("capa/pdf/supplier.css"),
    )
