"""The questionnaire as a form: the customer's behind the personal link, and the staff's typing in of
an answer that came by post, fax, phone or e-mail (`staff=True` adds how and when it came)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import STAFF_SOURCES
from ..models import Criterion, QuestionnaireVersion
from ..scoring import IMPORTANCES, SCORES, Rating, RatingError, ratings_check

NOT_RATED = ("", "—")
SCORE_CHOICES = [NOT_RATED, *((value, str(value)) for value in SCORES)]
IMPORTANCE_CHOICES = [NOT_RATED, *((value, str(value)) for value in IMPORTANCES)]
YES, NO, NO_ANSWER = "yes", "no", ""
LOYALTY_CHOICES = [(YES, _("Yes")), (NO, _("No")), (NO_ANSWER, _("No answer"))]


def _loyalty(label) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=LOYALTY_CHOICES, required=False, initial=NO_ANSWER, empty_value=None,
        coerce=lambda value: value == YES, widget=forms.RadioSelect,
    )


def _rating_field(label, help_text, choices, low: int) -> forms.IntegerField:
    # A select: the phone's own picker, and a value outside the scale (a hand-made request) is
    # refused with the scale in the message.
    out_of_range = _("From %(low)s to 10.") % {"low": low}
    return forms.IntegerField(
        label=label, help_text=help_text, required=False, min_value=low, max_value=10,
        widget=forms.Select(choices=choices),
        error_messages={"min_value": out_of_range, "max_value": out_of_range, "invalid": out_of_range},
    )


class ResponseForm(forms.Form):
    suggestion = forms.CharField(
        label=_("What would you suggest we do better?"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, version: QuestionnaireVersion, data=None, *, staff: bool = False, **kwargs):
        super().__init__(data, **kwargs)
        self.version = version
        self.criteria: list[Criterion] = list(version.criteria.all())
        for criterion in self.criteria:
            self.fields[f"score_{criterion.pk}"] = _rating_field(
                _("Score"), _("1 — very poor, 10 — excellent"), SCORE_CHOICES, low=1,
            )
            self.fields[f"importance_{criterion.pk}"] = _rating_field(
                _("Importance to you"), _("0 — does not matter, 10 — matters most"), IMPORTANCE_CHOICES, low=0,
            )
        self.fields["recommends"] = _loyalty(_("Would you recommend us?"))
        self.fields["continues"] = _loyalty(_("Will you keep working with us?"))
        self.order_fields([*(name for name in self.fields if name != "suggestion"), "suggestion"])
        if staff:
            self.fields["source"] = forms.ChoiceField(
                label=_("How the answers came"), choices=[(source.value, source.label) for source in STAFF_SOURCES],
            )
            self.fields["answered_on"] = forms.DateField(
                label=_("Date answered"), initial=timezone.localdate,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )

    def rows(self) -> list[tuple[Criterion, forms.BoundField, forms.BoundField]]:
        """Each criterion with its score and importance fields, for the template."""
        return [(c, self[f"score_{c.pk}"], self[f"importance_{c.pk}"]) for c in self.criteria]

    def clean_answered_on(self):
        answered_on = self.cleaned_data["answered_on"]
        if answered_on > timezone.localdate():
            raise forms.ValidationError(_("The answers cannot have come on a day still to come."))
        return answered_on

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        for criterion in self.criteria:
            score, importance = (cleaned.get(f"{name}_{criterion.pk}") for name in ("score", "importance"))
            if (score is None) != (importance is None) and not self.has_error(f"score_{criterion.pk}") \
                    and not self.has_error(f"importance_{criterion.pk}"):
                self.add_error(
                    f"importance_{criterion.pk}" if importance is None else f"score_{criterion.pk}",
                    _("Give both the score and the importance, or leave both empty."),
                )
        if self.errors:
            return cleaned
        ratings = self.ratings()
        if not ratings:
            raise forms.ValidationError(_("Rate at least one criterion."))
        try:
            ratings_check(list(ratings.values()))
        except RatingError as error:
            raise forms.ValidationError(str(error)) from error
        return cleaned

    def ratings(self) -> dict[int, Rating]:
        """The rated criteria (id → Rating); the ones left blank are not rated."""
        found = {}
        for criterion in self.criteria:
            score = self.cleaned_data.get(f"score_{criterion.pk}")
            importance = self.cleaned_data.get(f"importance_{criterion.pk}")
            if score is not None and importance is not None:
                found[criterion.pk] = Rating(score, importance)
        return found
