"""The customer of a card: given with a registration, shown on the card."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .fields import SharedFieldsMixin, StrictCharField


class CustomerInputSerializer(SharedFieldsMixin, serializers.Serializer):
    name = StrictCharField(max_length=300, required=False, allow_blank=True, default="")
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    phone = StrictCharField(max_length=50, required=False, allow_blank=True, default="")
    organisation = StrictCharField(max_length=300, required=False, allow_blank=True, default="")

    def validate(self, data):
        if not (data["name"] or data["email"] or data["phone"]):
            raise serializers.ValidationError(_("Give the customer's name, e-mail or phone."))
        return data


class CustomerSerializer(serializers.Serializer):
    name = serializers.CharField(source="contact.full_name", default="")
    email = serializers.CharField(source="contact.email", default="")
    phone = serializers.CharField(source="contact.phone", default="")
    organisation = serializers.CharField(source="organisation.name", default="")
