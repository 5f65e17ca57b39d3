"""Shouhu middleware: language choice and per-request audit context."""

from django.conf import settings
from django.utils import translation

from .context import current_ip


class PreferredLanguageMiddleware:
    """Chinese unless the user chose another language with the switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language; a county
    office wants the same interface on every machine, so only the explicit choice
    (the language cookie set by the switch) counts.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


def client_ip(request) -> str | None:
    """The client's address (behind a proxy, the first X-Forwarded-For hop when trusted)."""
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    """Remember the client address for audit entries written during this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)
