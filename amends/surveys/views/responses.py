"""The responses list and one response: the seeds' table of its K, the loyalty answers, who/when/how."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from ..access import access_response, access_surveys, can_see_customer
from ..forms.responses import ResponseFilterForm
from ..models import Criterion, Response
from ..models.policy import policy
from ..scoring import Rating, band, below, parts

PAGE_SIZE = 50
TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class TableRow:
    """One line of the seeds' table: the criterion, its score and importance, weight % and k."""

    criterion: Criterion
    score: int
    importance: int
    weight: Decimal
    k: Decimal


def two_places(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def seeds_table(response: Response) -> list[TableRow]:
    answers = list(response.answers.select_related("criterion"))
    found = parts([Rating(answer.score, answer.importance) for answer in answers])
    return [
        TableRow(answer.criterion, answer.score, answer.importance, two_places(part.weight), two_places(part.k))
        for answer, part in zip(answers, found, strict=True)
    ]


@login_required
def responses(request):
    access_surveys(request.user)
    form = ResponseFilterForm(request.GET)
    found = form.responses().select_related("contact__organisation", "complaint", "entered_by")
    page = Paginator(found.order_by("-received_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "surveys/responses/list.html", {
        "form": form, "page": page, "query": query.urlencode(), "threshold": policy().k_threshold,
    })


@login_required
def response(request, pk: int):
    found = get_object_or_404(
        Response.objects.select_related(
            "contact__organisation", "complaint", "entered_by", "version__questionnaire", "invitation__campaign",
            "product",
        ),
        pk=pk,
    )
    access_response(request.user, found)
    threshold = policy().k_threshold
    exact = Fraction(found.weighted_sum, found.importance_sum)
    return render(request, "surveys/responses/detail.html", {
        "response": found, "rows": seeds_table(found), "threshold": threshold, "below": below(exact, threshold),
        "band": band(exact), "k_shown": two_places(exact),
        "follow_ups": found.follow_ups.select_related("owner", "closed_by").order_by("opened_at", "pk"),
        "may_see_customer": can_see_customer(request.user, found.contact),
    })
