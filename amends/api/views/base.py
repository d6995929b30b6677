"""What every API endpoint shares: JSON in and out, the user's language, the card lookup."""

from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from amends.complaints.models import Complaint
from amends.complaints.selectors import complaint_get
from amends.intake.services import card_or_registered_now

from ..parsers import BoundedJSONParser


class ApiView(APIView):
    renderer_classes = [JSONRenderer]
    parser_classes = [BoundedJSONParser]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # As in the UI: the language the user chose wins over the client's Accept-Language.
        if request.user.is_authenticated and request.user.language:
            translation.activate(request.user.language)


def card(request, number: str) -> Complaint:
    """The card as this user may see it; an invisible card is as absent as an unknown one. A card
    still waiting in the intake pipeline is registered now."""
    try:
        return card_or_registered_now(lambda: complaint_get(request.user, number), number)
    except Complaint.DoesNotExist:
        raise NotFound(_("No such complaint.")) from None
