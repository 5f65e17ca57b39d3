"""Security headers (issue 13, point 9): a Content Security Policy without inline script or
style on every page, `Cache-Control: no-store` on every response that may carry children's
data (static files keep their long caching), HSTS and the HTTPS redirect when
SECURE_COOKIES is set (/healthz exempt), and `manage.py check --deploy` clean under
production settings.

The production settings are read when the settings module is imported, so those checks
run in a subprocess with a production environment.
"""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from people.models import ApiToken
from tests.personas import make_child

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {part[0]: part[1:] for part in parts}


def test_every_page_carries_a_policy_without_inline_script_or_style(client, director, world):
    client.force_login(director)
    policy = directives(client.get(reverse("home")))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["form-action"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    client.logout()
    for url in (reverse("login"), reverse("concerns:public"), "/api/v1/", "/healthz"):
        assert "'unsafe-inline'" not in client.get(url)["Content-Security-Policy"], url


def test_only_the_browsable_apis_pages_may_apply_inline_style(client, county_officer):
    client.force_login(county_officer)
    as_json = directives(client.get("/api/v1/children/", HTTP_ACCEPT="application/json"))
    assert as_json["style-src"] == ["'self'"]
    as_html = directives(client.get("/api/v1/children/", HTTP_ACCEPT="text/html"))
    assert as_html["style-src"] == ["'self'", "'unsafe-inline'"]
    assert as_html["script-src"] == ["'self'"]


TEMPLATE_DIRS = ["core", "areas", "people", "children", "care", "relief", "social"]
TEMPLATE_DIRS += ["concerns", "rounds", "villagefiles", "stats", "demo"]
INLINE = re.compile(r"\sstyle=|<style\b|<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=", re.I)


def test_no_template_has_an_inline_script_style_or_handler():
    found = []
    for app in TEMPLATE_DIRS:
        for path in (ROOT / app).glob("templates/**/*.html"):
            for match in INLINE.finditer(path.read_text()):
                found.append(f"{path.relative_to(ROOT)}: {match.group(0).strip()}")
    assert found == []


def test_the_api_docs_start_script_is_a_file_not_inline(client, county_officer):
    client.force_login(county_officer)
    page = client.get(reverse("api_docs"))
    assert page.status_code == 200
    assert "<style>" not in page.text and re.search(r"<script>", page.text) is None
    script = re.search(r'<script src="([^"]+\?[^"]*script[^"]*)"', page.text)
    assert script, "the split view's start script"
    start = client.get(script.group(1).replace("&amp;", "&"))
    assert start.status_code == 200 and "SwaggerUIBundle" in start.text


def test_responses_with_childrens_data_are_never_stored(client, director, world):
    child = make_child(world["a1"], "王小明")
    client.force_login(director)
    for url in (
        reverse("home"),
        reverse("children:roster"),
        reverse("children:detail", args=[child.pk]),
        reverse("care:notifications"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        cache = response["Cache-Control"]
        assert "no-store" in cache and "private" in cache, url
        assert response["Pragma"] == "no-cache", url


def test_api_responses_are_never_stored_whatever_the_authentication(client, director, world):
    make_child(world["a1"], "王小明")
    _token, key = ApiToken.objects.issue(director, "test")
    for url, headers in (
        ("/api/v1/children/", {"HTTP_AUTHORIZATION": f"Token {key}"}),
        ("/api/v1/children/", {}),  # 401
        ("/api/v1/public-reports/", {}),  # 405
    ):
        response = client.get(url, **headers)
        assert "no-store" in response["Cache-Control"], (url, response.status_code)


def test_static_files_keep_their_caching(client, director, settings):
    settings.WHITENOISE_USE_FINDERS = True  # tests collect no static files
    settings.WHITENOISE_AUTOREFRESH = True
    client.force_login(director)
    response = client.get("/static/core/shouhu.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_cookies_and_other_headers_by_default(client):
    response = client.get(reverse("login"))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response  # plain HTTP demo: no HSTS


def production_env(tmp_path, **extra) -> dict:
    """The environment of a production server: long random keys, no demo, HTTPS."""
    # Nothing of the test run's own environment (the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE).
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SHOUHU_DEMO", "DEBUG"} and not k.startswith("DJANGO_")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="shouhu.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        FIELD_ENCRYPTION_KEY=secrets.token_urlsafe(32),
        SECURE_COOKIES="1",
        DEBUG="0",
        ALLOWED_HOSTS="shouhu.example.gov.cn",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
        **extra,
    )
    return env


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    run = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no issues" in run.stdout


PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
c = Client(HTTP_HOST="shouhu.example.gov.cn")
plain = c.get("/accounts/login/")
health = c.get("/healthz")
secure = c.get("/api/v1/", secure=True)
proxied = c.get("/api/v1/", HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location", "")],
    "health": health.status_code,
    "secure": secure.status_code,
    "hsts": secure.get("Strict-Transport-Security", ""),
    "csp": secure.get("Content-Security-Policy", ""),
    "cookies": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],
    "proxied": proxied.status_code,
}))
"""


@pytest.mark.parametrize("trust_proxy", ["0", "1"])
def test_https_is_required_and_remembered_when_secure_cookies_is_set(tmp_path, trust_proxy):
    run = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=production_env(tmp_path, TRUST_X_FORWARDED_FOR=trust_proxy),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["plain"] == [301, "https://shouhu.example.gov.cn/accounts/login/"]
    # A load balancer probes over plain HTTP (and the database need not exist for it).
    assert seen["health"] in (200, 503)
    assert seen["secure"] == 401  # served (the API asks for an account), not redirected
    assert seen["hsts"] == "max-age=31536000; includeSubDomains"
    assert "upgrade-insecure-requests" in seen["csp"]
    assert seen["cookies"] == [True, True]
    # X-Forwarded-Proto counts only from a trusted proxy.
    assert seen["proxied"] == (401 if trust_proxy == "1" else 301)
