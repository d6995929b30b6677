"""Tell the responsible person that the customer wrote on the tracking page."""

from amends.complaints.models import Complaint
from amends.notifications.card import notify_users


def notify_responsible_of_message(complaint: Complaint, *, event_id: int, text: str, files: list[str]) -> bool:
    if complaint.responsible is None:
        return False
    return notify_users(
        [complaint.responsible], complaint, template="web_form/notify_responsible.txt",
        kind="customer_message", key=f"message:{event_id}", text=text, files=files,
    ) == 1
