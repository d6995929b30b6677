"""The API's tone check and its message to the customer, with the same rule as the card's form."""

from amends.complaints.choices import EventKind
from amends.complaints.event_texts import SENT_DESPITE_CHECK


def test_tone_check_returns_findings_with_spans_and_the_checklist(api, responsible):
    text = "Sorry, it's our policy. Please calm down."
    response = api(responsible).post("/api/v1/tone-check/", {"text": text, "language": "en"}, format="json")
    assert response.status_code == 200
    findings = response.json()["findings"]
    assert [(text[f["start"]:f["end"]], f["matched"]) for f in findings] == [
        ("it's our policy", "it's our policy"), ("calm down", "calm down"),
    ]
    assert findings[1]["replacement"].startswith("“I understand why you're upset")
    checklist = {item["code"]: item["ok"] for item in response.json()["checklist"]}
    assert checklist["apology"] is True and checklist["thanks"] is False
    assert api().post("/api/v1/tone-check/", {"text": text}, format="json").status_code == 401


def test_a_message_with_findings_is_refused_without_a_reason(api, complaint, qms):
    url = f"/api/v1/complaints/{complaint.number}/messages/"
    refused = api(qms).post(url, {"text": "Успокойтесь, пожалуйста."}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "invalid"
    assert any("Успокойтесь" in message for message in refused.json()["errors"]["reason"])
    assert not complaint.events.filter(kind=EventKind.MESSAGE_OUT).exists()
    sent = api(qms).post(url, {"text": "Успокойтесь, пожалуйста.", "reason": "Цитата клиента"}, format="json")
    assert sent.status_code == 201 and sent.json()["text"] == "Успокойтесь, пожалуйста."
    assert complaint.events.filter(code=SENT_DESPITE_CHECK, params__reason="Цитата клиента").exists()
    clean = api(qms).post(url, {"text": "Заменим чайник завтра до 18:00."}, format="json")
    assert clean.status_code == 201
