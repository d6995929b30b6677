"""The letterhead's logo: checked when the letterhead is saved, so every letter and card can carry it."""

from io import BytesIO
from xml.etree import ElementTree

from django.core.exceptions import ValidationError
from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

LOGO_MAX_BYTES = 1024 * 1024
LOGO_MAX_PIXELS = 4000  # per side
RASTER_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}
SVG = "image/svg+xml"


def logo_content_type(content: bytes) -> str:
    """PNG, JPEG or SVG, read from the bytes themselves (a name can say anything); else ValidationError."""
    if content.lstrip()[:1] == b"<":
        try:
            root = ElementTree.fromstring(content)
        except ElementTree.ParseError:
            root = None
        if root is not None and root.tag in ("svg", "{http://www.w3.org/2000/svg}svg"):
            return SVG
    try:
        with Image.open(BytesIO(content)) as image:
            kind, (width, height) = image.format or "", image.size
    except (UnidentifiedImageError, Image.DecompressionBombError):
        kind, width, height = "", 0, 0
    if kind not in RASTER_FORMATS:
        raise ValidationError(_("The logo must be a PNG, JPEG or SVG image."), code="logo_type")
    if max(width, height) > LOGO_MAX_PIXELS:
        raise ValidationError(
            _("The logo is %(width)s × %(height)s pixels; at most %(limit)s pixels a side.")
            % {"width": width, "height": height, "limit": LOGO_MAX_PIXELS},
            code="logo_pixels",
        )
    return RASTER_FORMATS[kind]


def logo_check(logo: File) -> None:
    """A logo too large or of another type is refused with a message naming the limit."""
    try:
        size = logo.size
        logo.seek(0)
        content = logo.read(LOGO_MAX_BYTES + 1)
        logo.seek(0)
    except OSError as error:  # a stored logo whose file is gone
        raise ValidationError(_("The logo cannot be read (%(error)s); upload it again.") % {"error": error},
                              code="logo_unreadable") from None
    if size > LOGO_MAX_BYTES:
        raise ValidationError(
            _("The logo is %(size)s; at most %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(LOGO_MAX_BYTES)},
            code="logo_size",
        )
    logo_content_type(content)
