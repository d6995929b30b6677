"""The icon: linked from every page's head, served from static, and at /favicon.ico for pages that name none."""

import re

import pytest


def icon_of(html: str) -> str:
    match = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert match, "no icon linked"
    return match.group(1)


@pytest.mark.parametrize("page", ["/login/", "/complain/"])
def test_pages_link_the_svg_icon_and_it_is_served(db, client, page):
    icon = icon_of(client.get(page).content.decode())
    response = client.get(icon)
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(response.streaming_content)


def test_favicon_ico_leads_to_the_icon(db, client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == icon_of(client.get("/login/").content.decode())
