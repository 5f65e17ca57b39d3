"""Where to go after a form: a page may send the user on with ?next= (e.g. back to a
round's walk). Only addresses on this site are followed."""

from django.utils.http import url_has_allowed_host_and_scheme


def next_url(request) -> str:
    """The safe `next` address of a request (POST first, then GET), or ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""
