"""The installable app's server side (issue 15): the service worker at the site's root, the
web app manifest with its icons, the offline page and the outbox page. What they do on the
phone is tested in the browser (tests/browser/test_offline.py)."""

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from core.templatetags.outbox import outbox_endpoint

pytestmark = pytest.mark.django_db


def test_the_worker_is_served_from_the_root_never_cached(client):
    worker = client.get("/sw.js")
    assert worker.status_code == 200
    assert worker["Content-Type"].startswith("application/javascript")
    assert worker["Service-Worker-Allowed"] == "/"
    assert "no-store" in worker["Cache-Control"]
    first_line = worker.content.decode().splitlines()[0]
    assert first_line.startswith("self.SHOUHU = ")
    for asset in ("core/shouhu.css", "core/outbox.js", "core/outbox-store.js"):
        assert f"/static/{asset}" in first_line
    assert '"offline": "/offline/"' in first_line and '"version": "' in first_line


def test_the_manifest_makes_the_app_installable(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    data = manifest.json()
    assert data["display"] == "standalone" and data["start_url"] == "/"
    assert data["name"] == "守护 Shouhu" and data["theme_color"] == "#b4232a"
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512"}
    for icon in data["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/"))


def test_the_offline_page_holds_no_ones_data(client, director):
    client.force_login(director)
    page = client.get(reverse("offline")).text
    assert 'data-testid="offline"' in page
    assert director.get_username() not in page and "csrfmiddlewaretoken" not in page


def test_every_page_links_the_manifest_and_the_outbox_badge(
    client, director, django_assert_max_num_queries
):
    client.force_login(director)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("outbox")).text
    assert 'rel="manifest"' in page and "core/outbox.js" in page
    assert "data-outbox-badge" in page and "data-outbox-list" in page
    assert f'data-user="{director.get_username()}"' in page


def test_the_pages_name_the_outbox_endpoint():
    # The outbox app registers api:outbox-list; without it forms would post as before online.
    assert outbox_endpoint() == "/api/v1/outbox/"
