from amends.complaints.choices import State
from amends.complaints.models import TimelineEvent
from amends.complaints.services import complaint_transition


def test_registered_complaint_gets_a_number_and_a_timeline_event(complaint):
    assert complaint.number.endswith("-000001")
    assert complaint.state == State.REGISTERED
    assert TimelineEvent.objects.filter(complaint=complaint, kind="registered").count() == 1


def test_assign_records_transition_and_field_change(complaint, qms, responsible):
    complaint = complaint_transition(
        complaint=complaint, name="assign", actor=qms, data={"responsible": responsible}
    )
    assert complaint.state == State.ASSIGNED
    kinds = list(complaint.events.values_list("kind", "field"))
    assert ("field_change", "responsible") in kinds
    assert ("transition", "") in kinds
