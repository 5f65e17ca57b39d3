"""Referrals with feedback (issue 16, point 5): made for a child with a receiver and a due
date, answered or withdrawn, escalated when unanswered, made from a report of concern, seen
on the worklist and the list until answered, and in the child's case plan."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from children.services.concerns import open_concern
from concerns import services as concerns
from concerns.models import State as ReportState
from core.exceptions import NotNow
from core.models import AuditEntry
from notifications.models import Notification
from referrals import policy, services, timeline
from referrals.models import Referral
from referrals.policy import Kind, State
from social.models import Organisation
from tests.personas import CONCERN, make_child, make_user

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


@pytest.fixture
def child(world):
    return make_child(world["a1"], "王小明")


def refer(actor, child, kind="police", reason="孩子独自在家，疑似被遗弃", **data):
    return services.refer(actor, child, {"kind": kind, "reason": reason, **data})


# -- the service -------------------------------------------------------------------------


def test_a_referral_gets_its_kinds_due_date_and_is_audited(director, child):
    referral = refer(director, child, "police", receiver_name="城关派出所")
    assert referral.state == State.OPEN and referral.area == child.area
    assert referral.made_by == director and referral.made_on == TODAY
    assert referral.due_on == TODAY + dt.timedelta(days=policy.DUE_DAYS[Kind.POLICE])
    court = refer(director, child, "court", reason="申请撤销监护资格")
    assert court.due_on == TODAY + dt.timedelta(days=30)
    given = refer(director, child, "school", due_on=TODAY + dt.timedelta(days=2))
    assert given.due_on == TODAY + dt.timedelta(days=2)
    entry = AuditEntry.objects.filter(action="referrals.referral.made").latest("id")
    assert entry.data["kind"] == "school" and entry.data["child"] == child.pk


def test_bad_input_names_the_fields(director, child, world):
    with pytest.raises(ValidationError) as bad:
        services.refer(
            director, child, {"kind": "", "reason": "短", "due_on": TODAY - dt.timedelta(days=1)}
        )
    assert {"kind", "reason"} <= set(bad.value.error_dict)
    with pytest.raises(ValidationError) as early:
        refer(director, child, due_on=TODAY - dt.timedelta(days=1))
    assert set(early.value.error_dict) == {"due_on"}
    # An organisation or a social worker is named, and must be the county's.
    with pytest.raises(ValidationError) as unnamed:
        refer(director, child, "organisation")
    assert set(unnamed.value.error_dict) == {"organisation"}
    elsewhere = Organisation.objects.create(county=world["city"], name="外县社工站")
    with pytest.raises(ValidationError) as foreign:
        refer(director, child, "organisation", organisation=elsewhere)
    assert "organisation" in foreign.value.error_dict
    ours = Organisation.objects.create(county=world["county"], name="阳光社工站")
    assert refer(director, child, "organisation", organisation=ours).receiver == "阳光社工站"
    worker = make_user("sw", "social_worker", world["county"])
    assert refer(director, child, "social_worker", receiver_user=worker).receiver_user == worker
    # Not offered for another kind: the police are not an organisation.
    assert refer(director, child, "police", organisation=ours).organisation is None
    assert refer(director, child, "police", organisation=elsewhere).organisation is None


def test_only_writers_of_the_childs_jurisdiction_refer(
    child, other_director, leader, volunteer, township_officer
):
    for outsider in (other_director, leader, volunteer):
        with pytest.raises(PermissionDenied):
            refer(outsider, child)
    assert refer(township_officer, child).made_by == township_officer


def test_answering_closes_it_once_and_records_who_and_when(director, township_officer, child):
    referral = refer(director, child)
    with pytest.raises(ValidationError) as bad:
        services.answer(director, referral, "", TODAY + dt.timedelta(days=1))
    assert set(bad.value.error_dict) == {"answer", "answered_on"}
    with pytest.raises(ValidationError):
        services.answer(director, referral, "已立案", TODAY - dt.timedelta(days=1))
    done = services.answer(township_officer, referral, "派出所已立案调查", TODAY)
    assert done.state == State.ANSWERED and done.answered_by == township_officer
    assert done.answered_on == TODAY and done.answer == "派出所已立案调查"
    with pytest.raises(NotNow):
        services.answer(director, referral, "再次回复")
    with pytest.raises(NotNow):
        services.withdraw(director, referral, "不需要了")
    assert AuditEntry.objects.filter(action="referrals.referral.answered").count() == 1


def test_withdrawing_needs_a_reason_and_a_writer(director, leader, other_director, child):
    referral = refer(director, child)
    with pytest.raises(ValidationError):
        services.withdraw(director, referral, " ")
    for outsider in (leader, other_director):
        with pytest.raises(PermissionDenied):
            services.withdraw(outsider, referral, "误填")
    done = services.withdraw(director, referral, "误填，重新转介")
    assert done.state == State.WITHDRAWN and done.withdrawn_reason == "误填，重新转介"


def test_an_unanswered_referral_goes_to_the_township_once_then_to_the_county_once(
    director, township_officer, other_township_officer, county_officer, child
):
    referral = refer(director, child, "school", due_on=TODAY)
    answered = refer(director, child, "health", due_on=TODAY)
    services.answer(director, answered, "已就诊")
    assert services.escalate_overdue(TODAY) == 0  # due today: not late yet
    tomorrow = TODAY + dt.timedelta(days=1)
    assert services.escalate_overdue(tomorrow) == 1
    assert services.escalate_overdue(tomorrow) == 0  # once
    notes = Notification.objects.filter(kind=Notification.Kind.REFERRAL_OVERDUE)
    assert list(notes.values_list("recipient", flat=True)) == [township_officer.pk]
    assert notes.get().link == reverse("referrals:detail", args=[referral.pk])
    week_later = tomorrow + dt.timedelta(days=policy.COUNTY_AFTER_DAYS)
    assert services.escalate_overdue(week_later - dt.timedelta(days=1)) == 0
    assert services.escalate_overdue(week_later) == 1
    assert services.escalate_overdue(week_later + dt.timedelta(days=3)) == 0
    assert set(notes.values_list("recipient", flat=True)) == {
        township_officer.pk,
        county_officer.pk,
    }
    referral.refresh_from_db()
    assert referral.escalated_township_on == tomorrow
    assert referral.escalated_county_on == week_later
    levels = AuditEntry.objects.filter(action="referrals.referral.escalated")
    assert [e.data["to"] for e in levels.order_by("id")] == ["township", "county"]


def test_the_escalation_command_runs(director, child, township_officer):
    referral = refer(director, child, "school", due_on=TODAY)
    Referral.objects.filter(pk=referral.pk).update(due_on=TODAY - dt.timedelta(days=2))
    call_command("escalate_referrals")
    referral.refresh_from_db()
    assert referral.escalated_township_on == TODAY


# -- from a report of concern --------------------------------------------------------------


def test_a_report_moved_on_with_a_referral_makes_one_which_follows_the_child(
    client, director, world, child
):
    report = concerns.receive({**CONCERN, "area": world["a1"]}, source="public")
    concerns.advance(director, report, ReportState.ASSESSING, referral="police")
    made = Referral.objects.get(report=report)
    assert made.kind == Kind.POLICE and made.child is None and made.area == world["a1"]
    assert made.due_on == TODAY + dt.timedelta(days=policy.DUE_DAYS[Kind.POLICE])
    # The same receiver again is the same referral; the report's field still says it.
    concerns.advance(director, report, ReportState.ACTION_TAKEN, referral="police")
    report.refresh_from_db()
    assert report.referral == "police" and Referral.objects.filter(report=report).count() == 1
    concerns.link_child(director, report, child)
    made.refresh_from_db()
    assert made.child == child
    # Through the page too: temporary guardianship is asked of the township.
    client.force_login(director)
    client.post(
        reverse("concerns:advance", args=[report.pk]),
        {"state": "closed", "outcome": "已落实临时监护。", "referral": "guardianship"},
    )
    guardianship = Referral.objects.get(report=report, kind=Kind.TOWNSHIP)
    assert guardianship.child == child and "临时监护" in guardianship.receiver_name


# -- pages -----------------------------------------------------------------------------------


def test_the_director_sees_open_referrals_on_the_worklist_until_answered(client, director, child):
    referral = refer(director, child, "school", receiver_name="镇中心小学")
    client.force_login(director)
    page = client.get(reverse("home")).text
    assert f"inbox-referral-{referral.pk}" in page and "镇中心小学" in page
    assert not re.findall(r"\shx-(?!headers)[a-z-]+=", page)  # the worklist needs no htmx
    services.answer(director, referral, "学校已安排老师家访")
    assert f"inbox-referral-{referral.pk}" not in client.get(reverse("home")).text


def test_the_inbox_names_each_receiver_in_one_query(
    client, director, child, world, django_assert_max_num_queries
):
    school = refer(director, child, "school", receiver_name="镇中心小学")
    helper = make_user("helper", "social_worker", world["county"], name="社工小李")
    worker = refer(director, child, "social_worker", receiver_user=helper)
    ours = Organisation.objects.create(county=world["county"], name="阳光社工站")
    group = refer(director, child, "organisation", organisation=ours)
    client.force_login(director)
    # The session, the account, the referrals with their children, villages and receivers.
    with django_assert_max_num_queries(3):
        page = client.get(reverse("referrals:inbox")).text
    assert f"inbox-referral-{school.pk}" in page and "镇中心小学" in page
    assert f"inbox-referral-{worker.pk}" in page and "社工小李" in page and child.name in page
    assert f"inbox-referral-{group.pk}" in page and "阳光社工站" in page


def test_officers_home_page_loads_the_inbox_after_it(client, township_officer, director, child):
    referral = refer(director, child)
    client.force_login(township_officer)
    assert reverse("referrals:inbox") in client.get(reverse("home")).text
    assert f"inbox-referral-{referral.pk}" in client.get(reverse("referrals:inbox")).text


def test_the_list_filters_by_state_and_kind_in_bounded_queries(
    client, director, world, township_officer, django_assert_max_num_queries
):
    children = [make_child(world["a1"], f"王{i}") for i in range(6)]
    school = [refer(director, c, "school") for c in children[:3]]
    police = [refer(director, c, "police") for c in children[3:]]
    Referral.objects.filter(pk=school[0].pk).update(due_on=TODAY - dt.timedelta(days=1))
    services.answer(director, police[0], "已处理")
    elsewhere = refer(township_officer, make_child(world["a2"], "李一"), "health")

    client.force_login(director)
    url = reverse("referrals:list")

    def shown(**query):
        return set(client.get(url, query).context["page"].object_list.values_list("pk", flat=True))

    with django_assert_max_num_queries(16):
        page = client.get(url)
    assert page.status_code == 200
    assert shown() == {r.pk for r in school + police[1:]}  # open ones by default
    assert shown(show="overdue") == {school[0].pk}
    assert shown(show="answered") == {police[0].pk}
    assert shown(show="all", kind="police") == {r.pk for r in police}
    assert elsewhere.pk not in shown(show="all")  # another village's
    bad = client.get(url, {"kind": "nonsense"})
    assert bad.status_code == 400 and "filter-error-kind" in bad.text
    assert AuditEntry.objects.filter(action="referrals.referral.listed").exists()


def test_making_answering_and_withdrawing_through_the_pages(client, director, child):
    client.force_login(director)
    new = reverse("referrals:new", args=[child.pk])
    empty = client.post(new, {})
    assert empty.status_code == 200 and empty.context["form"].errors.keys() >= {"kind", "reason"}
    early = client.post(new, {"kind": "school", "reason": "长期缺课", "due_on": "2000-01-01"})
    assert "due_on" in early.context["form"].errors
    made = client.post(new, {"kind": "school", "reason": "长期缺课，请学校跟进"})
    referral = Referral.objects.get(child=child)
    assert made.status_code == 302 and made.url == reverse("referrals:detail", args=[referral.pk])
    detail = client.get(made.url)
    assert "answer-link" in detail.text
    assert AuditEntry.objects.filter(action="referrals.referral.read").exists()
    answer = reverse("referrals:answer", args=[referral.pk])
    assert "answer" in client.post(answer, {"answered_on": TODAY}).context["form"].errors
    client.post(answer, {"answer": "学校已安排老师家访", "answered_on": TODAY})
    referral.refresh_from_db()
    assert referral.state == State.ANSWERED
    assert "学校已安排老师家访" in client.get(made.url).text
    # A closed referral offers no step; its step pages send back to it.
    assert client.get(reverse("referrals:withdraw", args=[referral.pk])).status_code == 302
    second = refer(director, child)
    client.post(reverse("referrals:withdraw", args=[second.pk]), {"reason": "误填"})
    second.refresh_from_db()
    assert second.state == State.WITHDRAWN


def test_the_leader_reads_but_may_not_answer(client, leader, director, child):
    referral = refer(director, child)
    client.force_login(leader)
    assert client.get(reverse("referrals:detail", args=[referral.pk])).status_code == 200
    answer = reverse("referrals:answer", args=[referral.pk])
    assert client.post(answer, {"answer": "x", "answered_on": TODAY}).status_code == 403


# -- the case plan ---------------------------------------------------------------------------


def _dibao(world):
    from relief.catalogue import ensure_catalogue
    from relief.models import Programme

    ensure_catalogue(world["county"])
    return Programme.objects.get(county=world["county"], code="dibao")


def test_the_case_plan_shows_concerns_referrals_applications_and_measures_newest_first(
    client, director, world, child, django_assert_max_num_queries
):
    from relief.services import add_measure

    concern = open_concern(director, child, "作业无人辅导", source="visit")
    referral = refer(director, child, "school")
    Referral.objects.filter(pk=referral.pk).update(made_on=TODAY - dt.timedelta(days=40))
    measure = add_measure(
        director,
        child,
        {"programme": _dibao(world), "start_month": (TODAY - dt.timedelta(days=70)).replace(day=1)},
    )
    from applications.services import open_application

    application = open_application(
        director, child, {"programme": "fuc", "reason": "父亲服刑，母亲失联。"}
    )
    for i in range(4):  # more rows: the same number of queries
        refer(director, child, "health", reason=f"复诊安排 {i}")
    client.force_login(director)
    url = reverse("referrals:case_plan", args=[child.pk])
    with django_assert_max_num_queries(15):
        page = client.get(url)
    parts = [(e.part, e.pk) for e in page.context["entries"]]
    assert parts[0][0] in ("concern", "referral", "application")
    assert parts.index(("concern", concern.pk)) < parts.index(("referral", referral.pk))
    assert parts.index(("referral", referral.pk)) < parts.index(("measure", measure.pk))
    assert ("application", application.pk) in parts
    assert len(parts) == 8
    entry = AuditEntry.objects.filter(action="referrals.case_plan.read").latest("id")
    assert entry.object_id == str(child.pk) and entry.data["count"] == 8
    # The child's page loads it; an htmx request gets the fragment only.
    assert url in client.get(reverse("children:detail", args=[child.pk])).text
    fragment = client.get(url, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.text and f"plan-measure-{measure.pk}" in fragment.text


def test_another_part_can_be_registered_in_the_case_plan(director, child):
    def applications(child, today):
        return [
            timeline.Entry(
                on=today + dt.timedelta(days=1),
                part="application",
                part_label="申请",
                title="事实无人抚养儿童认定",
                state="查验中",
                url="/",
                open=True,
                pk=1,
            )
        ]

    timeline.register(applications)
    try:
        timeline.register(applications)  # once
        refer(director, child)
        plan = timeline.case_plan(child, TODAY)
        assert [e.part for e in plan] == ["application", "referral"]
    finally:
        timeline.SOURCES.remove(applications)


def test_the_plan_reads_only_this_childs_records(director, world, child):
    other = make_child(world["a1"], "王大")
    refer(director, other)
    open_concern(director, other, "作业无人辅导", source="visit")
    assert timeline.case_plan(child, TODAY) == []


def test_a_concern_is_referred_from_its_page(client, director, child):
    concern = open_concern(director, child, "长期缺课", source="visit")
    client.force_login(director)
    page = client.get(reverse("children:concern", args=[concern.pk])).text
    url = f"{reverse('referrals:new', args=[child.pk])}?concern={concern.pk}"
    assert url in page
    assert "长期缺课" in client.get(url).text  # the concern is the page's lead
    client.post(url, {"kind": "school", "reason": "长期缺课，请学校跟进"})
    referral = Referral.objects.get(child=child)
    assert referral.concern == concern
    # A concern of another child is not taken.
    other = open_concern(director, make_child(child.area, "王二"), "无人照看", source="visit")
    with pytest.raises(ValidationError):
        services.refer(director, child, {"kind": "police", "reason": "无人照看多日"}, concern=other)
