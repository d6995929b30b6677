from django import forms
from django.utils.translation import gettext_lazy as _

from .models import KIND_LABELS, NotificationPreference


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["email", "daily_hour"]
        widgets = {"email": forms.RadioSelect}


class NotificationFilterForm(forms.Form):
    """The list's filter, read from the query string (the page) or the POST (marking read)."""

    kind = forms.ChoiceField(label=_("Kind"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("", _("All")), ("unread", _("Unread")), ("read", _("Read")),
    ])
    card = forms.CharField(label=_("Card No."), required=False, max_length=20)

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)  # declared above
        kind.choices = [("", _("All kinds")), *(
            (kind, KIND_LABELS.get(kind, kind)) for kind in kinds
        )]

    def filters(self) -> dict[str, str]:
        """The valid filter's values; a wrong one (a kind since gone) filters nothing."""
        if not self.is_valid():
            return {}
        return {name: value.strip() for name, value in self.cleaned_data.items() if value and value.strip()}
