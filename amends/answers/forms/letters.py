from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from amends.accounts.models import User
from amends.complaints.models import Complaint
from amends.core.forms import ListedChoiceField, ListedMultipleChoiceField, listed_formfield

from ..choices import Outcome
from ..letters import card_language, outcomes_open
from ..models import LegalReference, Letter, LetterTemplate


class LetterDraftForm(forms.Form):
    prefix = "draft"
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    template = ListedChoiceField(
        label=_("Template"), queryset=LetterTemplate.objects.filter(is_active=True), required=False,
        help_text=_("Leave empty for the outcome's template in this language."),
    )

    def __init__(self, *args, complaint: Complaint, initial_outcome: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        outcomes = outcomes_open(complaint)
        outcome_field = self.fields["outcome"]
        assert isinstance(outcome_field, forms.ChoiceField)
        outcome_field.choices = [(value, label) for value, label in Outcome.choices if value in outcomes]
        if not self.is_bound:
            self.initial.update({"outcome": initial_outcome, "language": card_language(complaint)})


class LetterForm(forms.ModelForm):
    prefix = "letter"
    redraft = forms.BooleanField(
        label=_("Fill the text from the template again (replaces the edited text)"), required=False,
        help_text=_("After choosing references or enclosures, to have the template list them."),
    )

    class Meta:
        model = Letter
        formfield_callback = listed_formfield
        fields = ("subject", "body", "references", "enclosures", "signed_by")
        widgets = {
            "body": forms.Textarea(attrs={"rows": 24}),
            "references": forms.CheckboxSelectMultiple,
            "enclosures": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.fields
        for name, queryset in (
            ("references", LegalReference.objects.filter(is_active=True).filter(
                Q(language=self.instance.language) | Q(language=""),
            )),
            ("enclosures", self.instance.complaint.attachments.all()),
            ("signed_by", User.objects.filter(is_active=True).order_by("last_name", "first_name")),
        ):
            field = fields[name]
            assert isinstance(field, ListedChoiceField | ListedMultipleChoiceField)
            field.queryset = queryset
