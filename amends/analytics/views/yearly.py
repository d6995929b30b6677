"""The yearly statement: its page, its workbook and PDF (overseers), its conclusions and approval
(the head of the QMS)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from amends.accounts.access import PROCESS_OWNERS
from amends.answers.documents import DocumentError
from amends.reports.xlsx import CONTENT_TYPE

from ..access import access_analytics, access_conclusions
from ..statements import statement_approve, statement_conclusions_set, statement_url
from ..yearly import YearlyFigures, yearly_figures
from ..yearly_documents import empty_message, yearly_filename, yearly_statement_pdf, yearly_statement_xlsx

FIRST_YEAR = 2000
PDF = "application/pdf"


class YearForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), required=False, min_value=FIRST_YEAR)

    def clean_year(self) -> int:
        year, this_year = self.cleaned_data.get("year"), timezone.localdate().year
        if year is None:
            return this_year - 1  # the year just over: the statement due by 15 January
        if year > this_year:
            raise ValidationError(_("The year %(year)s has not begun yet.") % {"year": year})
        return year


class ConclusionsForm(forms.Form):
    conclusions = forms.CharField(label=gettext_lazy("Conclusions"), widget=forms.Textarea(attrs={"rows": 8}),
                                  required=False)


def _figures(request: HttpRequest) -> tuple[YearForm, YearlyFigures | None]:
    access_analytics(request.user)  # type: ignore[arg-type]
    form = YearForm(request.GET)
    return form, yearly_figures(request.user, form.cleaned_data["year"]) if form.is_valid() else None  # type: ignore[arg-type]


@login_required
def yearly(request: HttpRequest) -> HttpResponse:
    form, figures = _figures(request)
    statement = figures.statement if figures else None
    return render(request, "analytics/yearly/page.html", {
        "form": form, "figures": figures, "statement": statement,
        "empty_message": empty_message(figures) if figures and figures.empty else "",
        "can_conclude": request.user.has_role(*PROCESS_OWNERS),  # type: ignore[union-attr]
        "year_over": figures is not None and figures.year < timezone.localdate().year,
        "conclusions_form": ConclusionsForm(initial={"conclusions": statement.conclusions if statement else ""}),
    })


def _no_figures(request: HttpRequest, form: YearForm) -> HttpResponse:
    messages.error(request, " ".join(str(error) for error in form.errors.get("year", [])))
    return redirect("analytics:yearly")


@login_required
def yearly_xlsx(request: HttpRequest) -> HttpResponse:
    form, figures = _figures(request)
    if figures is None:
        return _no_figures(request, form)
    response = HttpResponse(yearly_statement_xlsx(figures), content_type=CONTENT_TYPE)
    name = f"{yearly_filename(figures)}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    return response


@login_required
def yearly_pdf(request: HttpRequest) -> HttpResponse:
    form, figures = _figures(request)
    if figures is None:
        return _no_figures(request, form)
    try:
        content = yearly_statement_pdf(figures)
    except DocumentError as error:  # a character the fonts lack, no Pango: said on the page
        messages.error(request, str(error))
        return redirect(statement_url(figures.year))
    response = HttpResponse(content, content_type=PDF)
    response["Content-Disposition"] = content_disposition_header(False, f"{yearly_filename(figures)}.pdf") or "inline"
    return response


def _posted_year(request: HttpRequest) -> int | None:
    form = YearForm(request.POST)
    return form.cleaned_data["year"] if form.is_valid() else None


@login_required
@require_POST
def yearly_conclusions(request: HttpRequest) -> HttpResponse:
    access_conclusions(request.user)  # type: ignore[arg-type]
    year, form = _posted_year(request), ConclusionsForm(request.POST)
    if year is None or not form.is_valid():
        messages.error(request, _("The year is not valid."))
        return redirect("analytics:yearly")
    try:
        statement_conclusions_set(actor=request.user, year=year, conclusions=form.cleaned_data["conclusions"])  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The conclusions are saved."))
    return redirect(statement_url(year))


@login_required
@require_POST
def yearly_approve(request: HttpRequest) -> HttpResponse:
    access_conclusions(request.user)  # type: ignore[arg-type]
    year = _posted_year(request)
    if year is None:
        messages.error(request, _("The year is not valid."))
        return redirect("analytics:yearly")
    try:
        statement_approve(actor=request.user, year=year)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The statement for %(year)s is approved.") % {"year": year})
    return redirect(statement_url(year))
