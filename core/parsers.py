"""The API's JSON parser (kept apart from viewsets: DRF imports it at settings time)."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.settings import api_settings


class JSONObjectParser(JSONParser):
    """JSON, whose body must be an object: every operation's request is one (see the
    schema). A bare number, string or list used to reach views that read `data.get(…)`
    and answered 500 (the concern steps, found by tests/fuzz); now it is a 400 with the
    record's error, as a serializer answers a body of the wrong shape."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            key = api_settings.NON_FIELD_ERRORS_KEY
            raise ValidationError({key: [_("Send the fields as a JSON object.")]})
        return data
