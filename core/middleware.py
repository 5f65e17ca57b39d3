"""Shouhu middleware: language choice, per-request audit context, session time limits."""

import datetime
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .audit import log_action
from .context import current_ip
from .htmx import is_htmx


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


def _now() -> int:
    """Seconds since the epoch (a function, so tests can move the clock)."""
    return int(time.time())


class SessionTimeoutMiddleware:
    """End a signed-in session after SESSION_IDLE_SECONDS without a request, and
    SESSION_ABSOLUTE_SECONDS after login however active it was; say why on the login page.

    The login time and the last request's time are kept in the session. The last request's
    is written at most once a minute, so a busy user's session is not saved on every
    request; the idle limit is therefore kept to within a minute. The session store's own
    expiry is fixed at login (never extended by activity) a little past the absolute limit,
    so the user who comes back is still told why they must log in again.

    An htmx request that finds its session ended gets an `HX-Redirect` to the login page
    (then back to the page it came from), not the login page swapped into a fragment.
    Ending a session this way does not revoke the account's API tokens (logging out does):
    leaving a browser idle says nothing about a phone or a script.
    """

    STARTED = "shouhu_signed_in_at"
    SEEN = "shouhu_last_seen"
    WRITE_EVERY = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = _now()
            ended = self._ended(request.session, now)
            # A late click on "log out" still logs out (and so revokes the API tokens).
            if ended and not (request.method == "POST" and request.path == reverse("logout")):
                self._end(request, user, ended)
            else:
                self._note(request.session, now)
        response = self.get_response(request)
        if is_htmx(request) and self._to_login(response):
            return self._htmx_redirect(request)
        return response

    def _ended(self, session, now) -> str | None:
        started, seen = session.get(self.STARTED), session.get(self.SEEN)
        if started is not None and now - started >= settings.SESSION_ABSOLUTE_SECONDS:
            return "lifetime"
        if seen is not None and now - seen >= settings.SESSION_IDLE_SECONDS:
            return "idle"
        return None

    @classmethod
    def start(cls, session):
        """Stamp a session at login (people/signals.py, on user_logged_in); a session from
        before this middleware is stamped at its next request."""
        cls._note(session, _now())

    @classmethod
    def _note(cls, session, now):
        if cls.STARTED not in session:
            session[cls.STARTED] = now
            deadline = now + settings.SESSION_ABSOLUTE_SECONDS + settings.SESSION_IDLE_SECONDS
            session.set_expiry(datetime.datetime.fromtimestamp(deadline, datetime.UTC))
        if now - session.get(cls.SEEN, 0) >= cls.WRITE_EVERY:
            session[cls.SEEN] = now

    def _end(self, request, user, why):
        request.session.flush()
        request.user = AnonymousUser()
        log_action(user, "auth.session_ended", user, {"reason": why})
        if why == "idle":
            minutes = settings.SESSION_IDLE_SECONDS // 60
            text = _(
                "You have been inactive for more than %(minutes)s minutes; please log in again."
            ) % {"minutes": minutes}
        else:
            hours = settings.SESSION_ABSOLUTE_SECONDS // 3600
            text = _("You logged in more than %(hours)s hours ago; please log in again.") % {
                "hours": hours
            }
        messages.warning(request, text)

    @staticmethod
    def _to_login(response) -> bool:
        if response.status_code not in (301, 302, 303, 307, 308):
            return False
        login = resolve_url(settings.LOGIN_URL)
        return urlsplit(response.get("Location", "")).path == login

    @staticmethod
    def _htmx_redirect(request):
        """An answer htmx follows with a full page load: to the login page, then back to
        the page the fragment belongs to."""
        page = urlsplit(request.headers.get("HX-Current-URL", ""))
        back = page.path + (f"?{page.query}" if page.query else "")
        if not back or not url_has_allowed_host_and_scheme(
            request.headers.get("HX-Current-URL", ""), allowed_hosts={request.get_host()}
        ):
            back = resolve_url(settings.LOGIN_REDIRECT_URL)
        response = HttpResponse(status=200)
        response["HX-Redirect"] = redirect_to_login(back).url
        return response
