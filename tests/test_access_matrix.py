"""Every endpoint × every role (and no one signed in) × a card of each relation, answered as the one
access definition (complaints/access.py) says.

The endpoints are not listed by hand: they are read from the URL configuration and the API schema,
and each must have a rule below (what a request needs, how to make it). A new URL without a rule
fails `test_every_url_has_a_rule`, a new API operation `test_every_api_operation_has_a_rule`.
Each request runs in a transaction that is rolled back, so none changes what the next one meets.
"""

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from amends.accounts.models import User
from amends.accounts.roles import Role
from amends.answers.compensation import allowance_for
from amends.answers.models import CompensationGrant, CompensationOption, Delivery, Letter
from amends.complaints import access
from amends.complaints.choices import Channel, Justification, State
from amends.complaints.models import Complaint, Measure, new_tracking_code
from amends.complaints.services import attachment_store, complaint_register
from amends.complaints.transitions import TRANSITIONS

ROLES = [None, *Role.values]  # None: an employee without a role
TIES = ("registered", "responsible", "measure", "none")
READ, PLAN, REPORT = "read", "plan", "report"
DECIDE_COMPENSATION = "decide_compensation"  # a grant above the limit approved or refused: the QMS head
GRANT_GIFT = "grant_gift"  # the COMPENSATION write and the limit rule: a role with a limit for the gift


def transition(name: str) -> str:
    return f"transition:{name}"


def allowed(user: User, card: Complaint, needs: str) -> bool:
    """What the access definition grants: reading, a write of access.WRITES, a lifecycle step,
    planning or reporting measures."""
    if needs == READ:
        return access.can_view_complaint(user, card)
    if needs in access.WRITES:
        return access.can_write(user, card, needs)
    if needs.startswith("transition:"):
        return bool(TRANSITIONS[needs.split(":", 1)[1]].performers & access.relations(user, card))
    if needs == PLAN:
        return access.can_plan_measures(user, card)
    if needs == REPORT:
        return access.can_report_measure(user, card.measures.get())
    if needs == DECIDE_COMPENSATION:
        return access.has_relation(user, card, access.QMS)
    if needs == GRANT_GIFT:
        gift = CompensationOption.objects.get(kind="gift")
        return access.can_write(user, card, access.COMPENSATION) and allowance_for(user, gift) is not None
    raise AssertionError(needs)


@dataclass(frozen=True)
class Probe:
    """One request on a card: what it needs, the state the card is put in for it, its body and
    the URL's other parts."""

    method: str
    needs: str
    state: str = State.IN_PROGRESS
    data: Callable[[Complaint], dict] = lambda card: {}
    kwargs: Callable[[Complaint], dict] = lambda card: {}
    extra: dict = field(default_factory=lambda: {"format": "json"})  # API requests only


def _file(card: Complaint) -> dict:
    return {"file": SimpleUploadedFile("photo.txt", b"crack", content_type="text/plain")}


def _measure(card: Complaint) -> dict:
    return {"pk": card.measures.get().pk}


def _letter_kwargs(card: Complaint) -> dict:
    return {"pk": Letter.objects.create(complaint=card, outcome="satisfied", language="ru", subject="Ответ",
                                        body="Благодарим вас.").pk}


def _new_measure(card: Complaint) -> dict:
    return {"description": "Заменить", "executor": User.objects.get(username="other_executor").pk,
            "due_date": (timezone.localdate() + timedelta(days=5)).isoformat()}


def _gift(card: Complaint) -> dict:
    return {"option": CompensationOption.objects.get(kind="gift").pk, "value": "100", "method": "в магазине",
            "due_date": (timezone.localdate() + timedelta(days=5)).isoformat()}


def _pending_grant(card: Complaint) -> dict:
    grant = CompensationGrant.objects.create(
        complaint=card, option=CompensationOption.objects.get(kind="refund"), value=50000, method="перевод",
        due_date=timezone.localdate(), granted_by=card.responsible,
    )
    return {"grant_id": grant.pk}


def _letter(card: Complaint) -> int:
    return Letter.objects.create(complaint=card, outcome="holding", language="ru", subject="Ответ", body="Текст").pk


def _answer_letter(card: Complaint) -> Letter:
    return Letter.objects.create(complaint=card, outcome="refused", language="en", subject="Ответ", body="Текст")


def _for_post(card: Complaint):
    return Delivery.objects.create(letter=_answer_letter(card), channel="post", recipient="г. Казань")


# The web pages and forms of a card, by URL name.
UI_CARD: dict[str, Probe] = {
    "complaints:detail": Probe("get", READ),
    "complaints:card_fragment": Probe("get", READ, kwargs=lambda card: {"name": "edit"}),
    "complaints:print": Probe("get", READ),
    "complaints:acceptance_note": Probe("get", READ),
    "complaints:customer": Probe("post", access.CUSTOMER, data=lambda card: {"customer-full_name": "Петров"}),
    "complaints:sign_off_responsible": Probe("post", access.SIGN_RESPONSIBLE, state=State.CLOSED),
    "complaints:sign_off_qms": Probe("post", access.SIGN_QMS, state=State.CLOSED),
    "complaints:attachment": Probe("get", READ, kwargs=lambda card: {"pk": card.attachments.get().pk}),
    "complaints:edit": Probe("post", access.EDIT),
    "complaints:transition": Probe(
        "post", transition("investigate"), state=State.ASSIGNED,
        data=lambda card: {"investigate-version": card.version}, kwargs=lambda card: {"name": "investigate"},
    ),
    "complaints:note": Probe("post", access.NOTE, data=lambda card: {"text": "Заметка"}),
    "complaints:log_call": Probe("post", access.CALL, data=lambda card: {"text": "Позвонили"}),
    "complaints:keep_closed": Probe("post", access.AFTER_ANSWER, state=State.CLOSED,
                                    data=lambda card: {"keep-text": "Ответили по телефону"}),
    "complaints:attach": Probe("post", access.ATTACHMENT, data=_file),
    "complaints:confirm_in_writing": Probe("post", access.EDIT, data=lambda card: {
        "confirmation-confirmed_on": timezone.localdate().isoformat(), "confirmation-demand": "refund",
        "confirmation-scan": SimpleUploadedFile("claim.txt", b"I demand a refund", content_type="text/plain"),
    }),
    "complaints:measure_add": Probe("post", PLAN, state=State.DECIDED, data=_new_measure),
    "complaints:measure_remove": Probe("post", PLAN, state=State.DECIDED, kwargs=_measure),
    "complaints:measure_report": Probe("post", REPORT, data=lambda card: {"report": "Сделано"}, kwargs=_measure),
    "intake:message_customer": Probe("post", access.MESSAGE, data=lambda card: {"text": "Здравствуйте"}),
    "intake:same_customer": Probe("post", access.EDIT),
    "deadlines:waiting_start": Probe("post", access.EDIT, data=lambda card: {"waiting-reason": "Ждём фото"}),
    "deadlines:waiting_end": Probe("post", access.EDIT),
    "answers:send": Probe("post", access.ANSWER, state=State.RESOLVED, data=lambda card: {"channel": "tracking"},
                          kwargs=lambda card: {"pk": _answer_letter(card).pk}),
    "answers:retry": Probe("post", access.ANSWER, kwargs=lambda card: {"pk": _for_post(card).pk}),
    "answers:posted": Probe("post", access.ANSWER, data=lambda card: {"posted_on": timezone.localdate().isoformat()},
                            kwargs=lambda card: {"pk": _for_post(card).pk}),
    "answers:post_pdf": Probe("get", access.ANSWER, kwargs=lambda card: {"pk": _for_post(card).pk}),
    "capa:card_link": Probe("post", access.NONCONFORMITY),
    "capa:card_open": Probe("post", access.NONCONFORMITY, data=lambda card: {"nc-open-title": "Батареи"}),
    "capa:measure_promote": Probe("post", access.NONCONFORMITY, kwargs=_measure,
                                  data=lambda card: {f"promote-{card.measures.get().pk}-title": "Батареи"}),
    "deadlines:preset_choose": Probe("post", access.EDIT),
    "deadlines:clock_extend": Probe(
        "post", access.EDIT, kwargs=lambda card: {"pk": card.clocks.first().pk},
    ),
    "answers:compensation_grant": Probe(
        "post", access.COMPENSATION, data=lambda card: {f"compensation-{k}": v for k, v in _gift(card).items()},
    ),
    "answers:compensation_price": Probe("post", access.COMPENSATION, data=lambda card: {"goods-price-price": "10"}),
    "answers:compensation_approve": Probe(
        "post", DECIDE_COMPENSATION, kwargs=lambda card: {"pk": _pending_grant(card)["grant_id"]},
    ),
    "answers:compensation_refuse": Probe(
        "post", DECIDE_COMPENSATION, kwargs=lambda card: {"pk": _pending_grant(card)["grant_id"]},
    ),
    "answers:letter_draft": Probe("post", access.LETTER,
                                  data=lambda card: {"draft-outcome": "satisfied", "draft-language": "ru"}),
    "answers:letter_edit": Probe("post", access.LETTER, data=lambda card: {"letter-subject": "Ответ"},
                                 kwargs=lambda card: {"pk": _letter(card)}),
    "answers:letter_pdf": Probe("get", READ, kwargs=_letter_kwargs),
    "answers:letter_docx": Probe("get", READ, kwargs=_letter_kwargs),
    "answers:card_pdf": Probe("get", READ),
    "triage:decide": Probe("post", access.EDIT, data=lambda card: {"value": "high"},
                           kwargs=lambda card: {"field": "importance"}),
    "triage:flag_mark": Probe("post", access.NOTE, data=lambda card: {"present": "0"}),
}

# The API's operations on a card, by operationId (the schema's paths with {number}).
API_CARD: dict[str, Probe] = {
    "complaints_retrieve": Probe("get", READ),
    "complaints_timeline": Probe("get", READ),
    "complaints_transition": Probe("post", transition("investigate"), state=State.ASSIGNED,
                                   data=lambda card: {"transition": "investigate"}),
    "complaints_note": Probe("post", access.NOTE, data=lambda card: {"text": "Заметка"}),
    "complaints_message_customer": Probe("post", access.MESSAGE, data=lambda card: {"text": "Здравствуйте"}),
    "complaints_attach": Probe("post", access.ATTACHMENT, data=_file, extra={"format": "multipart"}),
    "complaints_measure_add": Probe("post", PLAN, state=State.DECIDED, data=_new_measure),
    "complaints_measure_remove": Probe("delete", PLAN, state=State.DECIDED,
                                       kwargs=lambda card: {"measure_id": card.measures.get().pk}),
    "complaints_measure_report": Probe("post", REPORT, data=lambda card: {"report": "Сделано"},
                                       kwargs=lambda card: {"measure_id": card.measures.get().pk}),
    "complaints_compensation": Probe("get", READ),
    "complaints_compensation_options": Probe("get", READ),
    "complaints_compensation_grant": Probe("post", GRANT_GIFT, data=_gift),
    "complaints_compensation_approve": Probe("post", DECIDE_COMPENSATION, kwargs=_pending_grant),
    "complaints_compensation_refuse": Probe("post", DECIDE_COMPENSATION, data=lambda card: {"reason": "Много"},
                                            kwargs=_pending_grant),
    "complaints_letters": Probe("get", READ),
    "complaints_letter_draft": Probe("post", access.LETTER, data=lambda card: {"outcome": "satisfied"}),
    "complaints_letter_retrieve": Probe("get", READ, kwargs=lambda card: {"letter_id": _letter(card)}),
    "complaints_letter_update": Probe("patch", access.LETTER, data=lambda card: {"subject": "Ответ"},
                                   kwargs=lambda card: {"letter_id": _letter(card)}),
    "complaints_letter_missing": Probe("get", READ, kwargs=lambda card: {"letter_id": _letter(card)}),
    "complaints_letter_send": Probe("post", access.ANSWER, state=State.RESOLVED,
                                    data=lambda card: {"channel": "tracking"},
                                    kwargs=lambda card: {"letter_id": _answer_letter(card).pk}),
    "complaints_deliveries": Probe("get", READ),
    "complaints_delivery_channels": Probe("get", READ),
    "complaints_delivery_retry": Probe("post", access.ANSWER, kwargs=lambda card: {"delivery_id": _for_post(card).pk}),
    "complaints_delivery_posted": Probe("post", access.ANSWER,
                                        data=lambda card: {"posted_on": timezone.localdate().isoformat()},
                                        kwargs=lambda card: {"delivery_id": _for_post(card).pk}),
    "complaints_letter_pdf": Probe("get", READ, kwargs=lambda card: {"letter_id": _letter_kwargs(card)["pk"]}),
    "complaints_letter_docx": Probe("get", READ, kwargs=lambda card: {"letter_id": _letter_kwargs(card)["pk"]}),
    "complaints_pdf": Probe("get", READ),
    "complaints_measure_promote": Probe("post", access.NONCONFORMITY, data=lambda card: {"title": "Батареи"},
                                        kwargs=lambda card: {"measure_id": card.measures.get().pk}),
}

# Everything else, with the reason it is not a card's endpoint and where its rule is tested.
NOT_A_CARD: dict[str, str] = {
    "": "the front page redirects to the list", "favicon": "public: the site's icon",
    "login": "public", "logout": "signs out", "set_language": "the user's own setting",
    "login_code": "the second login step of the session that gave the password (accounts/tests)",
    "account": "the user's own two-factor settings", "account_totp_qr": "the user's own enrolment code",
    "complaints:list": "the cards visible to the user (complaints/tests/test_relations.py)",
    "complaints:register": "role rule, accounts.access (complaints/tests/test_views.py)",
    "complaints:file_internal": "any employee files an internal complaint",
    "complaints:saved_filter_save": "the user's own (complaints/tests/test_saved_filters.py)",
    "complaints:saved_filter_delete": "the user's own (complaints/tests/test_saved_filters.py)",
    "complaints:bulk_assign": "the assign step on each card, role rule first (complaints/tests/test_bulk_assign.py)",
    "customers:lookup": "role rule, accounts.access",
    "api:token": "public: exchanges a password for a token",
    "api:complaints": "the list and registration (api/tests/test_complaints.py)",
    "api:schema": "public description", "api:docs": "public description",
    # The CAPA API: capa.access as on the pages, every role in api/tests/test_capa_access.py.
    "api:capa_nonconformities": "capa.access: overseers and owners; opening, the head of the QMS",
    "api:capa_nonconformity": "capa.access: who sees it; changes, its manager",
    "api:capa_appoint": "capa.access: the head of the QMS", "api:capa_step": "capa.access",
    "api:capa_link": "capa.access, then each card's NONCONFORMITY write in the service",
    "api:capa_unlink": "the card's NONCONFORMITY write",
    "api:capa_whys": "capa.access, the record's manager", "api:capa_fishbone": "capa.access, the record's manager",
    "api:capa_fishbone_cause": "capa.access, the record's manager",
    "api:capa_fishbone_confirm": "capa.access, the record's manager",
    "api:capa_analysis": "capa.access, the record's manager", "api:capa_actions": "capa.access, the record's manager",
    "api:capa_plan_complete": "capa.access, the record's manager",
    "api:capa_action_report": "capa.access, the action's owner or the manager",
    "api:capa_action_cancel": "capa.access, the record's manager",
    "api:capa_action_reschedule": "capa.access, the record's manager",
    "api:capa_action_evidence": "capa.access: who sees the record",
    "api:capa_action_check": "capa.access, the record's manager",
    "api:capa_timeline": "capa.access: who sees the record", "api:capa_pdf": "capa.access: who sees the record",
    "api:capa_proposals": "role rule, OVERSEERS",
    "api:capa_proposal_accept": "capa.access, the head of the QMS",
    "api:capa_proposal_dismiss": "capa.access, the head of the QMS",
    "api:capa_norms": "capa.access.can_see_nonconformities",
    "api:capa_suppliers": "capa.access: overseers", "api:capa_supplier": "capa.access: overseers",
    # The analysis' figures: analytics.access, every role in api/tests/test_analytics.py.
    "api:analytics_dashboards": "analytics.access: overseers", "api:analytics_dashboard": "analytics.access: overseers",
    "api:analytics_chart": "analytics.access: overseers",
    # The surveys' API: surveys.access as on the pages, every role in api/tests/test_surveys*.py.
    "api:surveys_questionnaires": "surveys.access: overseers", "api:surveys_questionnaire": "surveys.access: overseers",
    "api:surveys_campaigns": "surveys.access: overseers", "api:surveys_campaign": "surveys.access: overseers",
    "api:surveys_responses": "surveys.access: overseers read; typing in, the head of the QMS and administrators",
    "api:surveys_response": "surveys.access: overseers", "api:surveys_k": "surveys.access: overseers",
    "api:": "the API's JSON 404",
    "api:tone_check": "any employee: checks only the text posted (api/tests/test_answers_tone.py)",
    "api:letter_templates": "any employee: the templates' library (api/tests/test_answers_flow.py)",
    "api:letter_references": "any employee: the references' library (api/tests/test_answers_flow.py)",
    "duplicates:dismiss": "a candidate: duplicates.access, the mark_duplicate step's performers",
    "answers:tone_check": "any employee: checks only the text posted (answers/tests/test_tone.py)",
    "duplicates:draft": "role rule, accounts.access: the registration form's search (duplicates/tests/test_views.py)",
    "notifications:list": "the user's own", "notifications:read_all": "the user's own",
    "notifications:settings": "the user's own", "notifications:open": "the user's own",
    "deadlines:mine": "the user's own clocks",
    "answers:compensation_pending": "role rule, PROCESS_OWNERS (answers/tests/test_compensation_views.py)",
    "reports:weekly": "reports.access", "reports:weekly_xlsx": "reports.access",
    "capa:norms": "capa.access.can_see_scorecards (capa/tests/test_records_access.py)",
    "surveys:reports": "surveys.access.can_see_surveys (surveys/tests/test_reports.py)",
    "surveys:reports_xlsx": "surveys.access.can_see_surveys (surveys/tests/test_reports.py)",
    "surveys:reports_pdf": "surveys.access.can_see_surveys (surveys/tests/test_reports.py)",
    "capa:norm_cards": "capa.access.can_see_scorecards, cards by relations_filter (capa/tests/test_records_access.py)",
    "web_form:complain": "public form", "web_form:thanks": "the customer's code",
    "web_form:track": "the customer's code (intake/tests: staff may not post there)",
    "answers:tracking_pdf": "the customer's code (answers/tests/test_delivery.py)",
    "capa:from_list": "each ticked card checked against access.WRITES[NONCONFORMITY] (capa/tests/test_card_list.py)",
    "survey:answer": "public: the customer's signed personal link (surveys/tests)",
    "survey:thanks": "public: the customer's signed personal link (surveys/tests/test_public.py)",
    "survey:refuse": "public: the customer's signed personal link (surveys/tests/test_public.py)",
    "surveys:response_new": "surveys.access.access_campaigns: PROCESS_OWNERS (surveys/tests/test_entry.py)",
    "surveys:invitation_print": "surveys.access.access_campaigns: PROCESS_OWNERS (surveys/tests/test_entry.py)",
    "surveys:followups": "surveys.access.can_see_followups (surveys/tests/test_followups_views.py)",
    "surveys:followup": "surveys.access: overseers or the owner, closing (surveys/tests/test_followups_views.py)",
    "surveys:customer": "surveys.access.can_see_customer (surveys/tests/test_history_views.py)",
    "surveys:responses": "surveys.access.can_see_surveys (surveys/tests/test_responses_views.py)",
    "surveys:response": "surveys.access.can_see_response (surveys/tests/test_responses_views.py)",
    "surveys:campaigns": "surveys.access.can_see_surveys (surveys/tests/test_campaigns_views.py)",
    "surveys:campaign": "surveys.access.can_see_surveys (surveys/tests/test_campaigns_views.py)",
    "surveys:campaign_new": "surveys.access.can_run_campaigns (surveys/tests/test_campaigns_views.py)",
    "surveys:campaign_start": "surveys.access.can_run_campaigns (surveys/tests/test_campaigns_views.py)",
    "surveys:campaign_close": "surveys.access.can_run_campaigns (surveys/tests/test_campaigns_views.py)",
    "email:mailgate": "signed by the mail relay", "webhooks:receive": "signed by the messenger",
    "monitoring:health": "public, reads nothing (monitoring/tests/test_probes.py)",
    "monitoring:ready": "public, says only what is not ready (monitoring/tests/test_probes.py)",
    "monitoring:metrics": "the token or an allowed address (monitoring/tests/test_metrics.py)",
    "capa:action_plan": "capa.access, the record's manager (capa/tests/test_actions.py)",
    "capa:plan_complete": "capa.access, the record's manager (capa/tests/test_actions.py)",
    "capa:action_report": "capa.access, the action's owner or the manager (capa/tests/test_actions.py)",
    "capa:action_cancel": "capa.access, the record's manager (capa/tests/test_actions.py)",
    "capa:action_reschedule": "capa.access, the record's manager (capa/tests/test_actions.py)",
    "capa:action_check": "capa.access, the record's manager (capa/tests/test_effectiveness.py)",
    "capa:whys": "a nonconformity: capa.access (capa/tests/test_root_cause_views.py)",
    "capa:fishbone_add": "a nonconformity: capa.access (capa/tests/test_root_cause_views.py)",
    "capa:fishbone_remove": "a nonconformity: capa.access (capa/tests/test_root_cause_views.py)",
    "capa:fishbone_confirm": "a nonconformity: capa.access (capa/tests/test_root_cause_views.py)",
    "capa:analysis": "a nonconformity: capa.access (capa/tests/test_root_cause_views.py)",
    "capa:print": "a nonconformity: capa.access (capa/tests/test_root_cause_views.py)",
    "capa:pdf": "a nonconformity: capa.access (capa/tests/test_root_cause_views.py)",
    # Nonconformities: capa.access, every role and tie in capa/tests/test_records_access.py.
    "capa:list": "capa.access: overseers and owners (capa/tests/test_records_views.py)",
    "capa:new": "capa.access: the head of the QMS", "capa:record": "capa.access",
    "capa:appoint": "capa.access", "capa:edit": "capa.access", "capa:step": "capa.access",
    "capa:link": "capa.access, then each card's NONCONFORMITY write in the service",
    "capa:unlink": "the card's NONCONFORMITY write (capa/tests/test_records_views.py)",
    "capa:proposals": "capa.access.can_see_proposals (capa/tests/test_records_access.py)",
    "capa:proposal_accept": "capa.access, the head of the QMS (capa/tests/test_proposals_views.py)",
    "capa:proposal_dismiss": "capa.access, the head of the QMS (capa/tests/test_proposals_views.py)",
    "capa:suppliers": "capa.access: overseers (capa/tests/test_scorecard_views.py)",
    "capa:supplier": "capa.access: overseers (capa/tests/test_scorecard_views.py)",
    "capa:supplier_xlsx": "capa.access: overseers (capa/tests/test_scorecard_views.py)",
    "capa:supplier_pdf": "capa.access: overseers (capa/tests/test_scorecard_views.py)",
    # The analysis counts every card: overseers only (analytics/tests/test_board_views.py and the others).
    "analytics:home": "anyone signed in: overseers to the dashboard, others to the list",
    "analytics:dashboard": "analytics.access: overseers", "analytics:board": "analytics.access: overseers",
    "analytics:cards": "analytics.access: overseers",
    "analytics:board_xlsx": "analytics.access: overseers", "analytics:board_pdf": "analytics.access: overseers",
    "analytics:subscriptions": "analytics.access: overseers",
    "analytics:orders": "analytics.orders: the head of the QMS and administrators",
    "analytics:monthly": "analytics.access: overseers (analytics/tests/test_monthly_views.py)",
    "analytics:monthly_xlsx": "analytics.access: overseers", "analytics:monthly_pdf": "analytics.access: overseers",
    "analytics:monthly_review": "analytics.access_conclusions: PROCESS_OWNERS",
    "analytics:monthly_decision_add": "analytics.access_conclusions: PROCESS_OWNERS",
    "analytics:monthly_decision_update": "analytics.access_conclusions: PROCESS_OWNERS",
    "analytics:yearly": "analytics.access: overseers (analytics/tests/test_yearly_views.py)",
    "analytics:yearly_xlsx": "analytics.access: overseers", "analytics:yearly_pdf": "analytics.access: overseers",
    "analytics:yearly_conclusions": "analytics.access_conclusions: PROCESS_OWNERS",
    "analytics:yearly_approve": "analytics.access_conclusions: PROCESS_OWNERS",
    # The register export: the list's cards by relations_filter, a drill-down for overseers; each export its
    # owner's alone (analytics/tests/test_exports.py).
    "analytics:exports": "the user's own", "analytics:export": "the user's own",
    "analytics:export_download": "the user's own",
    "analytics:export_start": "the list: relations_filter; a drill-down: analytics.access (OVERSEERS)",
    # Questionnaires: overseers read, administrators edit (surveys/tests/test_questionnaires_views.py).
    "surveys:questionnaires": "surveys.access: overseers read, administrators add",
    "surveys:questionnaire": "surveys.access: overseers read, administrators edit",
    "surveys:version": "surveys.access: overseers read, administrators edit a draft",
    "surveys:version_publish": "surveys.access: administrators",
    "surveys:settings": "surveys.access: overseers read, administrators change (surveys/tests/test_settings.py)",
    "imports:runs": "imports.access: administrators (imports/tests/test_screen.py)",
    "imports:upload": "imports.access: administrators (imports/tests/test_screen.py)",
    "imports:columns": "imports.access: administrators, their own session's upload (imports/tests/test_screen.py)",
    "imports:preview": "imports.access: administrators, their own session's upload (imports/tests/test_screen.py)",
    "imports:cancel": "imports.access: administrators, their own session's upload (imports/tests/test_screen.py)",
    "imports:run": "imports.access: administrators (imports/tests/test_screen.py)",
    "imports:resume": "imports.access: administrators (imports/tests/test_screen.py)",
    "imports:rejects": "imports.access: administrators (imports/tests/test_screen.py)",
    "triage:settings": "triage.access: administrators (triage/tests/test_pages.py)",
    "triage:rules": "triage.access: administrators (triage/tests/test_pages.py)",
    "triage:rule_edit": "triage.access: administrators (triage/tests/test_pages.py)",
    "triage:rule_delete": "triage.access: administrators (triage/tests/test_pages.py)",
    "triage:models": "triage.access: administrators (triage/tests/test_pages.py)",
    "triage:train": "triage.access: administrators (triage/tests/test_pages.py)",
    "triage:model_detail": "triage.access: administrators (triage/tests/test_pages.py)",
}
# The API's card URLs are checked by operation, from the schema.
API_URL_NAMES = {"api:complaint", "api:transitions", "api:notes", "api:attachments", "api:timeline",
                 "api:measures", "api:measure", "api:measure_report", "api:compensation",
                 "api:compensation_options", "api:compensation_approve", "api:compensation_refuse", "api:messages",
                 "api:letters", "api:letter", "api:letter_missing", "api:answer_send", "api:deliveries",
                 "api:delivery_posted", "api:delivery_channels", "api:delivery_retry", "api:letter_pdf",
                 "api:letter_docx", "api:card_pdf", "api:capa_measure_promote"}


def url_names(resolver: URLResolver | None = None, namespace: str = "") -> list[str]:
    """Every URL pattern's full name, from the URL configuration; the admin site aside."""
    names = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, (namespace, pattern.namespace)))
            if inner != "admin":
                names += url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            names.append(f"{namespace}:{pattern.name or ''}" if namespace else pattern.name or "")
    return names


def api_operations() -> dict[str, tuple[str, str]]:
    """operationId → (method, path), from the API schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {op["operationId"]: (method, path) for path, ops in schema["paths"].items() for method, op in ops.items()}


def test_every_url_has_a_rule():
    names = url_names()
    assert "complaints:note" in names and "intake:message_customer" in names  # the walk finds them
    missing = [name for name in names if name not in UI_CARD and name not in NOT_A_CARD and name not in API_URL_NAMES]
    assert not missing, f"URLs without an access rule in this matrix: {missing}"
    assert not (set(UI_CARD) | set(NOT_A_CARD)) - set(names), "rules for URLs that are gone"


def test_every_api_operation_has_a_rule():
    operations = api_operations()
    on_cards = {op for op, (_method, path) in operations.items() if "{number}" in path}
    assert on_cards == set(API_CARD), "API operations on a card without a rule here, or rules for gone ones"
    for op, probe in API_CARD.items():
        assert operations[op][0] == probe.method, op


@pytest.fixture
def world(make_user, contact):
    """A user per role; for each, a card of every tie (registered it, responsible for it, carries a
    measure of it, none), each with a measure, an attachment and a clock."""
    users = {role: make_user(f"as_{role or 'nobody'}", *([role] if role else []),
                             is_superuser=role == Role.ADMINISTRATOR) for role in ROLES}
    other_operator = make_user("other_operator", Role.OPERATOR)
    other_responsible = make_user("other_responsible", Role.RESPONSIBLE)
    other_executor = make_user("other_executor", Role.EXECUTOR)
    base = complaint_register(actor=other_operator, channel=Channel.EMAIL, contact=contact, wording="Трещина")
    clock = base.clocks.first()
    cards = []
    for n, (role, tie) in enumerate([(r, t) for r in ROLES for t in TIES], start=1):
        card = copy.copy(base)
        card.pk, card._state = None, copy.copy(base._state)
        card._state.adding = True
        card.number, card.tracking_code = f"1999-{n:06d}", new_tracking_code()
        card.justification = Justification.JUSTIFIED
        card.registered_by = users[role] if tie == "registered" else other_operator
        card.responsible = users[role] if tie == "responsible" else other_responsible
        card.save()
        Measure.objects.create(complaint=card, description="—", due_date=timezone.localdate() + timedelta(days=3),
                               executor=users[role] if tie == "measure" else other_executor)
        attachment_store(card, SimpleUploadedFile("a.txt", b"x"), None)
        card_clock = copy.copy(clock)
        card_clock.pk, card_clock.complaint = None, card
        card_clock._state = copy.copy(clock._state)
        card_clock._state.adding = True
        card_clock.save()
        cards.append((role, tie, card.pk))
    fresh = {role: User.objects.get(pk=user.pk) for role, user in users.items()}
    return fresh, cards


def expected(user: User | None, card: Complaint, probe: Probe) -> str:
    if user is None:
        return "anonymous"
    if not access.can_view_complaint(user, card):
        return "404"
    return "ok" if allowed(user, card, probe.needs) else "403"


def outcome(status: int, api: bool) -> str:
    """403 and 404 as they are; anonymous: the API's 401; anything else got past the access checks
    (the request may still be refused for the card's state)."""
    if status in (403, 404):
        return str(status)
    if api and status == 401:
        return "anonymous"
    assert status < 500, status
    return "ok"


def run(world, probe: Probe, address: Callable[[Complaint, dict], str], api: bool) -> tuple[int, list]:
    users, cards = world
    failures, count = [], 0
    for owner, user in [(None, None), *users.items()]:
        client: Client | APIClient = APIClient(HTTP_ACCEPT_LANGUAGE="en") if api else Client()
        if user is not None:
            if api:
                client.force_authenticate(user)
            else:
                client.force_login(user)
        for role, tie, pk in cards:
            if role != owner:  # its own card of each tie; another's card is the tie "none" again
                continue
            with transaction.atomic():
                Complaint.objects.filter(pk=pk).update(state=probe.state)
                card = Complaint.objects.get(pk=pk)
                want = expected(user, card, probe)
                response = getattr(client, probe.method)(address(card, probe.kwargs(card)), probe.data(card),
                                                         **(probe.extra if api else {}))
                if not api and user is None:
                    got = "anonymous" if response.status_code == 302 and "/login/" in response["Location"] else "ok"
                else:
                    got = outcome(response.status_code, api)
                transaction.set_rollback(True)
            count += 1
            if got != want:
                failures.append((user.username if user else "anonymous", tie, want,
                                 response.status_code))
    return count, failures


@pytest.mark.parametrize("name", sorted(UI_CARD))
def test_web_endpoint_answers_as_the_access_definition_says(world, name):
    probe = UI_CARD[name]
    count, failures = run(
        world, probe, lambda card, kwargs: reverse(name, kwargs={"number": card.number, **kwargs}), api=False,
    )
    assert count == (len(ROLES) + 1) * len(TIES)
    assert not failures, failures


@pytest.mark.parametrize("operation", sorted(API_CARD))
def test_api_operation_answers_as_the_access_definition_says(world, operation):
    probe = API_CARD[operation]
    _method, path = api_operations()[operation]

    def address(card: Complaint, kwargs: dict) -> str:
        filled = path.replace("{number}", card.number)
        for key, value in kwargs.items():
            filled = filled.replace("{" + key + "}", str(value))
        return filled

    count, failures = run(world, probe, address, api=True)
    assert count == (len(ROLES) + 1) * len(TIES)
    assert not failures, failures
