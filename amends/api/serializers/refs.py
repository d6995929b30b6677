"""Reference data and users, as the other resources name them."""

from rest_framework import serializers


class RefSerializer(serializers.Serializer):
    """A reference-data item (category, cause, product) by ID and name in the user's language."""

    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="__str__")
