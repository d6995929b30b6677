import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "header"), [
    ("en", "Amends administration"), ("ru", "Администрирование Amends"), ("hy", "Amends-ի կառավարում"),
])
def test_the_admin_is_named_amends_in_the_users_language(client, administrator, language, header):
    administrator.language = language
    administrator.save(update_fields=["language"])
    client.force_login(administrator)
    page = client.get("/admin/").content.decode()
    assert header in page and "Django" not in page
