"""Registration's serializers share their field prototypes: each instance still validates on its own."""

from amends.api.serializers.complaints import ComplaintCreateSerializer
from amends.api.serializers.customers import CustomerInputSerializer


def test_instances_bind_copies_and_leave_the_prototypes_untouched(db):
    good = ComplaintCreateSerializer(data={"channel": "email", "text": "Текст", "customer": {"name": "Анна"}})
    bad = ComplaintCreateSerializer(data={"channel": "pigeon", "text": 5, "customer": {"organisation": "ООО"}})
    assert good.is_valid() and not bad.is_valid()
    assert set(bad.errors) == {"channel", "text", "customer"}
    assert good.validated_data["customer"]["name"] == "Анна" and good.errors == {}
    assert good.fields["channel"] is not bad.fields["channel"]
    assert good.fields["channel"].parent is good and bad.fields["channel"].parent is bad
    for serializer in (ComplaintCreateSerializer, CustomerInputSerializer):
        assert all(field.parent is None for field in serializer._declared_fields.values())
