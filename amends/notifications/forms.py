from django import forms

from .models import NotificationPreference


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["email", "daily_hour"]
        widgets = {"email": forms.RadioSelect}
