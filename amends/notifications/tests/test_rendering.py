from django.utils import translation

from amends.notifications.models import Notification
from amends.notifications.rendering import mail_subject, render_notification
from amends.notifications.services import notify

TEMPLATE = "complaints/mail/internal_filed.txt"


def rendered_for(user, complaint):
    notify(users=[user], kind="internal_filed", key="k", complaint=complaint, template=TEMPLATE)
    return render_notification(Notification.objects.select_related("user", "complaint").get(user=user))


def test_each_reader_gets_their_own_language(make_user, complaint, settings):
    settings.LANGUAGE_CODE = "ru"
    with translation.override("hy"):  # the worker's or the viewer's own language does not leak in
        subjects = {
            language: rendered_for(make_user(f"u{language or 'default'}", language=language), complaint).subject
            for language in ("ru", "en", "hy", "")
        }
        assert translation.get_language() == "hy"
    number = complaint.number
    assert subjects["en"] == f"Internal complaint {number} needs a responsible person"
    assert subjects["ru"] == f"Для внутренней жалобы {number} нужно назначить ответственного"
    assert number in subjects["hy"] and subjects["hy"] not in (subjects["en"], subjects["ru"])
    assert subjects[""] == subjects["ru"]  # no language chosen: the company's


def test_a_reader_who_changes_language_reads_the_stored_notification_in_the_new_one(make_user, complaint):
    user = make_user("anna", language="en")
    assert rendered_for(user, complaint).subject.startswith("Internal complaint")
    user.language = "ru"
    user.save()
    notification = Notification.objects.select_related("user", "complaint").get(user=user)
    assert render_notification(notification).subject.startswith("Для внутренней жалобы")


def test_the_body_links_the_card_and_the_mail_subject_carries_its_number(make_user, complaint):
    user = make_user("anna", language="en")
    rendered = rendered_for(user, complaint)
    assert f"https://complaints.example.com/complaints/{complaint.number}/" in rendered.body
    assert complaint.wording in rendered.body
    notification = Notification.objects.select_related("complaint").get(user=user)
    assert mail_subject(notification, rendered) == f"[#{complaint.number}] {rendered.subject}"
