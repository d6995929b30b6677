from django.urls import reverse


def test_language_choice_is_kept_on_the_user(client, operator):
    client.force_login(operator)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/complaints/"})
    assert response.status_code == 302 and response["Location"] == "/complaints/"
    operator.refresh_from_db()
    assert operator.language == "en"
    # A browser asking for Russian still gets the user's own choice.
    response = client.get(reverse("complaints:list"), HTTP_ACCEPT_LANGUAGE="ru")
    assert response.content.decode().startswith("<!doctype html>")
    assert '<html lang="en">' in response.content.decode()


def test_unknown_language_is_refused(client, operator):
    client.force_login(operator)
    assert client.post(reverse("set_language"), {"language": "xx"}).status_code == 400
    operator.refresh_from_db()
    assert operator.language == ""


def test_language_switch_ignores_foreign_redirect(client, operator):
    client.force_login(operator)
    response = client.post(reverse("set_language"), {"language": "hy", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_dates_are_shown_in_the_users_own_time_zone(client, operator, complaint):
    from datetime import UTC, datetime

    import pytest
    from django.core.exceptions import ValidationError

    from amends.complaints.models import Complaint

    Complaint.objects.filter(pk=complaint.pk).update(received_at=datetime(2026, 11, 24, 7, 0, tzinfo=UTC))
    card = reverse("complaints:detail", args=[complaint.number])
    operator.language = "ru"
    operator.save()
    client.force_login(operator)
    assert "10:00" in client.get(card).content.decode()  # the company's Moscow time
    operator.time_zone = "Asia/Yerevan"
    operator.save()
    page = client.get(card).content.decode()
    assert "11:00" in page and "10:00" not in page
    operator.time_zone = "Mars/Olympus"
    with pytest.raises(ValidationError):
        operator.full_clean()
