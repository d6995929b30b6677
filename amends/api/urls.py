from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from amends.complaints.converters import NUMBER_PATTERN

from .exceptions import not_found
from .schema import MEASURE_ID_PATTERN
from .views.answers_documents import LETTER_ID_PATTERN, CardPdfView, LetterDocxView, LetterPdfView
from .views.auth import TokenView
from .views.card import AttachmentView, NoteView, TimelineView, TransitionView
from .views.complaints import ComplaintDetailView, ComplaintsView
from .views.measures import MeasureReportView, MeasuresView, MeasureView

app_name = "api"

card = rf"^complaints/(?P<number>{NUMBER_PATTERN})/"
measure = card + rf"measures/(?P<measure_id>{MEASURE_ID_PATTERN})/"
letter = card + rf"letters/(?P<letter_id>{LETTER_ID_PATTERN})/"
v1 = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("complaints/", ComplaintsView.as_view(), name="complaints"),
    re_path(card + "$", ComplaintDetailView.as_view(), name="complaint"),
    re_path(card + "transitions/$", TransitionView.as_view(), name="transitions"),
    re_path(card + "notes/$", NoteView.as_view(), name="notes"),
    re_path(card + "attachments/$", AttachmentView.as_view(), name="attachments"),
    re_path(card + "timeline/$", TimelineView.as_view(), name="timeline"),
    re_path(card + "measures/$", MeasuresView.as_view(), name="measures"),
    re_path(measure + "$", MeasureView.as_view(), name="measure"),
    re_path(measure + "report/$", MeasureReportView.as_view(), name="measure_report"),
    re_path(letter + "pdf/$", LetterPdfView.as_view(), name="letter_pdf"),
    re_path(letter + "docx/$", LetterDocxView.as_view(), name="letter_docx"),
    re_path(card + "pdf/$", CardPdfView.as_view(), name="card_pdf"),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI's script from its own URL, so the page keeps the site's CSP; only its one <style> block is let in.
    path(
        "docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    # Anything else under /api/ is a JSON 404, never Django's HTML page.
    re_path(r"", not_found),
]
