"""The request type through the API: given at registration, checked as the card checks it, on the card."""

import pytest

from amends.complaints.choices import Channel, ClaimDemand, RequestType
from amends.complaints.models import Complaint
from amends.intake.models import InboundMessage

from .test_complaints import LIST, body


def test_a_claim_is_registered_with_its_demand_and_read_back(api, operator, qms, process_queued):
    response = api(operator).post(
        LIST, body(channel=Channel.LETTER, request_type="claim", claim_demand="repair"), format="json",
    )
    assert response.status_code == 201, response.json()
    process_queued()
    card = Complaint.objects.get(number=response.json()["number"])
    assert (card.request_type, card.claim_demand) == (RequestType.CLAIM, ClaimDemand.REPAIR)
    data = api(qms).get(f"{LIST}{card.number}/").json()
    assert (data["request_type"], data["claim_demand"], data["written_confirmation_on"]) == ("claim", "repair", None)


def test_without_a_type_it_is_a_complaint(api, operator, process_queued):
    number = api(operator).post(LIST, body(), format="json").json()["number"]
    process_queued()
    assert Complaint.objects.get(number=number).request_type == RequestType.COMPLAINT


@pytest.mark.parametrize("extra, field", [
    ({"channel": Channel.PHONE, "request_type": "claim", "claim_demand": "refund"}, "request_type"),
    ({"request_type": "claim"}, "claim_demand"),
    ({"request_type": "objection", "claim_demand": "refund"}, "claim_demand"),
    ({"request_type": "grievance"}, "request_type"),
])
def test_a_type_the_card_would_refuse_is_400_and_stores_nothing(api, operator, extra, field):
    response = api(operator).post(LIST, body(**extra), format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert not InboundMessage.objects.exists()
