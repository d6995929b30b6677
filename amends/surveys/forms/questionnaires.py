"""The questionnaire pages' forms and the settings form; the services (questionnaires.py) give the
messages for what only they can check (a published version, a duplicate key)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from amends.core.forms import listed_formfield

from ..models import Criterion, SurveyPolicy
from ..questionnaires import POLICY_FIELDS, sendable_questionnaires


class QuestionnaireForm(forms.Form):
    name = forms.CharField(label=_("Name (Russian)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    name_hy = forms.CharField(label=_("Name (Armenian)"), max_length=200, required=False)


class QuestionnaireEditForm(QuestionnaireForm):
    is_active = forms.BooleanField(
        label=_("Active (offered for new campaigns)"), required=False,
    )


class IntroForm(forms.Form):
    intro = forms.CharField(label=_("Introduction (Russian)"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    intro_en = forms.CharField(label=_("Introduction (English)"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))
    intro_hy = forms.CharField(label=_("Introduction (Armenian)"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))


class CriterionForm(forms.ModelForm):
    """A criterion's names and questions; the key may be left blank to be made from the English name."""

    class Meta:
        model = Criterion
        fields = ["name", "name_en", "name_hy", "question", "question_en", "question_hy", "key", "order"]
        labels = {"name": _("Criterion (Russian)"), "question": _("Question (Russian)")}
        help_texts = {
            "key": _("The same criterion in every version, so that the reports follow it across the years; "
                     "blank: made from the English name."),
            "question": _("Optional: the question the customer reads under the criterion's name."),
        }
        widgets = {
            "question": forms.Textarea(attrs={"rows": 2}),
            "question_en": forms.Textarea(attrs={"rows": 2}),
            "question_hy": forms.Textarea(attrs={"rows": 2}),
            "order": forms.NumberInput(attrs={"inputmode": "numeric"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key"].required = False
        # The service checks the key and the uniqueness, with the version it locks.
        self.fields["key"].validators = []

    def validate_unique(self) -> None:
        pass


class SurveyPolicyForm(forms.ModelForm):
    """The settings page's form (and the admin's): only questionnaires that can be sent are offered."""

    class Meta:
        model = SurveyPolicy
        formfield_callback = listed_formfield
        fields = list(POLICY_FIELDS)
        widgets = {
            name: forms.NumberInput(attrs={"inputmode": "numeric"})
            for name in ("link_valid_days", "reminder_after_days", "reminders_max", "active_months",
                         "low_k_due_days", "norm_min_responses")
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        keep = (self.instance.post_resolution_id, self.instance.periodic_id)
        for name in ("post_resolution", "periodic"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)  # noqa: TID251 - the admin's fields too
            field.queryset = sendable_questionnaires(keep=keep)
            field.empty_label = _("None: not sent")
