"""The surveys' admin, every change audited (AuditedAdmin). Records — invitations, responses, answers —
are read here, never written: a response is recorded once, by recording.py. Questions change on the
questionnaire pages, which keep a published version frozen; here only a draft's rows are changed.
Campaigns and follow-ups change through their services; the admin may rename a campaign and hand a
follow-up to another owner or date."""

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse

from amends.audit.admin import AuditedAdmin
from amends.capa.admin import ReadOnlyInline

from .forms.questionnaires import SurveyPolicyForm
from .models import (
    Answer,
    Campaign,
    Criterion,
    FollowUp,
    Invitation,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    SurveyPolicy,
)
from .models.policy import policy


class ReadOnlyAdmin(AuditedAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def _draft(version: QuestionnaireVersion | None) -> bool:
    return version is not None and version.published_at is None


@admin.register(Questionnaire)
class QuestionnaireAdmin(AuditedAdmin):
    list_display = ("name", "name_en", "name_hy", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "name_en", "name_hy")

    def has_add_permission(self, request) -> bool:
        return False  # made on surveys:questionnaires, with its draft v1

    def view_on_site(self, obj: Questionnaire) -> str:
        return reverse("surveys:questionnaire", args=[obj.pk])


class CriterionInline(admin.TabularInline):
    model = Criterion
    fields = ("order", "key", "name", "name_en", "name_hy", "question", "question_en", "question_hy")
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return _draft(obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None or _draft(obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return _draft(obj)


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(AuditedAdmin):
    list_display = ("questionnaire", "number", "published_at", "published_by")
    list_filter = ("questionnaire",)
    list_select_related = ("questionnaire", "published_by")
    fields = ("questionnaire", "number", "intro", "intro_en", "intro_hy", "published_at", "published_by")
    readonly_fields = ("questionnaire", "number", "published_at", "published_by")
    inlines = [CriterionInline]

    def has_add_permission(self, request) -> bool:
        return False  # numbered and copied by questionnaires.version_draft

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None or _draft(obj)  # published: frozen

    def has_delete_permission(self, request, obj=None) -> bool:
        return _draft(obj)

    def view_on_site(self, obj: QuestionnaireVersion) -> str:
        return reverse("surveys:version", args=[obj.pk])


@admin.register(Criterion)
class CriterionAdmin(AuditedAdmin):
    list_display = ("name", "key", "version", "order")
    list_filter = ("version__questionnaire",)
    list_select_related = ("version__questionnaire",)
    search_fields = ("name", "name_en", "name_hy", "key")
    readonly_fields = ("version",)

    def has_add_permission(self, request) -> bool:
        return False  # added to a draft on its page, or in the version's inline

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None or _draft(obj.version)

    def has_delete_permission(self, request, obj=None) -> bool:
        return obj is not None and _draft(obj.version)


@admin.register(Campaign)
class CampaignAdmin(AuditedAdmin):
    list_display = ("__str__", "kind", "period", "state", "version", "started_at", "closed_at")
    list_filter = ("kind", "state")
    list_select_related = ("version__questionnaire",)
    search_fields = ("name", "period")
    fields = ("name", "kind", "period", "version", "state", "created_by", "created_at", "started_at", "closed_at")
    readonly_fields = ("kind", "period", "version", "state", "created_by", "created_at", "started_at", "closed_at")

    def has_add_permission(self, request) -> bool:
        return False  # campaigns.campaign_create builds its invitations

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "contact", "channel", "state", "not_sent_reason", "sent_at", "answered_at")
    list_filter = ("state", "channel", "not_sent_reason")
    list_select_related = ("campaign__version__questionnaire", "contact")
    search_fields = ("contact__full_name", "contact__email")
    exclude = ("key",)  # the link's half kept in the database: not shown


class AnswerInline(ReadOnlyInline):
    model = Answer
    fields = ("criterion", "score", "importance")
    readonly_fields = fields


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ("contact", "received_at", "k", "recommends", "continues", "source", "version")
    list_filter = ("source", "recommends", "continues", "organisation_kind")
    list_select_related = ("contact", "version__questionnaire")
    search_fields = ("contact__full_name", "suggestion")
    date_hierarchy = "received_at"
    inlines = [AnswerInline]


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdmin):
    list_display = ("response", "criterion", "score", "importance")
    list_select_related = ("response", "criterion")


@admin.register(FollowUp)
class FollowUpAdmin(AuditedAdmin):
    list_display = ("__str__", "kind", "state", "owner", "due_at", "closed_at")
    list_filter = ("kind", "state")
    list_select_related = ("owner",)
    readonly_fields = ("kind", "response", "state", "opened_at", "measures", "reason", "suggestion", "result",
                       "closed_at", "closed_by")

    def has_add_permission(self, request) -> bool:
        return False  # opened by a response (followups.py)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SurveyPolicy)
class SurveyPolicyAdmin(AuditedAdmin):
    """One row (pk 1): the list opens it, and there is none to add or delete."""

    form = SurveyPolicyForm

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        return redirect(reverse("admin:surveys_surveypolicy_change", args=[policy().pk]))

    def get_object(self, request, object_id, from_field=None):
        # Before the first save the row is not stored: the defaults are shown, and saving stores them.
        found = super().get_object(request, object_id, from_field)
        return policy() if found is None and object_id == "1" else found
