"""A letter's PDF and DOCX and the card's PDF through the API: binary bodies, JSON errors."""

from io import BytesIO

import pytest
from docx import Document

from amends.answers.models import Letter

from .helpers import url


@pytest.fixture
def letter(complaint):
    return Letter.objects.create(complaint=complaint, outcome="satisfied", language="en",
                                 subject="Your complaint", body="Thank you for writing to us.")


def test_letter_pdf_docx_and_card_pdf(api, operator, complaint, letter):
    client = api(operator)
    pdf = client.get(url(complaint, f"letters/{letter.pk}/pdf"), HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    no_address = client.get(url(complaint, f"letters/{letter.pk}/pdf") + "?post=true")
    assert no_address.status_code == 422 and "postal address" in no_address.json()["detail"]
    complaint.contact.address = "1 Abovyan St, Yerevan 0001"
    complaint.contact.save(update_fields=["address"])
    post = client.get(url(complaint, f"letters/{letter.pk}/pdf") + "?post=true")
    assert post.status_code == 200 and post.content != pdf.content
    docx = client.get(url(complaint, f"letters/{letter.pk}/docx"))
    assert "Thank you for writing to us." in [p.text for p in Document(BytesIO(docx.content)).paragraphs]
    card = client.get(url(complaint, "pdf"), HTTP_ACCEPT="application/pdf")
    assert card.status_code == 200 and card.content.startswith(b"%PDF")


def test_errors_are_json_whatever_the_client_accepts(api, operator, executor, complaint, letter):
    missing = api(operator).get(url(complaint, f"letters/{letter.pk + 1}/pdf"), HTTP_ACCEPT="application/pdf")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert api(executor).get(url(complaint, "pdf"), HTTP_ACCEPT="application/pdf").status_code == 404
    letter.body = "Price: 15000 ֏"
    letter.save(update_fields=["body"])
    refused = api(operator).get(url(complaint, f"letters/{letter.pk}/pdf"), HTTP_ACCEPT="application/pdf")
    assert refused.status_code == 422 and refused.json()["code"] == "document_not_made"
    assert "U+058F" in refused.json()["detail"]


def test_schema_describes_binary_responses(api):
    schema = api().get("/api/schema/?format=json").json()
    pdf = schema["paths"]["/api/v1/complaints/{number}/letters/{letter_id}/pdf/"]["get"]["responses"]
    assert pdf["200"]["content"]["application/pdf"]["schema"] == {"type": "string", "format": "binary"}
    docx = schema["paths"]["/api/v1/complaints/{number}/letters/{letter_id}/docx/"]["get"]["responses"]["200"]
    assert list(docx["content"]) == ["application/vnd.openxmlformats-officedocument.wordprocessingml.document"]
    assert "422" in schema["paths"]["/api/v1/complaints/{number}/pdf/"]["get"]["responses"]


def test_post_is_a_boolean_as_the_schema_says(api, operator, complaint, letter):
    path = url(complaint, f"letters/{letter.pk}/pdf") + "?post=null"
    refused = api(operator).get(path, HTTP_ACCEPT="application/pdf")
    assert refused.status_code == 400 and "post" in refused.json()["errors"]
