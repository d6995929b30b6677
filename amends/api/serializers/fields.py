"""The fields every resource's serializers build on.

REST framework coerces 5 to "5", "5" to 5 and "yes" to True. A JSON body here must have the types
the schema gives; query parameters, always strings, use the ordinary fields."""

import copy

from rest_framework import serializers


class StrictCharField(serializers.CharField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class SharedFieldsMixin:
    """REST framework deep-copies every declared field for each serializer instance, which costs
    more than the rest of a registration's validation. These serializers never change a field per
    instance, so each instance gets shallow copies: binding sets attributes on the copy only, and the
    choices, validators and querysets they share are only read. Nested serializers are still copied
    whole."""

    _declared_fields: dict[str, serializers.Field]  # set on the class by the serializer's metaclass

    def get_fields(self):
        return {
            name: copy.deepcopy(field) if isinstance(field, serializers.BaseSerializer) else copy.copy(field)
            for name, field in self._declared_fields.items()
        }
