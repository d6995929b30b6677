"""The API's JSON parser: too deep a body is a 400 parse error, not a RecursionError (500)."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from amends.core.jsonbounds import MAX_DEPTH, TooDeep, depth_check


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        too_deep = ParseError(_("JSON parse error - nested deeper than %(depth)s levels.") % {"depth": MAX_DEPTH})
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep from None
        try:
            depth_check(data)
        except TooDeep:
            raise too_deep from None
        return data
