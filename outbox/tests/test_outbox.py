"""/api/v1/outbox/: a record made on the phone is applied once per id, through the online
API's own path; a repeat gets the first answer, a conflict 409 with its reason, a broken rule
400 by field, and nothing refused is stored."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from care.models import Activity, Visit
from children.services import close_child, transfer_child
from core.models import AuditEntry
from outbox import services
from outbox.models import Submission
from rounds.models import ChildCheck, Round
from rounds.services import open_round, quarter_of
from tests.personas import make_child

URL = "/api/v1/outbox/"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def child(world):
    return make_child(world["a1"])


def _visit(child, **fields):
    return {"child": child.pk, "visited_on": timezone.localdate().isoformat(), **fields}


def _send(api, user, data, kind="visit", *, client_id=None, made_at=None):
    api.force_authenticate(user)
    body = {
        "id": str(client_id or uuid.uuid4()),
        "kind": kind,
        "made_at": (made_at or timezone.now() - dt.timedelta(hours=2)).isoformat(),
        "data": data,
    }
    return api.post(URL, body, format="json"), body


def test_a_first_send_records_the_visit_with_the_phones_time(api, director, child):
    made_at = timezone.now() - dt.timedelta(days=2, hours=3)
    response, body = _send(api, director, _visit(child, mode="call"), made_at=made_at)
    assert response.status_code == 201, response.json()
    visit = Visit.objects.get()
    assert response.json() == {
        "id": body["id"],
        "kind": "visit",
        "object_id": visit.pk,
        "url": f"/care/visits/{visit.pk}/",
    }
    # The time it was made on the phone is kept; created_at is when it arrived.
    assert visit.made_at == made_at
    assert visit.created_at - made_at > dt.timedelta(days=2)
    assert visit.mode == "call" and visit.visitor == director
    stored = Submission.objects.get()
    assert (str(stored.client_id), stored.actor, stored.object_id) == (
        body["id"],
        director,
        visit.pk,
    )
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions.count("care.visit.created") == 1
    assert actions.count("outbox.submission.received") == 1


def test_an_online_visit_is_made_now(api, director, child):
    api.force_authenticate(director)
    response = api.post("/api/v1/visits/", _visit(child), format="json")
    assert response.status_code == 201
    visit = Visit.objects.get()
    assert abs(visit.made_at - visit.created_at) < dt.timedelta(seconds=5)


def test_a_repeat_answers_the_same_and_creates_nothing(api, director, child):
    client_id = uuid.uuid4()
    made_at = timezone.now() - dt.timedelta(minutes=30)
    first, _ = _send(api, director, _visit(child), client_id=client_id, made_at=made_at)
    audited = AuditEntry.objects.count()
    again, _ = _send(api, director, _visit(child), client_id=client_id, made_at=made_at)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json() == first.json()
    assert Visit.objects.count() == 1 and Submission.objects.count() == 1
    assert AuditEntry.objects.count() == audited  # nothing duplicated in the audit log


def test_the_same_id_with_another_record_is_a_conflict(api, director, child):
    client_id = uuid.uuid4()
    made_at = timezone.now() - dt.timedelta(minutes=30)
    _send(api, director, _visit(child), client_id=client_id, made_at=made_at)
    other, _ = _send(
        api, director, _visit(child, mode="call"), client_id=client_id, made_at=made_at
    )
    assert other.status_code == 409
    assert other.json() == {"detail": "此记录编号已用于另一条记录。"}
    assert Visit.objects.count() == 1


def test_the_same_id_from_another_person_is_a_conflict(api, director, township_officer, child):
    client_id = uuid.uuid4()
    made_at = timezone.now() - dt.timedelta(minutes=30)
    _send(api, director, _visit(child), client_id=client_id, made_at=made_at)
    theirs, _ = _send(api, township_officer, _visit(child), client_id=client_id, made_at=made_at)
    assert theirs.status_code == 409 and Visit.objects.count() == 1


def test_a_visit_to_a_child_closed_meanwhile_is_a_conflict_and_nothing_is_stored(
    api, director, child
):
    close_child(director, child, "moved_away", timezone.localdate())
    response, _ = _send(api, director, _visit(child))
    assert response.status_code == 409
    assert response.json()["detail"] == "该档案已结束。"
    assert not Visit.objects.exists() and not Submission.objects.exists()


def test_a_visit_to_a_child_moved_away_meanwhile_is_a_conflict(api, director, world, child):
    transfer_child(None, child, world["b1"], "随父母迁居")
    response, _ = _send(api, director, _visit(child))
    assert response.status_code == 409
    assert "不在您的名册上" in response.json()["detail"]
    assert not Visit.objects.exists() and not Submission.objects.exists()


def test_another_villages_child_is_refused_like_an_unknown_one(api, director, world):
    other = make_child(world["b1"], "张小红")
    response, _ = _send(api, director, _visit(other))
    unknown, _ = _send(api, director, {**_visit(other), "child": 99999999})
    assert response.status_code == unknown.status_code == 409
    assert response.json() == unknown.json()
    assert not Visit.objects.exists() and not Submission.objects.exists()


def test_a_broken_rule_answers_by_field_and_the_fixed_record_goes_in_with_its_id(
    api, director, child
):
    client_id = uuid.uuid4()
    made_at = timezone.now() - dt.timedelta(hours=1)
    bad, _ = _send(
        api, director, _visit(child, safety="concern"), client_id=client_id, made_at=made_at
    )
    assert bad.status_code == 400 and "safety_note" in bad.json()
    assert not Submission.objects.exists() and not Visit.objects.exists()
    fixed = _visit(child, safety="concern", safety_note="电线裸露")
    good, _ = _send(api, director, fixed, client_id=client_id, made_at=made_at)
    assert good.status_code == 201, good.json()
    assert Visit.objects.get().safety_note == "电线裸露"


def test_the_serializers_own_errors_are_by_field_too(api, director, child):
    response, _ = _send(api, director, {"child": child.pk, "visited_on": "昨天"})
    assert response.status_code == 400 and "visited_on" in response.json()
    api.force_authenticate(director)
    response = api.post(
        URL, {"id": "x", "kind": "visit", "made_at": "x", "data": []}, format="json"
    )
    assert response.status_code == 400
    assert {"id", "made_at", "data"} <= set(response.json())


@pytest.mark.parametrize(
    "shift,message",
    [(dt.timedelta(minutes=10), "晚于现在"), (-dt.timedelta(days=31), "30 天")],
)
def test_the_phones_time_is_refused_in_the_future_or_too_old(api, director, child, shift, message):
    response, _ = _send(api, director, _visit(child), made_at=timezone.now() + shift)
    assert response.status_code == 400
    assert message in response.json()["made_at"][0]
    assert not Visit.objects.exists()


def test_a_phone_clock_a_little_ahead_is_taken(api, director, child):
    response, _ = _send(
        api, director, _visit(child), made_at=timezone.now() + dt.timedelta(minutes=3)
    )
    assert response.status_code == 201


def test_an_activity_goes_in_once(api, director, world, child):
    data = {
        "home": world["home_a1"].pk,
        "held_on": timezone.localdate().isoformat(),
        "theme": "safety",
        "children": [child.pk],
    }
    client_id = uuid.uuid4()
    made_at = timezone.now() - dt.timedelta(hours=5)
    first, _ = _send(api, director, data, "activity", client_id=client_id, made_at=made_at)
    assert first.status_code == 201, first.json()
    again, _ = _send(api, director, data, "activity", client_id=client_id, made_at=made_at)
    assert again.status_code == 200 and again.json() == first.json()
    activity = Activity.objects.get()
    assert first.json()["object_id"] == activity.pk and activity.made_at == made_at
    assert list(activity.children.all()) == [child]
    # Another village's home is not the director's to choose: a field error, nothing stored.
    theirs, _ = _send(api, director, {**data, "home": world["home_b1"].pk}, "activity")
    assert theirs.status_code == 400 and "home" in theirs.json()
    assert Activity.objects.count() == 1 and Submission.objects.count() == 1


@pytest.fixture
def village_return(county_officer, world):
    year, quarter = quarter_of(timezone.localdate())
    the_round = open_round(county_officer, world["county"], year, quarter, timezone.localdate())
    return the_round.returns.get(area=world["a1"])


def test_a_round_check_goes_in_once(api, director, child, village_return):
    data = {"return": village_return.pk, "child": child.pk, "note": "无变化"}
    client_id = uuid.uuid4()
    made_at = timezone.now() - dt.timedelta(hours=1)
    first, _ = _send(api, director, data, "check", client_id=client_id, made_at=made_at)
    assert first.status_code == 201, first.json()
    check = ChildCheck.objects.get()
    assert first.json()["url"] == f"/rounds/returns/{village_return.pk}/#child-{child.pk}"
    assert (check.outcome, check.note, check.made_at) == ("unchanged", "无变化", made_at)
    again, _ = _send(api, director, data, "check", client_id=client_id, made_at=made_at)
    assert again.status_code == 200 and again.json() == first.json()


def test_a_check_for_a_round_closed_meanwhile_is_a_conflict(api, director, child, village_return):
    Round.objects.filter(pk=village_return.round_id).update(state=Round.State.CLOSED)
    data = {"return": village_return.pk, "child": child.pk}
    response, _ = _send(api, director, data, "check")
    assert response.status_code == 409 and response.json()["detail"] == "该报表已不能修改。"
    assert not ChildCheck.objects.exists() and not Submission.objects.exists()


def test_a_check_for_another_villages_return_is_not_found(
    api, other_director, world, village_return
):
    theirs = make_child(world["b1"], "张小红")
    data = {"return": village_return.pk, "child": theirs.pk}
    response, _ = _send(api, other_director, data, "check")
    assert response.status_code == 404 and not Submission.objects.exists()
    response, _ = _send(api, other_director, {"child": theirs.pk}, "check")
    assert response.status_code == 400 and "return" in response.json()


def test_a_send_racing_another_of_the_same_id_answers_the_stored_one(
    api, director, child, monkeypatch
):
    """The other send committed between this one's lookup and its insert: the unique id
    refuses the insert, this send's visit is rolled back, and the stored answer is given."""
    client_id = uuid.uuid4()
    made_at = timezone.now() - dt.timedelta(hours=1)
    first, _ = _send(api, director, _visit(child), client_id=client_id, made_at=made_at)
    stored = services._stored

    def looked_too_early(client_id, *, lock=False):
        return None if lock else stored(client_id)

    monkeypatch.setattr(services, "_stored", looked_too_early)
    again, _ = _send(api, director, _visit(child), client_id=client_id, made_at=made_at)
    assert again.status_code == 200 and again.json() == first.json()
    assert Visit.objects.count() == 1 and Submission.objects.count() == 1
    assert AuditEntry.objects.filter(action="care.visit.created").count() == 1


def test_a_send_has_a_bounded_number_of_queries(
    api, director, child, django_assert_max_num_queries
):
    api.force_authenticate(director)
    body = {
        "id": str(uuid.uuid4()),
        "kind": "visit",
        "made_at": timezone.now().isoformat(),
        "data": _visit(child, safety="concern", safety_note="电线裸露"),
    }
    with django_assert_max_num_queries(45):
        assert api.post(URL, body, format="json").status_code == 201
    with django_assert_max_num_queries(3):
        assert api.post(URL, body, format="json").status_code == 200


def test_the_page_sends_with_its_session_and_csrf_token(director, child):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(director)
    body = {
        "id": str(uuid.uuid4()),
        "kind": "visit",
        "made_at": timezone.now().isoformat(),
        "data": _visit(child),
    }
    refused = browser.post(URL, body, content_type="application/json")
    assert refused.status_code == 403 and not Visit.objects.exists()
    browser.get("/care/worklist/")
    token = browser.cookies["csrftoken"].value
    sent = browser.post(URL, body, content_type="application/json", headers={"X-CSRFToken": token})
    assert sent.status_code == 201, sent.content


def test_a_token_sends_too_and_a_read_only_role_may_not(api, director, leader, child):
    from people.tokens import issue

    key = issue(director, "手机")[1]
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    body = {
        "id": str(uuid.uuid4()),
        "kind": "visit",
        "made_at": timezone.now().isoformat(),
        "data": _visit(child),
    }
    assert api.post(URL, body, format="json").status_code == 201
    api.credentials()
    response, _ = _send(api, leader, _visit(child))
    assert response.status_code == 403
    anonymous = APIClient().post(URL, body, format="json")
    assert anonymous.status_code == 401


def test_the_visit_page_says_when_it_was_recorded_on_the_phone(api, client, director, child):
    made_at = timezone.now() - dt.timedelta(hours=26)
    response, _ = _send(api, director, _visit(child), made_at=made_at)
    client.force_login(director)
    page = client.get(response.json()["url"]).content.decode()
    assert 'data-testid="made-at"' in page and "手机上记录于" in page
    assert timezone.localtime(made_at).strftime("%Y-%m-%d %H:%M") in page
    online = api.post("/api/v1/visits/", _visit(child), format="json").json()
    page = client.get(f"/care/visits/{online['id']}/").content.decode()
    assert 'data-testid="made-at"' not in page


@pytest.mark.parametrize("value", ["²", "1.5", True, None, [1], "9" * 30, -3])
def test_a_malformed_child_or_return_is_a_field_error(api, director, village_return, value):
    response, _ = _send(api, director, {"child": value})
    assert response.status_code in (400, 409), response.content
    response, _ = _send(api, director, {"return": value, "child": 1}, "check")
    assert response.status_code == 400 and "return" in response.json()
