"""Serializers of core's own endpoints: the API token's login."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer


class TokenLoginSerializer(AuthTokenSerializer):
    """Username and password, and the one-time code for accounts that have two-factor login."""

    otp_token = serializers.CharField(
        label=_("one-time code"),
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="6-digit code of the authenticator app, or a recovery code (for accounts "
        "with two-factor login; required for the roles that must have it)",
    )
