from axes.helpers import get_cool_off
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from ..exceptions import LockedOut
from ..parsers import BoundedJSONParser
from ..schema import errors
from ..serializers.auth import TokenInputSerializer, TokenSerializer
from ..throttling import TokenAddressThrottle, TokenUsernameThrottle
from .base import ApiView


class TokenView(ApiView):
    """Exchange a username and password for the token to send as `Authorization: Token <key>`."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenAddressThrottle, TokenUsernameThrottle]
    parser_classes = [BoundedJSONParser, FormParser]

    @extend_schema(
        operation_id="auth_token", tags=["auth"], auth=[], request=TokenInputSerializer,
        responses={200: TokenSerializer, **errors(400, 415, 429)},
        description=_("Limited per client address and per username (AMENDS_API_TOKEN_RATE, 10 a minute by "
                      "default); over the limit the answer is 429 with a Retry-After header. A username or address "
                      "locked out after too many wrong passwords (AXES_FAILURE_LIMIT) gets 429 too, code "
                      "`locked_out`, until the lockout ends."),
    )
    def post(self, request):
        serializer = TokenInputSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            # django-axes marks the request it refused, or whose wrong password reached the limit.
            if getattr(request, "axes_locked_out", False):
                cool_off = get_cool_off(request)
                raise LockedOut(int(cool_off.total_seconds()) if cool_off else None)
            raise ValidationError(serializer.errors)
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})
