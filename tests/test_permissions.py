"""The permission table: every URL name and API route, for every persona, with its status.

A URL that is not in TABLE fails `test_every_url_is_in_the_table`, so a new page or
endpoint cannot ship without saying who may reach it.
"""

import copy
import datetime as dt

import pytest
from django.core.cache import caches
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse

from care.models import Activity
from care.services import attach_photo, record_visit
from children.services.concerns import open_concern
from concerns import services as concern_services
from referrals import services as referral_services
from relief import services as relief_services
from rounds.models import TownshipSummary
from rounds.services import open_round
from social import services as social_services
from social.models import HelperProfile, Organisation
from tests.personas import A1, B1, CONCERN, COUNTY, TOWNSHIP_A, TOWNSHIP_B, make_child
from tests.personas import PERSONAS as SIGNED_IN

# Namespaces whose access rules are not ours: Django's admin has its own (staff only).
EXCLUDED_NAMESPACES = {"admin"}

ANON = "anonymous"
PERSONAS = [ANON, *SIGNED_IN]

LOGIN = 302  # pages send anonymous users to the login page
API_ANON = 401


def row(*expected):
    """The expected status of each persona, in PERSONAS' order: anonymous, county, township,
    township staff, other township, director, other director, leader, volunteer, social
    worker."""
    return dict(zip(PERSONAS, expected, strict=True))


EVERYONE_200 = row(LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200)
API_EVERYONE_200 = row(API_ANON, 200, 200, 200, 200, 200, 200, 200, 200, 200)
# An object in village A1: the county, township A and A1's director see it.
IN_A1 = row(LOGIN, 200, 200, 200, 404, 200, 404, 200, 404, 404)
API_IN_A1 = row(API_ANON, 200, 200, 200, 404, 200, 404, 200, 404, 404)
IN_B1 = row(LOGIN, 200, 404, 404, 200, 404, 200, 200, 404, 404)
IN_TOWNSHIP_A = row(LOGIN, 200, 200, 200, 404, 404, 404, 200, 404, 404)
API_IN_TOWNSHIP_A = row(API_ANON, 200, 200, 200, 404, 404, 404, 200, 404, 404)
IN_COUNTY = row(LOGIN, 200, 404, 404, 404, 404, 404, 200, 404, 404)
API_IN_COUNTY = row(API_ANON, 200, 404, 404, 404, 404, 404, 200, 404, 404)
# Edit pages: visible and a writing role → 200; read-only leader → 403.
EDIT_IN_A1 = row(LOGIN, 200, 200, 200, 404, 200, 404, 403, 404, 404)
# Managing the responsibility matrix of A1: county and township A roles; directors and the
# leader see it but may not change it.
MANAGE_IN_A1 = row(LOGIN, 200, 200, 200, 404, 403, 404, 403, 404, 404)
# Redirect to the user's own area, or an empty-state page for roles without one.
TO_OWN_AREA = row(LOGIN, 302, 302, 302, 302, 302, 302, 302, 200, 200)
# The county's relief catalogue: county officers add to it; everyone else in the county
# sees it but may not change it; roles without an area do not see it.
COUNTY_OFFICERS_ONLY = row(LOGIN, 200, 403, 403, 403, 403, 403, 403, 403, 403)
CATALOGUE_EDIT = row(LOGIN, 200, 403, 403, 403, 403, 403, 403, 404, 404)
# A record of child A1's pairing with the volunteer: A1's area roles and the volunteer.
PAIRED_A1 = row(API_ANON, 200, 200, 200, 404, 200, 404, 200, 200, 404)
# Workflow steps are POSTs: a GET is refused once logged in.
POST_ONLY = row(LOGIN, 405, 405, 405, 405, 405, 405, 405, 405, 405)
API_POST_ONLY = row(API_ANON, 405, 405, 405, 405, 405, 405, 405, 405, 405)
NOT_FOUND = row(LOGIN, 404, 404, 404, 404, 404, 404, 404, 404, 404)
NOBODYS_JOB = "7d3c4c1e-0000-4000-8000-00000000000f"


def _small_photo():
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    jpeg = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(jpeg, "JPEG")
    return SimpleUploadedFile("p.jpg", jpeg.getvalue(), content_type="image/jpeg")


def pk_of(name):
    """The kwargs of a record's page: the pk of the context's record `name`."""
    return lambda ctx: {"pk": ctx[name].pk}


def child_pk_of(name):
    """The kwargs of a child's section page: the pk of the context's child `name`."""
    return lambda ctx: {"child_pk": ctx[name].pk}


person = child = pk_of  # people and children are looked up by pk too


# url name → list of (kwargs builder, expected status per persona)
TABLE = {
    # A helper's home is the list of their paired children (a redirect).
    "home": [(None, row(LOGIN, *[200] * 7, 302, 302))],
    "healthz": [(None, row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200))],
    # The installable app (issue 15): the worker, the manifest and the offline page hold no
    # one's data; the outbox page lists what the phone keeps (for its signed-in user).
    "service_worker": [(None, row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200))],
    "manifest": [(None, row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200))],
    "offline": [(None, row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200))],
    "outbox": [(None, EVERYONE_200)],
    "login": [(None, row(200, 302, 302, 302, 302, 302, 302, 302, 302, 302))],
    "logout": [(None, row(405, 405, 405, 405, 405, 405, 405, 405, 405, 405))],  # POST only
    # Two-factor login: everyone may set it up (or see it on); the code page sends a
    # verified session (or an account without an authenticator) on to where it was going.
    "twofactor:setup": [(None, EVERYONE_200)],
    "twofactor:verify": [(None, row(302, 302, 302, 302, 302, 302, 302, 302, 302, 302))],
    "twofactor:recovery_codes": [(None, POST_ONLY)],
    # A county officer's reset of an account's two-factor login (403/404 on POST: its test).
    "twofactor:reset": [(person("director"), POST_ONLY)],
    "set_language": [(None, row(302, 302, 302, 302, 302, 302, 302, 302, 302, 302))],
    "audit_log": [(None, row(LOGIN, 200, 403, 403, 403, 403, 403, 403, 403, 403))],
    # The operations page (background work): county officers and the superuser only.
    "jobs:operations": [(None, COUNTY_OFFICERS_ONLY)],
    "jobs:retry": [(lambda ctx: {"pk": "7d3c4c1e-0000-4000-8000-000000000001"}, POST_ONLY)],
    "jobs:dismiss": [(lambda ctx: {"pk": "7d3c4c1e-0000-4000-8000-000000000001"}, POST_ONLY)],
    "areas:service_point_list": [(None, EVERYONE_200)],
    "areas:service_point_detail": [
        (lambda ctx: {"pk": ctx["world"]["home_a1"].pk}, IN_A1),
        (lambda ctx: {"pk": ctx["world"]["home_b1"].pk}, IN_B1),
        (lambda ctx: {"pk": ctx["world"]["workstation_a"].pk}, IN_TOWNSHIP_A),
        (lambda ctx: {"pk": ctx["world"]["center"].pk}, IN_COUNTY),
    ],
    "areas:childrens_home_new": [(None, row(LOGIN, 200, 200, 200, 200, 403, 403, 403, 403, 403))],
    "areas:service_point_edit": [(lambda ctx: {"pk": ctx["world"]["home_a1"].pk}, EDIT_IN_A1)],
    "people:area_root": [(None, TO_OWN_AREA)],
    "people:area_detail": [
        (lambda ctx: {"code": A1}, IN_A1),
        (lambda ctx: {"code": B1}, IN_B1),
        (lambda ctx: {"code": TOWNSHIP_A}, IN_TOWNSHIP_A),
        (lambda ctx: {"code": COUNTY}, IN_COUNTY),
        (lambda ctx: {"code": "340000000000"}, row(LOGIN, *[404] * 9)),  # above the county
        (lambda ctx: {"code": "999999999999"}, row(LOGIN, *[404] * 9)),  # does not exist
    ],
    "people:gaps": [(None, EVERYONE_200)],
    "people:person_list": [(None, EVERYONE_200)],
    "people:person_detail": [
        (person("director"), IN_A1),
        (person("other_director"), IN_B1),
        (person("township_officer"), IN_TOWNSHIP_A),
        (person("county_officer"), IN_COUNTY),
    ],
    "people:person_new": [(None, row(LOGIN, 200, 200, 200, 200, 403, 403, 403, 403, 403))],
    "people:person_edit": [
        (person("director"), MANAGE_IN_A1),  # nobody edits their own account
        (person("township_officer"), row(LOGIN, 200, 403, 403, 404, 404, 404, 403, 404, 404)),
        (person("county_officer"), row(LOGIN, 403, 404, 404, 404, 404, 404, 403, 404, 404)),
    ],
    "people:person_password": [(person("director"), MANAGE_IN_A1)],
    "password_change": [(None, EVERYONE_200)],
    # API tokens: everyone has their own page; county officers list their jurisdiction's.
    "people:my_tokens": [(None, EVERYONE_200)],
    "people:token_list": [(None, COUNTY_OFFICERS_ONLY)],
    "people:token_revoke": [(lambda ctx: {"pk": 1}, POST_ONLY)],
    "people:responsibility_root": [(None, TO_OWN_AREA)],
    "people:responsibility": [
        (lambda ctx: {"code": A1}, IN_A1),
        (lambda ctx: {"code": TOWNSHIP_B}, row(LOGIN, 200, 404, 404, 200, 404, 404, 200, 404, 404)),
        (lambda ctx: {"code": COUNTY}, IN_COUNTY),
    ],
    "people:post_edit": [(pk_of("post_a1"), MANAGE_IN_A1)],
    "people:post_add": [
        (lambda ctx: {"code": A1}, MANAGE_IN_A1),
        (lambda ctx: {"code": TOWNSHIP_B}, row(LOGIN, 200, 404, 404, 200, 404, 404, 403, 404, 404)),
        (lambda ctx: {"code": COUNTY}, row(LOGIN, 403, 404, 404, 404, 404, 404, 403, 404, 404)),
    ],
    "children:roster": [(None, EVERYONE_200)],
    "children:new": [(None, row(LOGIN, 200, 200, 200, 200, 200, 200, 403, 403, 403))],
    "children:transfers": [(None, EVERYONE_200)],
    "children:import": [(None, row(LOGIN, 200, 200, 200, 200, 200, 200, 403, 403, 403))],
    "children:import_template": [(None, EVERYONE_200)],
    "children:import_job": [(pk_of("job_a1"), IN_A1)],
    "children:import_save": [
        (
            pk_of("job_a1"),
            row(LOGIN, 403, 403, 403, 404, 302, 404, 403, 404, 404),
        )
    ],
    "children:export": [(lambda ctx: {"fmt": "csv"}, EVERYONE_200)],
    "children:detail": [(child("child_a1"), IN_A1), (child("child_b1"), IN_B1)],
    "children:edit": [(child("child_a1"), EDIT_IN_A1)],
    "children:close": [(child("child_a1"), EDIT_IN_A1)],
    "children:reopen": [
        (child("child_a1"), row(LOGIN, 302, 302, 302, 404, 302, 404, 403, 404, 404))
    ],
    "children:care_level": [(child("child_a1"), MANAGE_IN_A1)],
    "children:basis": [
        (child("child_a1"), EDIT_IN_A1),
        (child("child_b1"), row(LOGIN, 200, 404, 404, 200, 404, 200, 403, 404, 404)),
    ],
    # Concerns follow their child. Every working role of the jurisdiction takes the steps of
    # the workflow; changing the owner is the officers'; only the township supervisor
    # confirms (an open concern has nothing to confirm yet: back to its page).
    "children:concerns": [(None, EVERYONE_200)],
    "children:concern_inbox": [(None, EVERYONE_200)],
    "children:concern": [(pk_of("concern_a1"), IN_A1)],
    "children:concern_step": [
        (lambda ctx: {"pk": ctx["concern_a1"].pk, "step": "resolve"}, EDIT_IN_A1),
        (lambda ctx: {"pk": ctx["concern_a1"].pk, "step": "reassign"}, MANAGE_IN_A1),
        (
            lambda ctx: {"pk": ctx["concern_a1"].pk, "step": "confirm"},
            row(LOGIN, 403, 302, 403, 404, 403, 404, 403, 404, 404),
        ),
        (
            lambda ctx: {"pk": ctx["concern_a1"].pk, "step": "nonsense"},
            row(LOGIN, *[404] * 9),
        ),
    ],
    "children:transfer": [(child("child_a1"), MANAGE_IN_A1)],
    # The register's housekeeping (issue 16): likely duplicates are the county officer's;
    # a handover to another county is seen by both sides, decided by the receiving county.
    "registry:duplicate_list": [(None, COUNTY_OFFICERS_ONLY)],
    "registry:pair": [
        (
            lambda ctx: {"first": ctx["child_a1"].pk, "second": ctx["child_b1"].pk},
            COUNTY_OFFICERS_ONLY,
        )
    ],
    "registry:merge": [
        (lambda ctx: {"first": ctx["child_a1"].pk, "second": ctx["child_b1"].pk}, POST_ONLY)
    ],
    "registry:distinct": [
        (lambda ctx: {"first": ctx["child_a1"].pk, "second": ctx["child_b1"].pk}, POST_ONLY)
    ],
    "registry:handover_list": [(None, EVERYONE_200)],
    "registry:handover": [(pk_of("handover_a1"), IN_A1)],
    "registry:handover_accept": [(pk_of("handover_a1"), POST_ONLY)],
    # Only the receiving county decides: every persona here is of the sending county.
    "registry:handover_decline": [
        (pk_of("handover_a1"), row(LOGIN, 403, 403, 403, 404, 403, 404, 403, 404, 404))
    ],
    # A village's list: above a village the compliance pages show who is overdue.
    "care:worklist": [(None, row(LOGIN, 302, 302, 302, 302, 200, 200, 302, 302, 302))],
    "care:activities": [(None, EVERYONE_200)],
    "care:compliance_root": [(None, TO_OWN_AREA)],
    "care:compliance_children": [
        (lambda ctx: {"code": A1, "figure": "special"}, IN_A1),
        (lambda ctx: {"code": COUNTY, "figure": "ordinary_overdue"}, IN_COUNTY),
        (
            lambda ctx: {"code": A1, "figure": "nonsense"},
            row(LOGIN, 404, 404, 404, 404, 404, 404, 404, 404, 404),
        ),
    ],
    "care:compliance_homes": [
        (lambda ctx: {"code": TOWNSHIP_A, "year": 2026, "week": 48}, IN_TOWNSHIP_A),
        (
            lambda ctx: {"code": A1, "year": 2026, "week": 60},
            row(LOGIN, 404, 404, 404, 404, 404, 404, 404, 404, 404),
        ),
    ],
    "care:compliance": [
        (lambda ctx: {"code": A1}, IN_A1),
        (lambda ctx: {"code": TOWNSHIP_A}, IN_TOWNSHIP_A),
        (lambda ctx: {"code": COUNTY}, IN_COUNTY),
    ],
    "care:activity_edit": [(pk_of("activity_a1"), EDIT_IN_A1)],
    "care:activity_new": [(None, row(LOGIN, 200, 200, 200, 200, 200, 200, 403, 403, 403))],
    "care:notifications": [(None, EVERYONE_200)],
    "care:visit_new": [(child_pk_of("child_a1"), EDIT_IN_A1)],
    "care:child_visits": [(child_pk_of("child_a1"), IN_A1)],
    "care:visit_detail": [(pk_of("visit_a1"), IN_A1)],
    # A photo of a visit: to those who see the visit.
    "care:photo": [(pk_of("photo_a1"), IN_A1)],
    "care:visit_edit": [(pk_of("visit_a1"), EDIT_IN_A1)],
    # Village files: a village's, township's or county's file for those who see the area.
    "villagefiles:village_file": [
        (lambda ctx: {"code": A1}, IN_A1),
        (lambda ctx: {"code": B1}, IN_B1),
        (lambda ctx: {"code": TOWNSHIP_A}, IN_TOWNSHIP_A),
        (lambda ctx: {"code": COUNTY}, IN_COUNTY),
    ],
    "villagefiles:download": [
        (lambda ctx: {"code": A1, "fmt": "pdf"}, IN_A1),
        (lambda ctx: {"code": B1, "fmt": "xlsx"}, IN_B1),
        # A township's or county's file is made by a job: the answer is the job's page.
        (
            lambda ctx: {"code": TOWNSHIP_A, "fmt": "xlsx"},
            row(LOGIN, 302, 302, 302, 404, 404, 404, 302, 404, 404),
        ),
        (
            lambda ctx: {"code": COUNTY, "fmt": "pdf"},
            row(LOGIN, 302, 404, 404, 404, 404, 404, 302, 404, 404),
        ),
    ],
    # The gap report of the user's own area; roles without an area have none (404).
    "villagefiles:gaps": [
        (None, row(LOGIN, 200, 200, 200, 200, 200, 200, 200, 404, 404)),
        (lambda ctx: {"code": A1}, IN_A1),
        (lambda ctx: {"code": COUNTY}, IN_COUNTY),
    ],
    # A job's page and file: its creator's only (jobs/tests/test_views.py); nobody else's.
    "jobs:job": [(lambda ctx: {"pk": NOBODYS_JOB}, NOT_FOUND)],
    "jobs:download": [(lambda ctx: {"pk": NOBODYS_JOB}, NOT_FOUND)],
    # The superuser starts the re-encryption (a POST; jobs/tests/test_rotation.py).
    "jobs:reencrypt": [(None, POST_ONLY)],
    "api:api-root": [(None, API_EVERYONE_200)],
    "api:auth_token": [(None, row(405, 405, 405, 405, 405, 405, 405, 405, 405, 405))],  # POST
    "api:area-list": [(None, API_EVERYONE_200)],
    "api:area-detail": [
        (lambda ctx: {"code": A1}, API_IN_A1),
        (lambda ctx: {"code": TOWNSHIP_A}, API_IN_TOWNSHIP_A),
        (lambda ctx: {"code": COUNTY}, API_IN_COUNTY),
    ],
    "api:service-point-list": [(None, API_EVERYONE_200)],
    "api:service-point-detail": [
        (lambda ctx: {"pk": ctx["world"]["home_a1"].pk}, API_IN_A1),
        (lambda ctx: {"pk": ctx["world"]["center"].pk}, API_IN_COUNTY),
    ],
    "api:person-list": [(None, API_EVERYONE_200)],
    "api:person-detail": [
        (person("director"), API_IN_A1),
        (person("township_officer"), API_IN_TOWNSHIP_A),
    ],
    "api:child-list": [(None, API_EVERYONE_200)],
    "api:visit-list": [(None, API_EVERYONE_200)],
    "api:visit-detail": [(pk_of("visit_a1"), API_IN_A1)],
    "api:activity-list": [(None, API_EVERYONE_200)],
    "api:activity-detail": [(pk_of("activity_a1"), API_IN_A1)],
    "api:worklist": [(None, row(API_ANON, 403, 403, 403, 403, 200, 200, 403, 403, 403))],
    "api:child-detail": [(child("child_a1"), API_IN_A1)],
    "api:child-basis": [(child("child_a1"), API_POST_ONLY)],
    "api:responsibility-post-list": [(None, API_EVERYONE_200)],
    "api:token-list": [(None, API_EVERYONE_200)],
    "api:token-revoke": [(lambda ctx: {"pk": 1}, API_POST_ONLY)],
    "api:responsibility-post-detail": [(pk_of("post_a1"), API_IN_A1)],
    "schema": [(None, API_EVERYONE_200)],
    "api_docs": [(None, API_EVERYONE_200)],
    # Quarterly rounds: the county's rounds are listed to everyone; a round's page sends
    # township and village users on to their own part of it.
    "rounds:list": [(None, EVERYONE_200)],
    "rounds:open": [(None, row(LOGIN, 200, 403, 403, 403, 403, 403, 403, 403, 403))],
    "rounds:detail": [
        (
            pk_of("round"),
            row(LOGIN, 200, 302, 302, 302, 302, 302, 200, 404, 404),
        )
    ],
    "rounds:close": [(pk_of("round"), POST_ONLY)],
    "rounds:township": [
        (lambda ctx: {"pk": ctx["round"].pk, "code": TOWNSHIP_A}, IN_TOWNSHIP_A),
        (lambda ctx: {"pk": ctx["round"].pk, "code": A1}, row(LOGIN, *[404] * 9)),
    ],
    "rounds:township_submit": [
        (lambda ctx: {"pk": ctx["round"].pk, "code": TOWNSHIP_A}, POST_ONLY)
    ],
    # The county sends township A's submitted summary back (issue 16): its officers only.
    "rounds:township_send_back": [
        (
            lambda ctx: {"pk": ctx["summary_a"].round_id, "code": TOWNSHIP_A},
            row(LOGIN, 200, 403, 403, 404, 404, 404, 403, 404, 404),
        )
    ],
    "rounds:return": [(pk_of("return_a1"), IN_A1)],
    "rounds:check": [
        (lambda ctx: {"pk": ctx["return_a1"].pk, "child_pk": ctx["child_a1"].pk}, POST_ONLY)
    ],
    "rounds:submit": [(pk_of("return_a1"), POST_ONLY)],
    "rounds:review": [(pk_of("return_a1"), IN_A1)],
    "api:round-list": [(None, API_EVERYONE_200)],
    "api:round-detail": [(pk_of("round"), row(API_ANON, *[200] * 7, 404, 404))],
    "api:round-close": [(pk_of("round"), API_POST_ONLY)],
    "api:round-township-summary": [(pk_of("round"), API_POST_ONLY)],
    "api:return-list": [(None, API_EVERYONE_200)],
    "api:return-detail": [(pk_of("return_a1"), API_IN_A1)],
    "api:return-check": [(pk_of("return_a1"), API_POST_ONLY)],
    "api:outbox-list": [(None, API_POST_ONLY)],
    "api:outbox-photos": [(None, API_POST_ONLY)],
    "api:return-submit": [(pk_of("return_a1"), API_POST_ONLY)],
    "api:return-approve": [(pk_of("return_a1"), API_POST_ONLY)],
    "api:return-send-back": [(pk_of("return_a1"), API_POST_ONLY)],
    "rounds:inbox": [(None, EVERYONE_200)],
    "stats:dashboard_root": [(None, row(LOGIN, 302, 302, 302, 302, 302, 302, 302, 200, 200))],
    "stats:dashboard": [
        (lambda ctx: {"code": A1}, IN_A1),
        (lambda ctx: {"code": TOWNSHIP_A}, IN_TOWNSHIP_A),
        (lambda ctx: {"code": COUNTY}, IN_COUNTY),
        (lambda ctx: {"code": "nonsense"}, row(LOGIN, *[404] * 9)),
    ],
    "stats:figure": [
        (lambda ctx: {"code": A1, "name": "homes"}, IN_A1),
        (lambda ctx: {"code": TOWNSHIP_A, "name": "special_with_relief"}, IN_TOWNSHIP_A),
        (lambda ctx: {"code": COUNTY, "name": "return_approved"}, IN_COUNTY),
        (lambda ctx: {"code": A1, "name": "children"}, row(LOGIN, *[404] * 9)),
    ],
    "stats:reports": [
        (lambda ctx: {"code": A1}, IN_A1),
        (lambda ctx: {"code": COUNTY}, IN_COUNTY),
    ],
    # Reports are made by a job: the answer is the job's page.
    "stats:report_quarterly": [
        (
            lambda ctx: {"code": A1, "round_pk": ctx["round"].pk, "fmt": "xlsx"},
            row(LOGIN, 302, 302, 302, 404, 302, 404, 302, 404, 404),
        )
    ],
    "stats:report_annual": [
        (
            lambda ctx: {"code": COUNTY, "year": 2026, "fmt": "pdf"},
            row(LOGIN, 302, 404, 404, 404, 404, 404, 302, 404, 404),
        ),
        (
            lambda ctx: {"code": A1, "year": 2099, "fmt": "xlsx"},
            row(LOGIN, 404, 404, 404, 404, 404, 404, 404, 404, 404),
        ),
    ],
    "api:stats-list": [(None, row(API_ANON, *[200] * 7, 404, 404))],
    "api:stats-detail": [
        (lambda ctx: {"code": A1}, API_IN_A1),
        (lambda ctx: {"code": COUNTY}, API_IN_COUNTY),
    ],
    "rounds:figures": [
        (lambda ctx: {"code": A1}, IN_A1),
        (lambda ctx: {"code": COUNTY}, IN_COUNTY),
    ],
    # Relief: everyone with an area reads the county's catalogue (volunteers get an empty
    # page); only county officers change it. Measures and contacts follow their child.
    "relief:catalogue": [(None, EVERYONE_200)],
    "relief:programme_new": [(None, COUNTY_OFFICERS_ONLY)],
    "relief:programme_edit": [(pk_of("programme"), CATALOGUE_EDIT)],
    "relief:measure_list": [(None, EVERYONE_200)],
    "relief:child_section": [
        (child_pk_of("child_a1"), IN_A1),
        (child_pk_of("child_b1"), IN_B1),
    ],
    "relief:measure_new": [(child_pk_of("child_a1"), EDIT_IN_A1)],
    "relief:measure_edit": [(pk_of("measure_a1"), EDIT_IN_A1)],
    "relief:measure_history": [(pk_of("measure_a1"), IN_A1)],
    "relief:contact_new": [(child_pk_of("child_a1"), EDIT_IN_A1)],
    "relief:contact_edit": [(pk_of("contact_a1"), EDIT_IN_A1)],
    "relief:contact_end": [(pk_of("contact_a1"), EDIT_IN_A1)],
    "api:programme-list": [(None, API_EVERYONE_200)],
    "api:programme-detail": [(pk_of("programme"), row(API_ANON, *[200] * 7, 404, 404))],
    "api:relief-measure-list": [(None, API_EVERYONE_200)],
    "api:relief-measure-detail": [(pk_of("measure_a1"), API_IN_A1)],
    "api:assistance-contact-list": [(None, API_EVERYONE_200)],
    "api:assistance-contact-detail": [(pk_of("contact_a1"), API_IN_A1)],
    # Applications for benefits (issue 16): every step's page for every role. The director
    # opened them; township staff checked app_checked; the county officer approved the others;
    # the director opened app_stop's stop. An application not at the step sends its handlers
    # back to it (302); a role that never takes the step gets 403.
    "applications:list": [(None, EVERYONE_200)],
    "applications:report": [(None, EVERYONE_200)],
    "applications:detail": [(pk_of("app_applied"), IN_A1), (pk_of("app_in_effect"), IN_A1)],
    "applications:new": [
        (child_pk_of("child_a1"), row(LOGIN, 403, 200, 200, 404, 200, 404, 403, 404, 404)),
        (child_pk_of("child_b1"), row(LOGIN, 403, 404, 404, 200, 404, 200, 403, 404, 404)),
    ],
    "applications:check": [
        (pk_of("app_applied"), row(LOGIN, 403, 200, 200, 404, 403, 404, 403, 404, 404)),
        (pk_of("app_checked"), row(LOGIN, 403, 302, 302, 404, 403, 404, 403, 404, 404)),
    ],
    "applications:decide": [
        (pk_of("app_checked"), row(LOGIN, 200, 403, 403, 404, 403, 404, 403, 404, 404)),
        (pk_of("app_applied"), row(LOGIN, 302, 403, 403, 404, 403, 404, 403, 404, 404)),
    ],
    "applications:withdraw": [
        (pk_of("app_applied"), row(LOGIN, 403, 200, 200, 404, 200, 404, 403, 404, 404)),
        (pk_of("app_in_effect"), row(LOGIN, 403, 302, 302, 404, 302, 404, 403, 404, 404)),
    ],
    "applications:stop": [(pk_of("app_in_effect"), EDIT_IN_A1)],
    "applications:stop_decide": [
        (pk_of("app_stop"), row(LOGIN, 200, 403, 403, 404, 403, 404, 403, 404, 404)),
    ],
    "applications:document_new": [(pk_of("app_applied"), EDIT_IN_A1)],
    "applications:document": [(pk_of("document_a1"), IN_A1)],
    # Social forces. Organisations: county-wide register, kept by township and county officers.
    "social:organisations": [(None, EVERYONE_200)],
    "social:organisation_new": [(None, row(LOGIN, 200, 200, 200, 200, 403, 403, 403, 403, 403))],
    "social:organisation_edit": [
        (
            pk_of("organisation"),
            row(LOGIN, *[200] * 4, 403, 403, 403, 404, 404),
        )
    ],
    "social:helpers": [(None, EVERYONE_200)],
    # The volunteer (bound to the county) edits their own profile; the county officer too.
    "social:helper_profile": [
        (
            lambda ctx: {"user_pk": ctx["volunteer"].pk},
            row(LOGIN, 200, 404, 404, 404, 404, 404, 403, 200, 404),
        )
    ],
    "social:child_section": [(child_pk_of("child_a1"), IN_A1)],
    "social:pair": [(child_pk_of("child_a1"), EDIT_IN_A1)],
    # The volunteer is paired with child_a1; the social worker is not.
    "social:service_new": [
        (
            child_pk_of("child_a1"),
            row(LOGIN, 200, 200, 200, 404, 200, 404, 403, 200, 404),
        )
    ],
    "social:pairing_end": [
        (
            pk_of("pairing_a1"),
            row(LOGIN, 200, 200, 200, 404, 200, 404, 403, 403, 404),
        )
    ],
    "api:organisation-list": [(None, API_EVERYONE_200)],
    "api:organisation-detail": [(pk_of("organisation"), row(API_ANON, *[200] * 7, 404, 404))],
    "api:helper-list": [(None, API_EVERYONE_200)],
    "api:helper-detail": [
        (
            pk_of("profile_volunteer"),
            row(API_ANON, 200, 404, 404, 404, 404, 404, 200, 200, 404),
        )
    ],
    "api:pairing-list": [(None, API_EVERYONE_200)],
    "api:pairing-detail": [(pk_of("pairing_a1"), PAIRED_A1)],
    "api:pairing-end": [(pk_of("pairing_a1"), API_POST_ONLY)],
    "api:service-record-list": [(None, API_EVERYONE_200)],
    "api:service-record-detail": [(pk_of("service_a1"), PAIRED_A1)],
    # Reports of concern: anyone signed in reports; the place's jurisdiction handles.
    "concerns:list": [(None, EVERYONE_200)],
    "concerns:new": [(None, EVERYONE_200)],
    "concerns:detail": [(pk_of("report_a1"), IN_A1)],
    "concerns:link": [
        (
            pk_of("report_a1"),
            row(LOGIN, 302, 302, 302, 404, 302, 404, 302, 404, 404),
        )
    ],
    "concerns:advance": [(pk_of("report_a1"), EDIT_IN_A1)],
    "concerns:inbox": [(None, EVERYONE_200)],
    "api:concern-list": [(None, API_EVERYONE_200)],
    "api:concern-detail": [(pk_of("concern_a1"), API_IN_A1)],
    **{
        f"api:concern-{name}": [(pk_of("concern_a1"), API_POST_ONLY)]
        for name in (
            "take-action",
            "resolve",
            "refer",
            "confirm",
            "send-back",
            "report-made",
            "reassign",
        )
    },
    "api:report-of-concern-list": [(None, API_EVERYONE_200)],
    "api:report-of-concern-detail": [(pk_of("report_a1"), API_IN_A1)],
    "api:report-of-concern-link": [(pk_of("report_a1"), API_POST_ONLY)],
    "api:report-of-concern-advance": [(pk_of("report_a1"), API_POST_ONLY)],
    # The public endpoint: POST only, no account (a GET is refused for everyone).
    "api:public-report-list": [(None, row(*[405] * 10))],
    "care:notification_preferences": [(None, EVERYONE_200)],
    "concerns:summary": [(lambda ctx: {"code": A1}, IN_A1)],
    "concerns:change_new": [(child_pk_of("child_a1"), EDIT_IN_A1)],
    # The public reporting page needs no account.
    # Referrals (issue 16): the list asks helpers, who see no area, to say so (200); a
    # referral of A1 is seen in A1; making one, answering and withdrawing are writes.
    "referrals:list": [(None, EVERYONE_200)],
    "referrals:inbox": [(None, EVERYONE_200)],
    "referrals:detail": [(pk_of("referral_a1"), IN_A1)],
    "referrals:new": [(child_pk_of("child_a1"), EDIT_IN_A1)],
    "referrals:answer": [(pk_of("referral_a1"), EDIT_IN_A1)],
    "referrals:withdraw": [(pk_of("referral_a1"), EDIT_IN_A1)],
    "referrals:case_plan": [
        (child_pk_of("child_a1"), IN_A1),
        (child_pk_of("child_b1"), IN_B1),
    ],
    "concerns:public": [(None, row(*[200] * 10))],
    "concerns:thanks": [(None, row(*[302] * 10))],
    "social:my_children": [(None, row(LOGIN, *[302] * 7, 200, 200))],
    "social:helper_child": [
        (
            pk_of("child_a1"),
            row(LOGIN, *[302] * 7, 200, 404),
        ),
        (pk_of("child_b1"), row(LOGIN, *[302] * 7, 404, 404)),
    ],
}


def all_url_names(resolver=None, namespace="", route=""):
    """Every URL pattern of the project, by its name with its namespace. A pattern without
    a name cannot have a row: it comes out as "<unnamed: its route>", always missing."""
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            if ns in EXCLUDED_NAMESPACES:
                continue
            prefix = f"{namespace}{ns}:" if ns else namespace
            names |= all_url_names(pattern, prefix, route + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
        elif isinstance(pattern, URLPattern):
            names.add(f"<unnamed: {route}{pattern.pattern}>")
    return names


def missing_from_table() -> list[str]:
    return sorted(all_url_names() - set(TABLE))


def test_every_url_is_in_the_table():
    missing = missing_from_table()
    assert not missing, f"URLs without a row in the permission table: {missing}"


class WithUnlistedRoutes:
    """The project's URLs and two more: a named page without a row, and an API route
    without a name (neither may pass unnoticed)."""

    urlpatterns = [
        path("", include("shouhu.urls")),
        path("extra/", lambda request: HttpResponse("ok"), name="extra_page"),
        path("api/v1/hidden/", lambda request: HttpResponse("ok")),
    ]


def test_the_table_fails_for_a_route_added_without_a_row():
    with override_settings(ROOT_URLCONF=WithUnlistedRoutes):
        missing = missing_from_table()
    assert missing == ["<unnamed: api/v1/hidden/>", "extra_page"]
    assert not missing_from_table()  # the project's own are all listed


@pytest.fixture
def ctx(everyone, world):
    from children.models import ImportJob
    from people.models import ResponsibilityPost

    post = ResponsibilityPost.objects.create(
        area=world["a1"], post="team_lead", holder_name="王建国"
    )
    return {
        **everyone,
        "world": world,
        "post_a1": post,
        "child_a1": (child_a1 := make_child(world["a1"], "王小明")),
        "child_b1": make_child(world["b1"], "张小红"),
        "activity_a1": Activity.objects.create(
            home=world["home_a1"],
            held_on=dt.date(2026, 11, 2),
            theme="policy",
            recorded_by=everyone["director"],
        ),
        "visit_a1": (
            visit_a1 := record_visit(
                everyone["director"], child_a1, {"visited_on": dt.date(2026, 11, 1)}
            )
        ),
        "photo_a1": attach_photo(everyone["director"], visit_a1, _small_photo()),
        "job_a1": ImportJob.objects.create(
            area=world["a1"], created_by=everyone["director"], filename="roster.xlsx", content=b""
        ),
        "round": (
            the_round := open_round(
                everyone["county_officer"], world["county"], 2026, 4, dt.date(2027, 1, 15)
            )
        ),
        "return_a1": the_round.returns.get(area=world["a1"]),
        "summary_a": TownshipSummary.objects.create(
            round=the_round, area=world["a"], submitted_by=everyone["township_officer"]
        ),
        "programme": (programme := relief_programme(world["county"])),
        "measure_a1": relief_services.add_measure(
            everyone["director"],
            child_a1,
            {"programme": programme, "start_month": dt.date(2026, 1, 1)},
        ),
        "contact_a1": relief_services.add_contact(
            everyone["director"], child_a1, {"name": "李支书", "since": dt.date(2026, 1, 1)}
        ),
        "organisation": Organisation.objects.create(county=world["county"], name="阳光社工站"),
        **applications_in_a1(everyone, child_a1),
        "pairing_a1": social_services.pair(
            everyone["director"],
            child_a1,
            {
                "helper": everyone["volunteer"],
                "purpose": "tutoring",
                "started_on": dt.date(2026, 1, 1),
            },
        ),
        "report_a1": concern_services.receive(
            {
                **CONCERN,
                "area": world["a1"],
                "urgency": "normal",
            },
            source="public",
        ),
        "concern_a1": open_concern(everyone["director"], child_a1, "作业无人辅导", source="visit"),
        "referral_a1": referral_services.refer(
            everyone["director"], child_a1, {"kind": "school", "reason": "长期缺课，请学校跟进"}
        ),
        "profile_volunteer": HelperProfile.objects.create(user=everyone["volunteer"]),
        "service_a1": social_services.record_service(
            everyone["volunteer"],
            child_a1,
            {"kind": "visit", "on": dt.date(2026, 11, 1), "minutes": 30},
        ),
        "handover_a1": handover_to_another_county(everyone["county_officer"], world),
    }


def applications_in_a1(everyone, child):
    """Applications for child A1 at each step (through applications' services), and a
    document of the first."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from applications import services as application_services

    def opened(code):
        return application_services.open_application(
            everyone["director"], child, {"programme": code, "reason": "父亲服刑，母亲失联。"}
        )

    check = {"findings": "信息比对属实。", "cross_checked": "公安户籍", "passed": True}

    def checked(code):
        return application_services.check_application(
            everyone["township_staff"], opened(code), check
        )

    def approved(code):
        return application_services.decide_application(
            everyone["county_officer"], checked(code), {"approved": True, "amount": 500}
        )

    applied = opened("fuc")
    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    return {
        "app_applied": applied,
        "document_a1": application_services.attach_document(
            everyone["director"], applied, pdf, "户口本"
        ),
        "app_checked": checked("dibao"),
        "app_in_effect": approved("orphan_scattered"),
        "app_stop": application_services.open_stop(
            everyone["director"], approved("rehabilitation"), {"stop_reason": "adopted"}
        ),
    }


def handover_to_another_county(actor, world):
    """A pending handover of a child of A1 to a village of Guoyang county (341621)."""
    from areas.codes import Level
    from areas.models import Area
    from children.services import transfer_child

    county = Area.objects.create(
        code="341621000000", name="涡阳县", level=Level.COUNTY, parent=world["city"]
    )
    township = Area.objects.create(
        code="341621100000", name="城关镇", level=Level.TOWNSHIP, parent=county
    )
    village = Area.objects.create(
        code="341621100201", name="东村", level=Level.VILLAGE, parent=township
    )
    return transfer_child(actor, make_child(world["a1"], "李小华"), village, "随父母迁居")


def relief_programme(county):
    """A programme of the county's default relief catalogue."""
    from relief.catalogue import ensure_catalogue
    from relief.models import Programme

    ensure_catalogue(county)
    return Programme.objects.get(county=county, code="dibao")


def signed_in_clients(ctx):
    """A client for each persona, signed in once (anonymous: never signed in)."""
    clients = {ANON: Client()}
    for persona in SIGNED_IN:
        clients[persona] = Client()
        clients[persona].force_login(ctx[persona])
    return clients


def status_of(client, url):
    """The status of `client`'s GET of `url`, leaving no trace for the next request: the
    request runs in a savepoint that is rolled back (audit entries, sessions, the database
    cache, lockout counters), the other caches are emptied first, and the client's cookies
    are put back as they were. A view's exception is the answer instead of a status."""
    cookies = copy.deepcopy(client.cookies)
    try:
        with transaction.atomic():
            for cache in caches.all():
                cache.clear()
            try:
                return client.get(url).status_code
            finally:
                transaction.set_rollback(True)
    except Exception as error:  # reported with the URL and persona
        return f"{type(error).__name__}: {error}"
    finally:
        client.cookies = cookies


def test_permission_table(ctx):
    """Every row of TABLE, for every persona. The world (ctx) is built once; each request
    is isolated from the others (status_of), so the order of the rows does not matter."""
    clients = signed_in_clients(ctx)
    wrong, checked = [], 0
    for name, entries in TABLE.items():
        for index, (kwargs_builder, expected) in enumerate(entries):
            case = f"{name}[{index}]"
            try:
                url = reverse(name, kwargs=kwargs_builder(ctx) if kwargs_builder else None)
            except Exception as error:  # a row whose URL cannot be made
                wrong.append(f"{case}: {type(error).__name__}: {error}")
                continue
            for persona in PERSONAS:
                status = status_of(clients[persona], url)
                checked += 1
                if status != expected[persona]:
                    wrong.append(
                        f"{case} {persona} GET {url}: expected {expected[persona]}, got {status}"
                    )
    assert not wrong, f"{len(wrong)} wrong answers:\n" + "\n".join(wrong)
    assert checked == len(PERSONAS) * sum(len(entries) for entries in TABLE.values())
