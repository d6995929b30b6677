"""The OpenAPI description: valid, served, and rendered by Swagger UI from local assets."""

import json
import re

from django.core.management import call_command


def test_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    assert text.startswith("openapi: 3.")
    for path in ("/api/v1/auth/token/", "/api/v1/complaints/", "/api/v1/complaints/{number}/transitions/",
                 "/api/v1/complaints/{number}/notes/", "/api/v1/complaints/{number}/attachments/",
                 "/api/v1/complaints/{number}/timeline/", "/api/v1/complaints/{number}/measures/",
                 "/api/v1/complaints/{number}/measures/{measure_id}/",
                 "/api/v1/complaints/{number}/measures/{measure_id}/report/"):
        assert f"  {path}:" in text


def test_schema_is_served_without_login(client, db):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    create = schema["paths"]["/api/v1/complaints/"]["post"]
    assert {"201", "400", "401", "403", "413", "422"} <= set(create["responses"])
    assert [p["name"] for p in create["parameters"]] == ["Idempotency-Key"]
    created = create["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][created]["properties"]) == {
        "number", "state", "channel", "received_at", "url", "tracking_url",
    }
    assert "429" in schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_swagger_ui_uses_the_vendored_assets(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn." not in page and "unpkg" not in page
    # The page's own script comes from a URL of its own (no inline script under the CSP).
    assert "<script>" not in page and '<script src="/api/docs/?script=">' in page
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()
    policy = [part.strip() for part in response["Content-Security-Policy"].split(";")]
    assert "script-src 'self'" in policy and "style-src 'self' 'unsafe-inline'" in policy


def schema_texts(client, language: str) -> list[str]:
    """Every description and summary of the schema's operations and their responses."""
    schema = json.loads(client.get("/api/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE=language).content)
    texts = []
    for operations in schema["paths"].values():
        for operation in operations.values():
            texts += [operation.get("description", ""), operation.get("summary", "")]
            texts += [response.get("description", "") for response in operation.get("responses", {}).values()]
    return [text for text in texts if text]


def test_operations_are_described_in_the_language_asked_for(client, db):
    english, russian = schema_texts(client, "en"), schema_texts(client, "ru")
    cyrillic = re.compile("[а-яА-ЯёЁ]")
    assert english and not [text for text in english if cyrillic.search(text)]
    assert "The complaints visible to you, newest first, 50 a page." in english
    assert "Доступные вам жалобы, сначала новые, по 50 на странице." in russian
