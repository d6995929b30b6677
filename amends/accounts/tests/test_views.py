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
