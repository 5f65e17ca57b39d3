"""The API's token authentication: `Authorization: Token <key>`, checked against
people.ApiToken (a keyed hash, an expiry, a revocation)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from . import tokens

INVALID = _("This API token is not valid.")
EXPIRED = _("This API token has expired: ask for a new one.")
REVOKED = _("This API token was revoked: ask for a new one.")


class ApiTokenAuthentication(TokenAuthentication):
    """DRF's token header, with Shouhu's expiring, revocable, hashed tokens (401 with the
    reason when a token no longer opens the API)."""

    def authenticate_credentials(self, key):
        token = tokens.find(key)
        if token is None:
            raise exceptions.AuthenticationFailed(INVALID)
        now = timezone.now()
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(REVOKED)
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(EXPIRED)
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(INVALID)
        tokens.touch(token, now)
        return (token.user, token)
