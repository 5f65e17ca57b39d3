"""Every API operation answers as the published OpenAPI schema (/api/schema/) says.

The test walks the schema's paths: every operation must be in CALLS, which says how to call
it (who, with what) for its answers — success and the errors it gives (400, 401, 403, 404,
409). Each answer's status must be one the schema declares for the operation, and its body
must validate against the schema declared for that status (with jsonschema, the components'
$refs resolved and OpenAPI 3.0's `nullable` turned into JSON Schema's null type). An object
the schema describes has no undeclared fields: a field the schema does not name is a
mismatch too. An operation the table does not know is a failure, never a skip.
"""

import datetime as dt
from dataclasses import dataclass, field

import jsonschema
import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from care.services import record_activity, record_visit
from children.services import close_child
from children.services.concerns import open_concern, resolve
from concerns import services as concern_services
from core.concurrency import version_of
from relief import services as relief_services
from relief.catalogue import ensure_catalogue
from relief.models import Programme
from rounds.services import open_round
from social import services as social_services
from social.models import HelperProfile
from tests.personas import CONCERN, REPORTER, make_child

pytestmark = pytest.mark.django_db

ANON = "anonymous"


@dataclass
class Call:
    """One request: who makes it, the path's parameters, the body, the status expected."""

    status: int
    persona: str = "county_officer"
    params: dict = field(default_factory=dict)
    body: dict | list | None = None
    query: dict | None = None
    format: str = "json"  # "multipart" for a file (the outbox's photos)


# -- the world the calls are made in ---------------------------------------------------------


@pytest.fixture
def ctx(everyone, world):
    """One of everything the API serves, in village A1 (and a child in B1)."""
    director, county_officer = everyone["director"], everyone["county_officer"]
    child = make_child(world["a1"], "王小明", id_number=None)
    ensure_catalogue(world["county"])
    programme = Programme.objects.get(county=world["county"], code="dibao")
    HelperProfile.objects.create(user=everyone["volunteer"])
    pairing = social_services.pair(
        director,
        child,
        {"helper": everyone["volunteer"], "purpose": "tutoring", "started_on": dt.date(2026, 1, 1)},
    )
    the_round = open_round(county_officer, world["county"], 2026, 4, dt.date(2027, 1, 15))
    return {
        **everyone,
        "world": world,
        "world_a1": world["a1"],
        "home_a1": world["home_a1"],
        "child": child,
        "child_b1": make_child(world["b1"], "张小红"),
        "visit": record_visit(director, child, {"visited_on": dt.date(2026, 11, 1)}),
        "activity": record_activity(
            director,
            {"home": world["home_a1"], "held_on": dt.date(2026, 11, 2), "theme": "policy"},
            [child],
        ),
        "programme": programme,
        "measure": relief_services.add_measure(
            director, child, {"programme": programme, "start_month": dt.date(2026, 1, 1)}
        ),
        "contact": relief_services.add_contact(
            director, child, {"name": "李支书", "since": dt.date(2026, 1, 1)}
        ),
        "organisation": social_services.add_organisation(
            county_officer, world["county"], {"name": "阳光社工站", "areas": [world["a"]]}
        ),
        "pairing": pairing,
        "service": social_services.record_service(
            everyone["volunteer"],
            child,
            {"kind": "visit", "on": dt.date(2026, 11, 1), "minutes": 30},
        ),
        "report": concern_services.receive(
            {
                **CONCERN,
                "area": world["a1"],
                "urgency": "normal",
                "reporter_name": "李大姐",
                "reporter_phone": "13811112222",
            },
            source="public",
        ),
        "round": the_round,
        "return": the_round.returns.get(area=world["a1"]),
        "post": _post(world),
    }


def _post(world):
    from people.models import ResponsibilityPost

    return ResponsibilityPost.objects.create(
        area=world["a1"], post="team_lead", holder_name="王建国"
    )


def _token(ctx):
    """An API token of the director's (made when a call needs it)."""
    from people.tokens import issue

    if "token" not in ctx:
        ctx["token"] = issue(ctx["director"], "手机")[0]
    return ctx["token"]


def _version(ctx, persona, url):
    api = APIClient()
    api.force_authenticate(ctx["county_officer" if persona == ANON else persona])
    return api.get(url).json()["version"]


def _check_all(ctx, ret):
    from children.models import Child
    from rounds.services import check_child

    for child in Child.objects.filter(area=ret.area).active():
        check_child(ctx["county_officer"], ret, child, "")


def _check_only(ctx):
    """The A1 return with every child checked (ready to submit)."""
    _check_all(ctx, ctx["return"])


def _checked_and_submitted(ctx):
    """The A1 return checked and submitted (ready for review)."""
    from rounds.services import submit_return

    _check_all(ctx, ctx["return"])
    submit_return(ctx["director"], ctx["return"])


def _all_approved(ctx, prefix="341623100"):
    """Every village return of township A (or of the county) approved."""
    from rounds.services import approve_return, submit_return

    for ret in ctx["round"].returns.filter(area__code__startswith=prefix):
        _check_all(ctx, ret)
        submit_return(ctx["county_officer"], ret)
        # Another officer approves (whoever submitted a return does not approve it).
        in_a = ret.area.code.startswith("341623100")
        approve_return(ctx["township_officer" if in_a else "other_township_officer"], ret)


def _close_ready(ctx):
    """Every township's summary in: the round may be closed."""
    from rounds.services import submit_township

    _all_approved(ctx, "341623")
    for township in (ctx["world"]["a"], ctx["world"]["b"]):
        submit_township(ctx["county_officer"], ctx["round"], township)


def _closed(ctx):
    """The open round closed: another may be opened."""
    from rounds.services import close_round

    _close_ready(ctx)
    close_round(ctx["county_officer"], ctx["round"])


# -- how to call each operation ----------------------------------------------------------------

PERSON = "/api/v1/people/{id}/"
CHILD = {
    "area": "341623100201",
    "name": "王小刚",
    "sex": "M",
    "birth_date": "2017-03-04",
    "father": {"name": "王大", "status": "migrant", "work_province": "浙江", "work_city": "杭州"},
    "mother": {"name": "李梅", "status": "migrant", "work_province": "江苏", "work_city": "苏州"},
    "caregiver": {
        "name": "王奶奶",
        "relationship": "grandparent",
        "age": 66,
        "health": "healthy",
        "assessment": "good",
    },
}
BASIS = {
    "processing_basis": "guardian_consent",
    "basis_on": "2026-09-01",
    "consent_by": "王大",
    "consent_relationship": "father",
    "basis_note": "同意书存村儿童之家档案",
}
REPORT = {"area": "341623100201", **CONCERN, **REPORTER}
SERVICE = {"kind": "visit", "on": "2026-11-20", "minutes": 30}


def _lists(filters=None, forbidden=None):
    """A list: read by an officer and a director; a bad filter and a page past the end."""

    def calls(ctx):
        made = [Call(200), Call(200, "director"), Call(404, query={"page": "999"})]
        if filters:
            made.append(Call(400, query=filters))
        if forbidden:
            made.append(Call(403, forbidden))
        return made

    return calls


def _detail(key, lookup="pk", outside="other_director", persona="county_officer"):
    """A record: read, and asked for from outside the jurisdiction (404)."""

    def calls(ctx):
        params = {"id" if lookup == "pk" else lookup: getattr(ctx[key], lookup)}
        return [Call(200, persona, params), Call(404, outside, params)]

    return calls


def _update(key, body, bad, persona="director", forbidden="leader", outside="other_director"):
    """A change with the current version (200), a bad value (400), a read-only role (403),
    from outside the jurisdiction (404), a stale version (409)."""

    def calls(ctx):
        params = {"id": ctx[key].pk}
        return [
            Call(400, persona, params, {**bad, "version": "{version}"}),
            Call(403, forbidden, params, body),
            Call(404, outside, params, body),
            Call(409, persona, params, {**body, "version": "2020-01-01T00:00:00Z"}),
            Call(200, persona, params, {**body, "version": "{version}"}),
        ]

    return calls


def _edits(path, put, patch=None):
    """The calls of a detail path's PUT and PATCH (the same calls unless `patch` is given)."""
    return {("put", path): put, ("patch", path): patch or put}


def _for_child(made, bad, forbidden, persona="director"):
    """A record about the A1 child: made (201), a bad value (400), a read-only role (403).
    `made` may be a function of the context."""

    def calls(ctx):
        child = {"child": ctx["child"].pk}
        return [
            Call(201, persona, body={**child, **(made(ctx) if callable(made) else made)}),
            Call(400, persona, body={**child, **bad}),
            Call(403, "leader", body={**child, **forbidden}),
        ]

    return calls


def _photo_calls(ctx):
    """A photo of a visit the director's phone sent: kept (201), again (200), not a photo
    (400), a read-only role (403), a record never sent (409)."""
    import io
    import uuid

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from outbox.services import receive

    record = uuid.uuid4()
    made_at = timezone.now() - dt.timedelta(hours=1)
    data = {"child": ctx["child"].pk, "visited_on": timezone.localdate().isoformat()}
    receive(ctx["director"], client_id=record, kind="visit", made_at=made_at, data=data)
    jpeg = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(jpeg, "JPEG")
    photo = jpeg.getvalue()

    def body(photo_id=None, of=record, content=photo):
        return {
            "id": str(photo_id or uuid.uuid4()),
            "record": str(of),
            "made_at": made_at.isoformat(),
            "image": SimpleUploadedFile("p.jpg", content, content_type="image/jpeg"),
        }

    same = uuid.uuid4()
    return [
        Call(201, "director", body=body(same), format="multipart"),
        Call(200, "director", body=body(same), format="multipart"),
        Call(400, "director", body=body(content=b"text"), format="multipart"),
        Call(403, "leader", body=body(), format="multipart"),
        Call(409, "director", body=body(of=uuid.uuid4()), format="multipart"),
    ]


def _sent(ctx, kind, data, client_id=None):
    """A record sent from the phone's outbox (the same `client_id`: the same record again);
    a check names the A1 return."""
    import uuid

    if kind == "check":
        data = {**data, "return": ctx["return"].pk}
    if kind == "visit":
        data = {"visited_on": timezone.localdate().isoformat(), **data}
    made_at = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    if client_id:
        sent = ctx.setdefault("outbox_sent", {}).setdefault(client_id, (uuid.uuid4(), made_at))
        return {"id": str(sent[0]), "kind": kind, "made_at": sent[1], "data": data}
    return {"id": str(uuid.uuid4()), "kind": kind, "made_at": made_at, "data": data}


def _measure(ctx):
    return {"programme": ctx["programme"].pk, "start_month": "2026-03", "amount": "300.00"}


def _pairing(ctx):
    return {"helper": ctx["social_worker"].pk, "purpose": "counselling", "started_on": "2026-02-01"}


def _on(key, *steps):
    """Calls on the record `key`, its id in the path: each step is (status, persona[, body])."""

    def calls(ctx):
        params = {"id": ctx[key].pk}
        return [Call(status, persona, params, *body) for status, persona, *body in steps]

    return calls


def _child_step(key):
    """A step naming a child: the A1 child (200), a child of another village (400), a
    read-only role (403), from outside the jurisdiction (404)."""

    def calls(ctx):
        params, child = {"id": ctx[key].pk}, {"child": ctx["child"].pk}
        return [
            Call(200, "director", params, child),
            Call(400, "director", params, {"child": ctx["child_b1"].pk}),
            Call(403, "leader", params, child),
            Call(404, "other_director", params, child),
        ]

    return calls


def _concern_step(
    good, bad, persona="director", forbidden="leader", prepare=None, bad_on_open=False
):
    """A step of a concern (children/api/concerns.py): refused with a bad body (400; or, with
    `bad_on_open`, on a concern still open), for a read-only role (403), from outside (404)
    and on a stale version (409), then taken. `good` may be a function of the context."""

    def calls(ctx):
        concern = prepare(ctx) if prepare else _the_concern(ctx)
        params, version = {"id": concern.pk}, version_of(concern)
        body = good(ctx) if callable(good) else good
        refused = _the_concern(ctx) if bad_on_open else concern
        stale = "2020-01-01T00:00:00Z"
        return [
            Call(400, persona, {"id": refused.pk}, {**bad, "version": version_of(refused)}),
            Call(403, forbidden, params, body),
            Call(404, "other_director", params, body),
            Call(409, persona, params, {**body, "version": stale}),
            Call(200, persona, params, {**body, "version": version}),
        ]

    return calls


def _the_concern(ctx):
    """An open concern on the A1 child, made when a concern's call needs it (opening one
    changes the child, which counts as a check in the open round's return)."""
    if "concern" not in ctx:
        ctx["concern"] = open_concern(ctx["director"], ctx["child"], "作业无人辅导", source="visit")
    return ctx["concern"]


def _awaiting(ctx):
    """An urgent concern the director resolved: it waits for the supervisor."""
    concern = open_concern(
        ctx["director"], ctx["child"], "独自在家多日", source="visit", urgency="urgent"
    )
    return resolve(ctx["director"], concern, "父母已返乡照顾。")


def _to_report(ctx):
    return open_concern(
        ctx["director"], ctx["child"], "身上有伤痕", source="visit", report="身上有伤痕"
    )


CALLS = {
    ("get", "/api/v1/concerns/"): lambda ctx: (
        _the_concern(ctx),
        _lists({"urgency": "castle"})(ctx),
    )[1],
    ("get", "/api/v1/concerns/{id}/"): lambda ctx: (_the_concern(ctx), _detail("concern")(ctx))[1],
    ("post", "/api/v1/concerns/{id}/take-action/"): _concern_step(
        {"note": "已联系监护人。"}, {"note": ""}
    ),
    ("post", "/api/v1/concerns/{id}/resolve/"): _concern_step(
        {"outcome": "复访情况良好。"}, {"outcome": " "}
    ),
    ("post", "/api/v1/concerns/{id}/refer/"): _concern_step(
        {"referred_to": "乡镇中心学校", "outcome": "已转介。"}, {"referred_to": ""}
    ),
    ("post", "/api/v1/concerns/{id}/confirm/"): _concern_step(
        {"note": "已核实。"}, {}, "township_officer", prepare=_awaiting, bad_on_open=True
    ),
    ("post", "/api/v1/concerns/{id}/send-back/"): _concern_step(
        {"note": "请再次走访。"}, {"note": ""}, "township_officer", prepare=_awaiting
    ),
    ("post", "/api/v1/concerns/{id}/report-made/"): _concern_step(
        lambda ctx: {"reported_to": "城关派出所", "reported_on": str(timezone.localdate())},
        {"reported_to": "", "reported_on": "soon"},
        prepare=_to_report,
    ),
    ("post", "/api/v1/concerns/{id}/reassign/"): _concern_step(
        lambda ctx: {"owner": ctx["township_staff"].pk},
        {"owner": "99999999999999999999"},
        "township_officer",
    ),
    ("get", "/api/v1/areas/"): _lists({"level": "castle"}),
    ("get", "/api/v1/areas/{code}/"): _detail("world_a1", "code"),
    ("get", "/api/v1/service-points/"): _lists({"kind": "castle"}),
    ("get", "/api/v1/service-points/{id}/"): _detail("home_a1"),
    **_edits(
        "/api/v1/service-points/{id}/",
        put=_update("home_a1", {"name": "王庄村儿童之家", "phone": "13800000001"}, {"name": ""}),
        patch=_update("home_a1", {"phone": "13800000001"}, {"floor_area_m2": "-1"}),
    ),
    ("get", "/api/v1/people/"): _lists({"role": "king"}),
    ("get", PERSON): lambda ctx: [
        Call(200, params={"id": ctx["director"].pk}),
        Call(404, "other_director", {"id": ctx["director"].pk}),
    ],
    ("get", "/api/v1/responsibility-posts/"): _lists({"post": "king"}),
    ("get", "/api/v1/responsibility-posts/{id}/"): _detail("post"),
    ("get", "/api/v1/children/"): _lists({"category": "castle"}),
    ("post", "/api/v1/children/"): lambda ctx: [
        Call(201, "director", body=CHILD),
        Call(400, "director", body={**CHILD, "birth_date": "2017-02-30", "area": "x"}),
        Call(403, "leader", body=CHILD),
    ],
    ("get", "/api/v1/children/{id}/"): _detail("child"),
    **_edits(
        "/api/v1/children/{id}/",
        put=_update("child", {"village_group": "三组"}, {"sex": "castle"}),
        patch=_update("child", {"village_group": "三组"}, {"birth_date": "2017-02-30"}),
    ),
    ("post", "/api/v1/children/{id}/basis/"): _on(
        "child",
        (400, "director", {"processing_basis": "guardian_consent"}),
        (403, "leader", BASIS),
        (404, "other_director", BASIS),
        (200, "director", BASIS),
    ),
    ("get", "/api/v1/visits/"): _lists({"child": "x"}),
    ("post", "/api/v1/visits/"): _for_child(
        {"visited_on": "2026-11-20"}, {"visited_on": "2099-01-01"}, {"visited_on": "2026-11-20"}
    ),
    ("get", "/api/v1/visits/{id}/"): _detail("visit"),
    ("post", "/api/v1/outbox/photos/"): _photo_calls,
    ("post", "/api/v1/outbox/"): lambda ctx: [
        Call(201, "director", body=_sent(ctx, "visit", {"child": ctx["child"].pk}, "v")),
        Call(200, "director", body=_sent(ctx, "visit", {"child": ctx["child"].pk}, "v")),
        Call(400, "director", body=_sent(ctx, "visit", {"child": ctx["child"].pk, "mode": "x"})),
        Call(403, "leader", body=_sent(ctx, "visit", {"child": ctx["child"].pk})),
        Call(404, "other_director", body=_sent(ctx, "check", {"child": ctx["child_b1"].pk})),
        Call(409, "director", body=_sent(ctx, "visit", {"child": ctx["child_b1"].pk})),
    ],
    **_edits(
        "/api/v1/visits/{id}/",
        put=_update("visit", {"problems": "作业未完成"}, {"visited_on": "2099-01-01"}),
    ),
    ("get", "/api/v1/activities/"): _lists({"home": "x"}),
    ("post", "/api/v1/activities/"): lambda ctx: [
        Call(
            201,
            "director",
            body={
                "home": ctx["home_a1"].pk,
                "held_on": "2026-11-20",
                "theme": "safety",
                "children": [ctx["child"].pk],
            },
        ),
        Call(400, "director", body={"home": ctx["home_a1"].pk, "held_on": "2099-01-01"}),
        Call(403, "leader", body={"home": ctx["home_a1"].pk, "held_on": "2026-11-20"}),
    ],
    ("get", "/api/v1/activities/{id}/"): _detail("activity"),
    **_edits(
        "/api/v1/activities/{id}/",
        put=_update("activity", {"description": "讲安全知识"}, {"theme": "castle"}),
        patch=_update("activity", {"description": "讲安全知识"}, {"held_on": "2099-01-01"}),
    ),
    ("get", "/api/v1/worklist/"): lambda ctx: [
        Call(200, "director"),
        Call(403, "county_officer"),
    ],
    ("get", "/api/v1/programmes/"): _lists({"payment": "castle"}),
    ("post", "/api/v1/programmes/"): lambda ctx: [
        Call(201, body={"code": "local_aid", "name": "县级助学金", "payment": "one_off"}),
        Call(400, body={"code": "Bad Code!", "name": ""}),
        Call(403, "director", body={"code": "x", "name": "x"}),
    ],
    ("get", "/api/v1/programmes/{id}/"): _detail("programme", outside="volunteer"),
    **_edits(
        "/api/v1/programmes/{id}/",
        put=_update(
            "programme",
            {"standard_amount": "760.00"},
            {"standard_amount": "-1"},
            persona="county_officer",
            forbidden="director",
            outside="volunteer",
        ),
    ),
    ("get", "/api/v1/relief-measures/"): _lists({"child": "x"}),
    ("post", "/api/v1/relief-measures/"): _for_child(_measure, {"start_month": "March"}, {}),
    ("get", "/api/v1/relief-measures/{id}/"): _detail("measure"),
    **_edits(
        "/api/v1/relief-measures/{id}/",
        # "approved": the director records it; putting it in effect is the township's.
        put=_update("measure", {"status": "approved"}, {"status": "castle"}),
        patch=_update("measure", {"status": "approved"}, {"start_month": "March"}),
    ),
    ("get", "/api/v1/assistance-contacts/"): _lists({"child": "x"}),
    ("post", "/api/v1/assistance-contacts/"): _for_child(
        {"name": "王会计", "since": "2026-02-01"},
        {"name": "", "phone": "call me"},
        {"name": "王会计"},
    ),
    ("get", "/api/v1/assistance-contacts/{id}/"): _detail("contact"),
    **_edits(
        "/api/v1/assistance-contacts/{id}/",
        put=_update("contact", {"phone": "13800000001"}, {"phone": "call me"}),
        patch=_update("contact", {"phone": "13800000001"}, {"since": "yesterday"}),
    ),
    ("get", "/api/v1/organisations/"): _lists(),
    ("post", "/api/v1/organisations/"): lambda ctx: [
        Call(201, body={"name": "希望社工", "areas": ["341623100000"]}),
        Call(400, body={"name": "阳光社工站"}),
        Call(403, "director", body={"name": "希望社工"}),
    ],
    ("get", "/api/v1/organisations/{id}/"): _detail("organisation", outside="volunteer"),
    **_edits(
        "/api/v1/organisations/{id}/",
        put=_update(
            "organisation",
            {"name": "阳光社工站", "contact_name": "李社工"},
            {"registration_number": "ABC"},
            persona="township_officer",
            forbidden="director",
            outside="volunteer",
        ),
        patch=_update(
            "organisation",
            {"contact_name": "李社工"},
            {"areas": ["341600000000"]},
            persona="township_officer",
            forbidden="director",
            outside="volunteer",
        ),
    ),
    ("get", "/api/v1/helpers/"): _lists(),
    ("get", "/api/v1/helpers/{id}/"): lambda ctx: [
        Call(200, params={"id": ctx["volunteer"].helper_profile.pk}),
        Call(404, "social_worker", {"id": ctx["volunteer"].helper_profile.pk}),
    ],
    ("get", "/api/v1/pairings/"): _lists(),
    ("post", "/api/v1/pairings/"): _for_child(_pairing, {"helper": "x"}, {}),
    ("get", "/api/v1/pairings/{id}/"): _detail("pairing"),
    ("post", "/api/v1/pairings/{id}/end/"): _on(
        "pairing",
        (200, "director", {"ended_on": "2026-11-20"}),
        (400, "director", {"ended_on": "soon"}),
        (403, "leader", {}),
        (404, "other_director", {}),
    ),
    ("get", "/api/v1/service-records/"): _lists(),
    ("post", "/api/v1/service-records/"): _for_child(
        SERVICE, {"kind": "castle"}, SERVICE, persona="volunteer"
    ),
    ("get", "/api/v1/service-records/{id}/"): _detail("service"),
    ("get", "/api/v1/reports-of-concern/"): _lists(),
    ("post", "/api/v1/reports-of-concern/"): lambda ctx: [
        Call(201, "director", body=REPORT),
        Call(201, "township_officer", body=REPORT),
        Call(400, "director", body={**REPORT, "situation": "castle", "area": "x"}),
    ],
    ("get", "/api/v1/reports-of-concern/{id}/"): _on(
        "report",
        (200, "township_officer"),
        (200, "director"),
        (404, "other_director"),
    ),
    ("post", "/api/v1/reports-of-concern/{id}/link/"): _child_step("report"),
    ("post", "/api/v1/reports-of-concern/{id}/advance/"): _on(
        "report",
        (200, "township_officer", {"state": "assessing"}),
        (400, "township_officer", {"state": "castle"}),
        (403, "leader", {"state": "closed"}),
        (404, "other_director", {"state": "closed"}),
    ),
    ("post", "/api/v1/public-reports/"): lambda ctx: [
        Call(201, ANON, body=REPORT),
        Call(400, ANON, body={**REPORT, "area": "999999999999", "description": ""}),
    ],
    ("get", "/api/v1/rounds/"): _lists(),
    ("post", "/api/v1/rounds/"): lambda ctx: [
        Call(400, body={"year": 2026, "quarter": 9, "due_on": "soon"}),
        Call(403, "township_officer", body={"year": 2027, "quarter": 1, "due_on": "2027-04-15"}),
        Call(409, body={"year": 2027, "quarter": 1, "due_on": "2027-04-15"}),  # one is open
    ],
    ("get", "/api/v1/rounds/{id}/"): _detail("round", outside="volunteer"),
    ("post", "/api/v1/rounds/{id}/close/"): _on(
        "round",
        (403, "township_officer"),
        (404, "volunteer"),
        (409, "county_officer"),  # returns still open
    ),
    ("post", "/api/v1/rounds/{id}/township-summary/"): _on(
        "round",
        (400, "township_officer", {"township": ""}),
        (403, "leader", {"township": "341623100000"}),
        (404, "other_township_officer", {"township": "341623100000"}),
        (409, "township_officer", {"township": "341623100000"}),
    ),
    ("get", "/api/v1/returns/"): _lists({"round": "x"}),
    ("get", "/api/v1/returns/{id}/"): _detail("return"),
    ("post", "/api/v1/returns/{id}/check/"): _child_step("return"),
    ("post", "/api/v1/returns/{id}/submit/"): _on(
        "return",
        (409, "director"),  # nobody checked yet
        (403, "leader"),
        (404, "other_director"),
    ),
    ("post", "/api/v1/returns/{id}/approve/"): _on(
        "return",
        (409, "township_officer"),  # not submitted yet
        (403, "director"),
        (404, "other_township_officer"),
        (400, "township_officer", {"comment": "x" * 3000}),
    ),
    ("post", "/api/v1/returns/{id}/return/"): _on(
        "return",
        (400, "township_officer", {"comment": ""}),
        (409, "township_officer", {"comment": "重查"}),
        (403, "director", {"comment": "重查"}),
        (404, "other_township_officer", {"comment": "重查"}),
    ),
    ("get", "/api/v1/stats/"): lambda ctx: [
        Call(200),
        Call(200, "director"),
        Call(404, "volunteer"),
    ],
    ("get", "/api/v1/stats/{code}/"): lambda ctx: [
        Call(200, params={"code": "341623100000"}),
        Call(404, "other_director", {"code": "341623100201"}),
    ],
    ("get", "/api/v1/tokens/"): _lists({"state": "castle"}),
    ("post", "/api/v1/tokens/{id}/revoke/"): lambda ctx: [
        Call(404, "other_director", {"id": _token(ctx).pk}),
        Call(200, "director", {"id": _token(ctx).pk}),
    ],
    ("post", "/api/v1/auth/token/"): lambda ctx: [
        Call(200, ANON, body={"username": "director", "password": "pw-test-123"}),
        Call(400, ANON, body={"username": "director", "password": "nope"}),
    ],
}

# Success answers that need the world moved on first (a submitted return to approve …).
LATER = {
    ("post", "/api/v1/visits/"): (
        lambda ctx: close_child(None, ctx["child"], "moved_away", dt.date(2026, 11, 25)),
        lambda ctx: [
            Call(409, "director", body={"child": ctx["child"].pk, "visited_on": "2026-11-26"})
        ],
    ),
    ("post", "/api/v1/returns/{id}/submit/"): (
        _check_only,
        lambda ctx: [Call(200, "director", {"id": ctx["return"].pk})],
    ),
    ("post", "/api/v1/returns/{id}/check/"): (
        _checked_and_submitted,
        lambda ctx: [Call(409, "director", {"id": ctx["return"].pk}, {"child": ctx["child"].pk})],
    ),
    ("post", "/api/v1/returns/{id}/approve/"): (
        _checked_and_submitted,
        lambda ctx: [Call(200, "township_officer", {"id": ctx["return"].pk}, {"comment": "好"})],
    ),
    ("post", "/api/v1/returns/{id}/return/"): (
        _checked_and_submitted,
        lambda ctx: [Call(200, "township_officer", {"id": ctx["return"].pk}, {"comment": "重查"})],
    ),
    ("post", "/api/v1/rounds/"): (
        _closed,
        lambda ctx: [Call(201, body={"year": 2027, "quarter": 1, "due_on": "2027-04-15"})],
    ),
    ("post", "/api/v1/rounds/{id}/close/"): (
        _close_ready,
        lambda ctx: [Call(200, "county_officer", {"id": ctx["round"].pk})],
    ),
    ("post", "/api/v1/rounds/{id}/township-summary/"): (
        _all_approved,
        lambda ctx: [
            Call(200, "township_officer", {"id": ctx["round"].pk}, {"township": "341623100000"})
        ],
    ),
}


# -- the schema, as JSON Schema ---------------------------------------------------------------


_SCHEMA = {}


def _published_schema(persona) -> dict:
    """/api/schema/ as JSON (made once per test run: it takes a second or two)."""
    if "schema" not in _SCHEMA:
        _SCHEMA["schema"] = _fetch_schema(persona)
    return _SCHEMA["schema"]


def _fetch_schema(persona) -> dict:
    api = APIClient()
    api.force_authenticate(persona)
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def json_schema(node):
    """An OpenAPI 3.0 schema object as JSON Schema: `nullable` becomes the null type, and an
    object with declared properties admits no others (an undeclared field is a mismatch)."""
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: json_schema(value) for key, value in node.items()}
    if node.get("type") == "object" and "properties" in node:
        node.setdefault("additionalProperties", False)
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
            if "enum" in node:
                node["enum"] = [*node["enum"], None]
        else:  # a $ref, allOf, oneOf …: "that, or null"
            node = {"anyOf": [node, {"type": "null"}]}
    return node


def _validator(schema: dict, body_schema: dict):
    root = {**json_schema(body_schema), "components": json_schema(schema["components"])}
    return jsonschema.Draft7Validator(
        root, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )


def _url(path: str, params: dict) -> str:
    for name, value in params.items():
        path = path.replace("{" + name + "}", str(value))
    assert "{" not in path, f"{path}: a parameter of the path has no value"
    return path


def mismatches(schema: dict, method: str, path: str, call: Call, response) -> list[str]:
    """How an answer differs from what the schema declares for it (empty: it matches)."""
    operation = schema["paths"][path][method]
    declared = operation.get("responses", {})
    where = f"{method.upper()} {path} as {call.persona} → {response.status_code}"
    if str(response.status_code) not in declared:
        return [f"{where}: status not declared (declared: {sorted(declared)})"]
    content = declared[str(response.status_code)].get("content")
    if not content:
        return [] if not response.content else [f"{where}: a body where none is declared"]
    body_schema = (content.get("application/json") or next(iter(content.values())))["schema"]
    errors = _validator(schema, body_schema).iter_errors(response.json())
    return [
        f"{where}: {'/'.join(map(str, e.absolute_path)) or '(body)'}: {_short(e.message)}"
        for e in errors
    ]


def _run(api, ctx, schema, method, path, call) -> list[str]:
    api.force_authenticate(None if call.persona == ANON else ctx[call.persona])
    url = _url(path, call.params)
    body = call.body
    for value in body.values() if isinstance(body, dict) else ():
        if hasattr(value, "seek"):
            value.seek(0)  # a file sent by an earlier call of the same body
    if isinstance(body, dict) and body.get("version") == "{version}":
        body = {**body, "version": _version(ctx, call.persona, url)}
    response = getattr(api, method)(
        url,
        data=body if method != "get" else call.query,
        format=(call.format if method != "get" else None),
    )
    found = mismatches(schema, method, path, call, response)
    if response.status_code != call.status:
        found.insert(
            0,
            f"{method.upper()} {path} as {call.persona}: expected {call.status}, got "
            f"{response.status_code} {response.content[:300]!r}",
        )
    return found


def _operations(schema):
    return [
        (method, path)
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    ]


def test_every_operation_of_the_schema_is_in_the_table(county_officer):
    """A new endpoint fails here until CALLS says how to call it (it is never skipped)."""
    schema = _published_schema(county_officer)
    operations = set(_operations(schema))
    unknown = sorted(operations - set(CALLS))
    assert not unknown, (
        "The test does not know how to call these operations of /api/schema/: add them to "
        f"CALLS in tests/test_openapi.py: {unknown}"
    )
    assert not sorted(set(CALLS) - operations), "CALLS has operations the schema lacks"


@pytest.mark.parametrize("method,path", sorted(CALLS), ids=lambda v: v)
def test_every_answer_matches_the_published_schema(ctx, method, path):
    cache.clear()  # the token and public-report throttles count per test
    schema = _published_schema(ctx["county_officer"])
    if (method, path) not in _operations(schema):
        pytest.fail(f"{method.upper()} {path} is not in the published schema")
    api = APIClient()
    calls = CALLS[(method, path)](ctx)
    operation = schema["paths"][path][method]
    if {} not in operation.get("security", [{}]):  # signed-in callers only: 401 for others
        calls.insert(0, Call(401, ANON, calls[0].params, calls[0].body, format=calls[0].format))
    found = [m for call in calls for m in _run(api, ctx, schema, method, path, call)]
    if (method, path) in LATER:
        prepare, later = LATER[(method, path)]
        prepare(ctx)
        for call in later(ctx):
            calls.append(call)
            found += _run(api, ctx, schema, method, path, call)
    assert not found, "\n".join(found)
    # Every answer the schema declares is one the operation gives (429, the throttles'
    # answer, is exercised by the apps' own tests; 415, any body's, below).
    untested = set(operation["responses"]) - {str(c.status) for c in calls} - {"429", "415"}
    assert not untested, f"{method.upper()} {path}: declared, never exercised: {sorted(untested)}"


def _short(message: str) -> str:
    """A validation message without the whole body it quotes."""
    return message if len(message) < 300 else f"{message[:120]} … {message[-160:]}"


@pytest.mark.parametrize(
    "method,path", sorted(k for k in CALLS if k[0] in ("post", "put", "patch"))
)
def test_a_body_in_a_content_type_the_api_does_not_read_answers_415_as_declared(ctx, method, path):
    """Every operation that reads a body declares 415 and answers it for a body it cannot
    read; the answer is the declared `Error` (found missing by the fuzzing pass)."""
    schema = _published_schema(ctx["county_officer"])
    operation = schema["paths"][path][method]
    if "requestBody" not in operation:
        pytest.skip("reads no body")
    assert "415" in operation["responses"]
    api = APIClient()
    api.force_authenticate(ctx["county_officer"])
    url = path.replace("{id}", "999999999").replace("{code}", "341623000000")
    response = getattr(api, method)(url, data="x", content_type="text/plain")
    if response.status_code == 404:  # a record outside: looked up before the body is read
        return
    assert response.status_code == 415, response.content
    assert set(response.json()) == {"detail"}
