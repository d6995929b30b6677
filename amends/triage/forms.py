from django import forms
from django.utils.translation import gettext_lazy as _

from .fields import FIELDS
from .models import MODEL_CHOICES, FieldPolicy, KeywordRule, TriageField


class PolicyForm(forms.Form):
    """Every field's threshold on one form; empty: only suggested, never applied by itself."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = {p.field: p.auto_apply_at for p in FieldPolicy.objects.all()}
        for value, label in TriageField.choices:
            self.fields[value] = forms.DecimalField(
                label=label, required=False, min_value=0, max_value=1, max_digits=3, decimal_places=2,
                initial=current.get(value),
                help_text=_("From 0 to 1, e.g. 0.90; empty: never applied automatically."),
            )


class KeywordRuleForm(forms.ModelForm):
    class Meta:
        model = KeywordRule
        fields = ["value", "keywords", "active"]
        widgets = {"keywords": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The value as a choice of every field's values, grouped by field.
        self.fields["value"] = forms.ChoiceField(label=_("Value"), choices=[
            (str(label), [(f"{name}:{value}", spec.label(value, option)) for value, option in spec.options().items()])
            for name, spec in FIELDS.items() for label in [TriageField(name).label]
        ])
        if self.instance.pk:
            self.initial["value"] = f"{self.instance.field}:{self.instance.value}"

    def clean_value(self) -> str:
        field, _sep, value = self.cleaned_data["value"].partition(":")
        self.instance.field = field
        return value


class TrainForm(forms.Form):
    field = forms.ChoiceField(label=_("Field"), choices=MODEL_CHOICES)
