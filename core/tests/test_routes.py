"""Addresses declared on the views (core.routes)."""

from types import SimpleNamespace

import pytest
from django.urls import resolve
from django.urls.resolvers import RegexPattern, URLResolver

from core.routes import Routes, patterns


def _module(*declarations):
    route = Routes()
    for address, view, kwargs in declarations:
        route(address, **kwargs)(view)
    return SimpleNamespace(route=route)


def page_a(request, code=None):
    return None


def page_b(request, code=None):
    return None


def test_the_name_is_the_views_own_unless_given():
    urls = patterns(_module(("a/", page_a, {}), ("b/", page_b, {"name": "bee"})))
    assert [(str(p.pattern), p.name) for p in urls] == [("a/", "page_a"), ("b/", "bee")]


def test_a_fixed_address_is_tried_before_one_capturing_the_same_segment():
    # Declared capture first, as a views module may well do: "areas/gaps/" must still reach
    # its own page, not the area page with code "gaps".
    module = _module(("areas/<str:code>/", page_a, {}), ("areas/gaps/", page_b, {}))
    resolver = URLResolver(RegexPattern(r"^/"), patterns(module))
    assert resolver.resolve("/areas/gaps/").url_name == "page_b"
    assert resolver.resolve("/areas/341122000000/").url_name == "page_a"


def test_regular_expressions_and_several_modules():
    first = _module((r"^(?P<code>[0-9]{12})/$", page_a, {"regex": True}))
    second = _module(("gaps/", page_b, {}))
    resolver = URLResolver(RegexPattern(r"^/"), patterns(first, second))
    assert resolver.resolve("/341122000000/").kwargs == {"code": "341122000000"}
    assert resolver.resolve("/gaps/").url_name == "page_b"


def test_the_site_keeps_its_addresses():
    assert resolve("/areas/gaps/").view_name == "people:gaps"
    assert resolve("/relief/measures/3/edit/").view_name == "relief:measure_edit"


def test_a_page_asks_for_a_login_unless_declared_public(rf):
    from django.contrib.auth.models import AnonymousUser

    module = _module(("a/", page_a, {}), ("b/", page_b, {"public": True}))
    by_name = {p.name: p.callback for p in patterns(module)}
    request = rf.get("/a/")
    request.user = AnonymousUser()
    assert by_name["page_a"](request).status_code == 302
    assert by_name["page_b"](request) is None


@pytest.mark.django_db
def test_every_page_of_the_site_but_the_public_ones_asks_for_a_login(client):
    for address in ["/care/worklist/", "/children/", "/areas/gaps/", "/relief/measures/1/edit/"]:
        assert client.get(address)["Location"].startswith("/accounts/login/")
    assert client.get("/reports/public/").status_code == 200


def test_cached_addresses_are_reverses_and_follow_the_script_prefix():
    from django.urls import reverse, set_script_prefix

    from core.routes import cached_reverse, pk_url

    assert cached_reverse("stats:dashboard", "341623100000") == reverse(
        "stats:dashboard", args=["341623100000"]
    )
    assert cached_reverse("home") == reverse("home")
    set_script_prefix("/shouhu/")
    try:
        assert cached_reverse("home") == reverse("home") == "/shouhu/"
        assert pk_url("children:detail", 5) == reverse("children:detail", args=[5])
    finally:
        set_script_prefix("/")
    assert pk_url("children:detail", 5) == "/children/5/"
