from django.urls import reverse

from amends.capa.nonconformities import nonconformity_open


def test_the_admin_shows_a_record_with_its_cards_and_timeline_and_changes_nothing(client, administrator, qms,
                                                                                classified):
    card = classified()
    record = nonconformity_open(actor=qms, title="Батареи", complaints=[card])
    client.force_login(administrator)
    listing = client.get(reverse("admin:capa_nonconformity_changelist"), {"q": record.number})
    assert listing.status_code == 200 and record.number in listing.content.decode()
    change = reverse("admin:capa_nonconformity_change", args=[record.pk])
    shown = client.get(change).content.decode()
    assert card.number in shown and "Батареи" in shown
    assert client.post(change, {"title": "Другое"}).status_code == 403
    assert client.get(reverse("admin:capa_nonconformity_add")).status_code == 403
    record.refresh_from_db()
    assert record.title == "Батареи"
