"""The form of a user's choice of e-mails."""

from django import forms

from .models import NotificationPreference


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["email_at_once", "daily_digest"]
