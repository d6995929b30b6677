from django.db.models import QuerySet

from amends.complaints.forms import BulkAssignForm, ComplaintFilterForm


def test_the_list_s_forms_read_their_lists_without_a_server_side_cursor(responsible, qms, monkeypatch):
    """Their lists are added after the form's own fields: the bulk assign's responsible, other apps' filters."""
    def cursor(*args, **kwargs):
        raise AssertionError("iterator(): a server-side cursor on PostgreSQL, three round trips")

    monkeypatch.setattr(QuerySet, "iterator", cursor)
    assert responsible.username in str(BulkAssignForm()["responsible"])
    assert f'value="{qms.pk}"' in "".join(str(field) for field in ComplaintFilterForm())
