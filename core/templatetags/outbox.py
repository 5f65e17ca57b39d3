"""{% outbox_endpoint as url %}: the address of the server's outbox (POST /api/v1/outbox/, issue
15), or "" while no app has registered it. core/outbox.js posts an online form as before when
it is empty, and keeps what is saved offline until there is one. base.html names no app's URL
(tests/test_menu.py): the endpoint is looked up here, by the names the API router gives it."""

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()

NAMES = ("api:outbox-list", "api:outbox")  # a router's viewset, or a single API view


@register.simple_tag
def outbox_endpoint() -> str:
    for name in NAMES:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return ""
