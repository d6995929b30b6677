"""A proposal's finding in a notification: the notification keeps only the proposal's id and is
worded when it is read, in its reader's language."""

from django import template

from ..models import Proposal
from ..proposals import proposal_finding, proposal_title

register = template.Library()


@register.simple_tag
def proposal_texts(pk: int) -> dict[str, str]:
    proposal = Proposal.objects.select_related("supplier", "product", "cause").filter(pk=pk).first()
    if proposal is None:
        return {}
    return {"title": proposal_title(proposal), "finding": proposal_finding(proposal),
            "kind": str(proposal.get_kind_display())}
