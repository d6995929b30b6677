from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from amends.capa.converters import RECORD_NUMBER_PATTERN
from amends.complaints.converters import NUMBER_PATTERN

from .exceptions import not_found
from .schema import ID_PATTERN
from .views.analytics import ChartView, DashboardsView, DashboardView
from .views.answers_compensation import (
    CompensationApproveView,
    CompensationOptionsView,
    CompensationRefuseView,
    CompensationView,
)
from .views.answers_documents import CardPdfView, LetterDocxView, LetterPdfView
from .views.answers_letters import (
    LegalReferencesView,
    LetterMissingView,
    LettersView,
    LetterTemplatesView,
    LetterView,
)
from .views.answers_send import (
    AnswerSendView,
    DeliveriesView,
    DeliveryChannelsView,
    DeliveryPostedView,
    DeliveryRetryView,
)
from .views.answers_tone import CustomerMessageView, ToneCheckView
from .views.auth import TokenView
from .views.capa_actions import (
    ActionCancelView,
    ActionReportView,
    ActionRescheduleView,
    ActionsView,
    CheckView,
    EvidenceView,
    MeasurePromoteView,
    PlanCompleteView,
)
from .views.capa_records import (
    AnalysisView,
    AppointView,
    FishboneCauseView,
    FishboneConfirmView,
    FishboneView,
    LinksView,
    NonconformitiesView,
    NonconformityView,
    RecordPdfView,
    RecordTimelineView,
    StepView,
    UnlinkView,
    WhysView,
)
from .views.capa_suppliers import (
    NormsView,
    ProposalAcceptView,
    ProposalDismissView,
    ProposalsView,
    ScorecardView,
    SuppliersView,
)
from .views.card import AttachmentView, NoteView, TimelineView, TransitionView
from .views.complaints import ComplaintDetailView, ComplaintsView
from .views.measures import MeasureReportView, MeasuresView, MeasureView
from .views.surveys import (
    CampaignsView,
    CampaignView,
    KView,
    QuestionnairesView,
    QuestionnaireView,
    ResponsesView,
    ResponseView,
)

app_name = "api"

card = rf"^complaints/(?P<number>{NUMBER_PATTERN})/"
measure = card + rf"measures/(?P<measure_id>{ID_PATTERN})/"
compensation_grant = card + rf"compensation/(?P<grant_id>{ID_PATTERN})/"
letter = card + rf"letters/(?P<letter_id>{ID_PATTERN})/"
delivery = card + rf"deliveries/(?P<delivery_id>{ID_PATTERN})/"
record = rf"^nonconformities/(?P<record>{RECORD_NUMBER_PATTERN})/"
action = record + rf"actions/(?P<action_id>{ID_PATTERN})/"
cause = record + rf"fishbone/(?P<cause_id>{ID_PATTERN})/"
proposal = rf"^proposals/(?P<proposal_id>{ID_PATTERN})/"
v1 = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("complaints/", ComplaintsView.as_view(), name="complaints"),
    re_path(card + "$", ComplaintDetailView.as_view(), name="complaint"),
    re_path(card + "transitions/$", TransitionView.as_view(), name="transitions"),
    re_path(card + "notes/$", NoteView.as_view(), name="notes"),
    re_path(card + "attachments/$", AttachmentView.as_view(), name="attachments"),
    re_path(card + "timeline/$", TimelineView.as_view(), name="timeline"),
    re_path(card + "messages/$", CustomerMessageView.as_view(), name="messages"),
    path("tone-check/", ToneCheckView.as_view(), name="tone_check"),
    path("letter-templates/", LetterTemplatesView.as_view(), name="letter_templates"),
    path("letter-references/", LegalReferencesView.as_view(), name="letter_references"),
    re_path(card + "measures/$", MeasuresView.as_view(), name="measures"),
    re_path(measure + "$", MeasureView.as_view(), name="measure"),
    re_path(measure + "report/$", MeasureReportView.as_view(), name="measure_report"),
    re_path(card + "compensation/$", CompensationView.as_view(), name="compensation"),
    re_path(card + "compensation/options/$", CompensationOptionsView.as_view(), name="compensation_options"),
    re_path(compensation_grant + "approve/$", CompensationApproveView.as_view(), name="compensation_approve"),
    re_path(compensation_grant + "refuse/$", CompensationRefuseView.as_view(), name="compensation_refuse"),
    re_path(card + "letters/$", LettersView.as_view(), name="letters"),
    re_path(letter + "$", LetterView.as_view(), name="letter"),
    re_path(letter + "missing/$", LetterMissingView.as_view(), name="letter_missing"),
    re_path(letter + "send/$", AnswerSendView.as_view(), name="answer_send"),
    re_path(card + "deliveries/$", DeliveriesView.as_view(), name="deliveries"),
    re_path(card + "deliveries/channels/$", DeliveryChannelsView.as_view(), name="delivery_channels"),
    re_path(delivery + "posted/$", DeliveryPostedView.as_view(), name="delivery_posted"),
    re_path(delivery + "retry/$", DeliveryRetryView.as_view(), name="delivery_retry"),
    re_path(letter + "pdf/$", LetterPdfView.as_view(), name="letter_pdf"),
    re_path(letter + "docx/$", LetterDocxView.as_view(), name="letter_docx"),
    re_path(card + "pdf/$", CardPdfView.as_view(), name="card_pdf"),
    re_path(measure + "promote/$", MeasurePromoteView.as_view(), name="capa_measure_promote"),
    path("nonconformities/", NonconformitiesView.as_view(), name="capa_nonconformities"),
    re_path(record + "$", NonconformityView.as_view(), name="capa_nonconformity"),
    re_path(record + "appoint/$", AppointView.as_view(), name="capa_appoint"),
    re_path(record + "steps/$", StepView.as_view(), name="capa_step"),
    re_path(record + "complaints/$", LinksView.as_view(), name="capa_link"),
    re_path(record + rf"complaints/(?P<card>{NUMBER_PATTERN})/$", UnlinkView.as_view(), name="capa_unlink"),
    re_path(record + "whys/$", WhysView.as_view(), name="capa_whys"),
    re_path(record + "fishbone/$", FishboneView.as_view(), name="capa_fishbone"),
    re_path(cause + "$", FishboneCauseView.as_view(), name="capa_fishbone_cause"),
    re_path(cause + "confirm/$", FishboneConfirmView.as_view(), name="capa_fishbone_confirm"),
    re_path(record + "analysis/$", AnalysisView.as_view(), name="capa_analysis"),
    re_path(record + "actions/$", ActionsView.as_view(), name="capa_actions"),
    re_path(record + "actions/complete/$", PlanCompleteView.as_view(), name="capa_plan_complete"),
    re_path(action + "report/$", ActionReportView.as_view(), name="capa_action_report"),
    re_path(action + "cancel/$", ActionCancelView.as_view(), name="capa_action_cancel"),
    re_path(action + "reschedule/$", ActionRescheduleView.as_view(), name="capa_action_reschedule"),
    re_path(action + "evidence/$", EvidenceView.as_view(), name="capa_action_evidence"),
    re_path(action + "check/$", CheckView.as_view(), name="capa_action_check"),
    re_path(record + "timeline/$", RecordTimelineView.as_view(), name="capa_timeline"),
    re_path(record + "pdf/$", RecordPdfView.as_view(), name="capa_pdf"),
    path("proposals/", ProposalsView.as_view(), name="capa_proposals"),
    re_path(proposal + "accept/$", ProposalAcceptView.as_view(), name="capa_proposal_accept"),
    re_path(proposal + "dismiss/$", ProposalDismissView.as_view(), name="capa_proposal_dismiss"),
    path("norms/", NormsView.as_view(), name="capa_norms"),
    path("suppliers/", SuppliersView.as_view(), name="capa_suppliers"),
    re_path(rf"^suppliers/(?P<supplier_id>{ID_PATTERN})/$", ScorecardView.as_view(), name="capa_supplier"),
    path("analytics/dashboards/", DashboardsView.as_view(), name="analytics_dashboards"),
    path("analytics/dashboards/<slug:key>/", DashboardView.as_view(), name="analytics_dashboard"),
    path("analytics/charts/<slug:key>/", ChartView.as_view(), name="analytics_chart"),
    path("surveys/questionnaires/", QuestionnairesView.as_view(), name="surveys_questionnaires"),
    re_path(rf"^surveys/questionnaires/(?P<questionnaire_id>{ID_PATTERN})/$", QuestionnaireView.as_view(),
            name="surveys_questionnaire"),
    path("surveys/campaigns/", CampaignsView.as_view(), name="surveys_campaigns"),
    re_path(rf"^surveys/campaigns/(?P<campaign_id>{ID_PATTERN})/$", CampaignView.as_view(), name="surveys_campaign"),
    path("surveys/responses/", ResponsesView.as_view(), name="surveys_responses"),
    re_path(rf"^surveys/responses/(?P<response_id>{ID_PATTERN})/$", ResponseView.as_view(), name="surveys_response"),
    path("surveys/k/", KView.as_view(), name="surveys_k"),
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
