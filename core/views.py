"""Views that belong to no domain: health check, the audit log, the page of one form, and the
installable app's pieces (the service worker at the site's root, the web app manifest, the
offline page and the outbox page; issue 15)."""

import datetime as dt
import hashlib
import json

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache

from .audit_text import links
from .filters import AuditFilter
from .htmx import is_htmx, paginate, query_without_page, render_page
from .models import AuditEntry
from .reads import REVIEW_DAYS, heavy_readers

HEALTH_TIMEOUT_MS = 2000  # PostgreSQL: a probe gives up rather than hang


@never_cache
def healthz(request):
    """200 when the database answers, 503 otherwise (for load balancers and monitoring).

    It only reads and opens no write transaction (the probe is anonymous: no session is
    saved), so on SQLite in WAL mode it never waits for a writer's lock; on PostgreSQL the
    query gives up after HEALTH_TIMEOUT_MS."""
    try:
        if connection.vendor == "postgresql":
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL statement_timeout = %s", [HEALTH_TIMEOUT_MS])
                cursor.execute("SELECT 1")
                cursor.fetchone()
        else:
            # No transaction: on SQLite, Django's IMMEDIATE transactions take the write lock.
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
    except Exception:  # any database failure means "not healthy"
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


# The audit page counts at most this many entries (200 pages): a county's year of reads is
# near a million entries, and counting them took 0.2 s on every view.
AUDIT_COUNT_CAP = 10_000


@login_required
def audit_log(request):
    """Browse and filter the audit log of the user's jurisdiction (county officers only),
    under the users who read the most children's records in the last week."""
    if not getattr(request.user, "can_audit", False):
        raise PermissionDenied
    entries = AuditEntry.objects.visible_to(request.user)
    audit_filter = AuditFilter(request.GET, queryset=entries)
    page = paginate(request, audit_filter.qs, cap=AUDIT_COUNT_CAP)
    context = {
        "filter": audit_filter,
        "page": page,
        "query": query_without_page(request),
        "links": links(page.object_list),
    }
    if not is_htmx(request):  # the table's htmx updates leave the readers' section as is
        since = timezone.localdate() - dt.timedelta(days=REVIEW_DAYS)
        context["readers"] = heavy_readers(entries)
        context["readers_since"] = since
    return render_page(request, "core/audit_log.html", context, "core/partials/_audit_table.html")


def form_page(
    request,
    form,
    title,
    *,
    crumbs=(),
    crumb=None,
    heading=None,
    lead=None,
    template="core/form_page.html",
    **context,
):
    """A page that is one form (core/form_page.html), so that an add or edit page is its
    view's words, not a template of its own: the crumbs ((url, label) pairs, then `crumb` or
    the title), the heading (else the title), a lead paragraph, then the form; core/_form.html's
    parameters (cancel_url, submit_label, form_testid, submit_testid, note) come in `context`.
    A page with more passes its own `template`, which extends core/form_page.html."""
    page = {"title": title, "crumbs": crumbs, "crumb": crumb, "heading": heading, "lead": lead}
    return render(request, template, {"form": form, **page, **context})


def register_form_page(request, form, entry, *, new_title, register, kind, **context):
    """The page of the form of an entry of a register (a programme of the catalogue, an
    organisation): titled by the entry's name, or `new_title` for a new one, one step below the
    register ((url name, label)), which Cancel goes back to; `kind` names the form for tests."""
    register_url = reverse(register[0])
    return form_page(
        request,
        form,
        entry.name if entry else new_title,
        crumbs=[(register_url, register[1])],
        cancel_url=register_url,
        form_testid=f"{kind}-form",
        submit_testid="save",
        **context,
    )


# The static files the service worker keeps on the phone from its installation on
# (core/static/core/sw.js); their URLs are the storage's (hashed in production).
PRECACHED = [
    "core/shouhu.css",
    "core/htmx.min.js",
    "core/forms.js",
    "core/outbox-store.js",
    "core/outbox.js",
    "core/icons/icon-192.png",
    "core/icons/icon-512.png",
]
THEME_COLOUR = "#b4232a"  # the header's colour (--brand in shouhu.css)


@never_cache
def service_worker(request):
    """/sw.js: the service worker, served from the root so that it may control every page.

    The script is the static file core/sw.js after one line of settings: the URLs of the
    files to keep (hashed in production) and a version made of them and of the script, so
    that a new release installs a new worker and drops the old caches."""
    with open(finders.find("core/sw.js"), encoding="utf-8") as source:
        script = source.read()
    settings = {
        "assets": [static(name) for name in PRECACHED],
        "store": static("core/outbox-store.js"),
        "offline": reverse("offline"),
        "manifest": reverse("manifest"),
        "logout": reverse("logout"),
        "language": reverse("set_language"),
    }
    digest = hashlib.sha256((json.dumps(settings) + script).encode()).hexdigest()[:12]
    settings["version"] = digest
    body = f"self.SHOUHU = {json.dumps(settings)};\n{script}"
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-store"
    return response


@cache_control(public=True, max_age=86400)
def manifest(request):
    """/manifest.webmanifest: what a phone needs to install Shouhu as an app."""
    data = {
        "name": "守护 Shouhu",
        "short_name": "守护",
        "description": _("Child protection work of the county, the township and the village"),
        "lang": "zh-CN",
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": "#f6f7f9",
        "icons": [
            {
                "src": static(f"core/icons/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any",
            }
            for size in (192, 512)
        ],
    }
    return HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/manifest+json"
    )


def offline(request):
    """The page the service worker shows for a page not kept on the phone while offline. It
    holds no one's data (it is kept at installation, before anyone signs in)."""
    return render(request, "core/offline.html")


@login_required
def outbox(request):
    """The records saved on the phone and waiting to send. They live in the phone's
    IndexedDB, not on the server: core/outbox.js fills the list in."""
    return render(request, "core/outbox.html")
