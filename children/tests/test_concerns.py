"""Concerns have a life cycle (issue 12, point 2): open → action taken → resolved or
referred, with the supervisor's confirmation for urgent and safety concerns, the report made
before closing, the child classified again when the last one closes, escalation when past
due, and the old flags carried over by a migration."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from children.models import Child, ChildChange, Concern, ConcernEvent
from children.policy import concerns as policy
from children.services import concerns as services
from core.exceptions import Stale
from core.models import AuditEntry
from tests.personas import PERSONAS, make_child

Step = policy.Step


def open_on(child, actor=None, *, urgency="concern", safety=False, report="", finding="独自在家"):
    return services.open_concern(
        actor, child, finding, source="visit", urgency=urgency, safety=safety, report=report
    )


# -- the workflow table, walked for every role -----------------------------------------------

WORKERS = {"director", "township_officer", "township_staff", "county_officer"}
# Who may take each step on a concern about a child of village A1 (written out here, not read
# from the policy, so that a change to the policy has to change this table too).
EXPECTED = {
    Step.TAKE_ACTION: WORKERS,
    Step.RESOLVE: WORKERS,
    Step.REFER: WORKERS,
    Step.CONFIRM: {"township_officer"},
    Step.SEND_BACK: {"township_officer"},
    Step.RECORD_REPORT: WORKERS,
    Step.REASSIGN: {"township_officer", "township_staff", "county_officer"},
}
ROLES = PERSONAS


def _prepare(step, child, everyone):
    """A concern in the state the step is taken from."""
    if step in (Step.CONFIRM, Step.SEND_BACK):
        concern = open_on(child, urgency="urgent")
        return services.resolve(everyone["director"], concern, "送回父母身边")
    if step == Step.RECORD_REPORT:
        return open_on(child, urgency="urgent", safety=True, report="疑似遭受暴力")
    return open_on(child)


def _take(step, actor, concern, everyone):
    if step == Step.TAKE_ACTION:
        return services.take_action(actor, concern, "上门走访，联系了父母")
    if step == Step.RESOLVE:
        return services.resolve(actor, concern, "父亲已返乡照料")
    if step == Step.REFER:
        return services.refer(actor, concern, "城关派出所", "已报警并移交")
    if step == Step.CONFIRM:
        return services.confirm(actor, concern, "核实无误")
    if step == Step.SEND_BACK:
        return services.send_back(actor, concern, "请再次上门核实")
    if step == Step.RECORD_REPORT:
        return services.record_report_made(actor, concern, "城关派出所", timezone.localdate())
    return services.reassign(actor, concern, everyone["township_staff"])


@pytest.mark.parametrize("step", list(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_every_step_is_taken_only_by_the_roles_the_workflow_allows(step, role, everyone, world):
    child = make_child(world["a1"])
    concern = _prepare(step, child, everyone)
    actor = everyone[role]
    if role in EXPECTED[step]:
        result = _take(step, actor, concern, everyone)
        assert ConcernEvent.objects.filter(concern=result, step=step, actor=actor).exists()
        assert AuditEntry.objects.filter(action=f"children.concern.{step}", actor=actor).exists()
    else:
        with pytest.raises(PermissionDenied):
            _take(step, actor, concern, everyone)
        assert not ConcernEvent.objects.filter(concern=concern, step=step).exists()


def test_steps_only_move_forward(director, world):
    child = make_child(world["a1"])
    concern = services.resolve(director, open_on(child), "已解决")
    assert concern.state == "resolved"
    for step, call in [
        (Step.TAKE_ACTION, lambda: services.take_action(director, concern, "再走访")),
        (Step.RESOLVE, lambda: services.resolve(director, concern, "再次解决")),
        (Step.REFER, lambda: services.refer(director, concern, "学校", "移交")),
    ]:
        with pytest.raises(ValidationError) as refused:
            call()
        assert "state" in refused.value.message_dict, step


# -- closing, and the child's classification -------------------------------------------------


def test_resolving_the_last_concern_lowers_the_care_level_with_the_reason_in_the_history(
    director, world
):
    child = make_child(world["a1"])
    assert child.care_level == "ordinary"
    first = open_on(child, director, finding="作业无人辅导")
    second = open_on(child, director, finding="营养不良")
    child.refresh_from_db()
    assert child.care_level == "special" and "营养不良" in child.risk
    services.resolve(director, first, "已安排志愿者辅导")
    child.refresh_from_db()
    assert child.care_level == "special"  # the other concern still holds it
    assert [r[1]["detail"] for r in child.level_reasons if r[0] == "risk"] == ["营养不良"]
    services.take_action(director, second, "联系了卫生院")
    services.resolve(director, second, "营养状况已改善")
    child.refresh_from_db()
    assert child.care_level == "ordinary" and child.risk == ""
    entry = child.changes.filter(kind=ChildChange.Kind.RECLASSIFIED).first()
    assert entry.note == gettext("concern resolved: %(outcome)s") % {"outcome": "营养状况已改善"}
    assert entry.changes["care_level"] == ["special", "ordinary"]
    assert child.care_level_since == timezone.localdate()


def test_resolving_needs_a_written_outcome(director, world):
    concern = open_on(make_child(world["a1"]))
    with pytest.raises(ValidationError) as refused:
        services.resolve(director, concern, "   ")
    assert "outcome" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.refer(director, concern, "", "")
    assert {"referred_to", "outcome"} <= set(refused.value.message_dict)
    concern.refresh_from_db()
    assert concern.state == "open"


def test_a_referral_closes_the_concern_with_to_whom(director, world):
    child = make_child(world["a1"])
    concern = services.refer(director, open_on(child), "县医院", "已转介治疗")
    child.refresh_from_db()
    assert concern.state == "referred" and concern.referred_to == "县医院"
    assert child.care_level == "ordinary"
    assert "县医院" in child.changes.first().note


def test_an_urgent_concern_is_not_resolved_without_the_supervisors_confirmation(
    director, township_officer, township_staff, world
):
    child = make_child(world["a1"])
    concern = open_on(child, urgency="urgent")
    concern = services.resolve(director, concern, "已送至亲属家")
    child.refresh_from_db()
    assert concern.state == "awaiting_confirmation" and concern.proposed_state == "resolved"
    assert child.care_level == "special"  # still open until the supervisor confirms
    with pytest.raises(PermissionDenied):
        services.confirm(township_staff, concern)
    concern = services.send_back(township_officer, concern, "请核实亲属的照料能力")
    assert concern.state == "action_taken"
    concern = services.resolve(director, concern, "亲属照料能力已核实")
    concern = services.confirm(township_officer, concern, "同意")
    child.refresh_from_db()
    assert concern.state == "resolved" and concern.confirmed_by == township_officer
    assert concern.closed_by == director
    assert child.care_level == "ordinary"


def test_the_supervisor_who_proposed_a_closing_cannot_confirm_it(township_officer, world):
    concern = open_on(make_child(world["a1"]), safety=True)
    concern = services.resolve(township_officer, concern, "已处理")
    with pytest.raises(ValidationError):
        services.confirm(township_officer, concern)


def test_the_report_flag_is_cleared_only_by_recording_the_report_made(director, world):
    child = make_child(world["a1"])
    concern = open_on(child, urgency="urgent", safety=True, report="疑似遭受暴力")
    child.refresh_from_db()
    assert child.needs_report and child.report_reason == "疑似遭受暴力"
    with pytest.raises(ValidationError) as refused:
        services.resolve(director, concern, "已处理")
    assert "outcome" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.refer(director, concern, "派出所", "移交")
    services.take_action(director, concern, "已上门")
    child.refresh_from_db()
    assert child.needs_report  # acting on it does not clear the flag
    with pytest.raises(ValidationError) as refused:
        services.record_report_made(director, concern, "", None)
    assert {"reported_to", "reported_on"} <= set(refused.value.message_dict)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError):
        services.record_report_made(director, concern, "城关派出所", tomorrow)
    services.record_report_made(director, concern, "城关派出所", timezone.localdate(), "A-1")
    child.refresh_from_db()
    concern.refresh_from_db()
    assert not child.needs_report and concern.reported_to == "城关派出所"
    assert child.care_level == "special"  # reported, but the concern is still open
    assert child.changes.first().changes["needs_report"] == [True, False]


def test_a_stale_step_is_refused(director, township_staff, world):
    concern = open_on(make_child(world["a1"]))
    seen = concern.updated_at
    services.take_action(township_staff, concern, "已电话联系")
    with pytest.raises(Stale):
        services.resolve(director, concern, "已解决", based_on=seen)
    concern.refresh_from_db()
    assert concern.state == "action_taken"


def test_the_village_director_owns_a_new_concern_and_an_officer_can_give_it_to_another(
    director, township_staff, other_director, world
):
    concern = open_on(make_child(world["a1"]))
    assert concern.owner == director
    assert concern.due_on == concern.opened_on + dt.timedelta(days=policy.DUE_DAYS["concern"])
    with pytest.raises(ValidationError):
        services.reassign(township_staff, concern, other_director)  # another township's
    concern = services.reassign(township_staff, concern, township_staff)
    assert concern.owner == township_staff


def test_a_transferred_childs_open_concerns_go_to_the_new_villages_director(
    county_officer, director, world
):
    from children.services import transfer_child
    from tests.personas import make_user

    b1_director = make_user("b1_director", "director", world["b1"])
    child = make_child(world["a1"])
    concern = open_on(child)
    closed = services.resolve(director, open_on(child, finding="缺课"), "已返校")
    transfer_child(county_officer, child, world["b1"], "随父母迁居")
    concern.refresh_from_db()
    closed.refresh_from_db()
    assert concern.owner == b1_director and closed.owner == director
    assert concern.events.filter(step=Step.REASSIGN).exists()
    assert Concern.objects.visible_to(b1_director).filter(pk=concern.pk).exists()
    assert not Concern.objects.visible_to(director).filter(pk=concern.pk).exists()


def test_an_edit_from_a_copy_read_before_a_concern_opened_keeps_the_concern_summary(
    director, world
):
    from children.services import update_child

    child = make_child(world["a1"])
    stale_copy = Child.objects.get(pk=child.pk)
    open_on(child, report="疑似遭受暴力", urgency="urgent")
    update_child(director, stale_copy, {"school": "城关小学", "risk": ""})
    child.refresh_from_db()
    assert child.school == "城关小学"
    assert child.risk == "独自在家" and child.needs_report and child.care_level == "special"


# -- the three sources ------------------------------------------------------------------------


def test_a_visit_with_a_concern_finding_opens_a_concern_pointing_at_the_visit(
    client, director, world
):
    from care.models import Visit

    child = make_child(world["a1"])
    client.force_login(director)
    data = {"visited_on": timezone.localdate().isoformat(), "mode": "home", "met_child": "on"}
    data.update({aspect: "fine" for aspect in Visit.ASPECTS})
    data.update(study="concern", study_note="成绩下滑，作业无人辅导")
    assert client.post(reverse("care:visit_new", args=[child.pk]), data).status_code == 302
    visit = Visit.objects.get()
    concern = Concern.objects.get(child=child)
    assert (concern.source, concern.source_ref) == ("visit", visit.pk)
    assert concern.urgency == "concern" and not concern.safety and not concern.must_report
    assert concern.source_link == reverse("care:visit_detail", args=[visit.pk])


def test_a_report_of_concern_linked_to_a_child_opens_an_urgent_concern(director, world):
    from concerns import services as reports

    child = make_child(world["a1"])
    report = reports.receive(
        {
            "area": world["a1"],
            "place": "村东头",
            "situation": "abandoned",
            "description": "孩子多日独自在家，没人做饭",
            "urgency": "immediate",
        },
        actor=director,
        source="staff",
    )
    reports.link_child(director, report, child)
    concern = Concern.objects.get(child=child)
    assert (concern.source, concern.source_ref) == ("report", report.pk)
    assert concern.urgency == "urgent" and concern.safety and concern.must_report
    assert concern.source_link == reverse("concerns:detail", args=[report.pk])


def test_an_urgent_change_opens_a_concern_pointing_at_the_change(director, world):
    from concerns.changes import record_change
    from concerns.models import ChangeEvent

    child = make_child(world["a1"])
    record_change(director, child, "urgent_finding", {"detail": "孩子离家出走"})
    concern = Concern.objects.get(child=child)
    event = ChangeEvent.objects.get(child=child)
    assert (concern.source, concern.source_ref) == ("change", event.pk)
    assert concern.must_report and event.level_after == "special"


# -- escalation -------------------------------------------------------------------------------


def test_a_concern_past_its_due_date_is_escalated_to_the_supervisor_once(
    director, township_officer, world
):
    from care import daily
    from notifications.models import Notification

    child = make_child(world["a1"])
    concern = open_on(child)
    due = concern.due_on
    daily.run(due)  # due today: not late yet
    assert not Notification.objects.filter(kind="concern_overdue").exists()
    report = daily.run(due + dt.timedelta(days=1))
    assert report["concerns_escalated"] == 1
    told = Notification.objects.filter(kind="concern_overdue")
    assert {n.recipient for n in told} == {township_officer, director}
    assert told.first().link == reverse("children:concern", args=[concern.pk])
    concern.refresh_from_db()
    assert concern.escalated_on == due + dt.timedelta(days=1)
    again = daily.run(due + dt.timedelta(days=5))
    assert again["concerns_escalated"] == 0
    assert Notification.objects.filter(kind="concern_overdue").count() == 2


def test_a_closed_concern_is_not_escalated(director, world):
    from care import daily

    concern = services.resolve(director, open_on(make_child(world["a1"])), "已解决")
    assert daily.run(concern.due_on + dt.timedelta(days=3))["concerns_escalated"] == 0


# -- the data migration -----------------------------------------------------------------------


def test_the_migration_turns_each_old_flag_into_one_open_concern(director, world):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("children.migrations.0007_concerns_from_flags")
    flagged = make_child(world["a1"], name="甲")
    reported = make_child(world["a1"], name="乙")
    plain = make_child(world["a1"], name="丙")
    closed = make_child(world["a1"], name="丁")
    Child.objects.filter(pk=flagged.pk).update(risk="走访发现：无人照看")
    Child.objects.filter(pk=reported.pk).update(
        risk="疑似被打", needs_report=True, report_reason="疑似被打"
    )
    Child.objects.filter(pk=closed.pk).update(risk="旧问题", status="closed")
    migration.flags_to_concerns(apps, None)
    migration.flags_to_concerns(apps, None)  # run twice: still one each
    assert not Concern.objects.filter(child__in=[plain, closed]).exists()
    first = Concern.objects.get(child=flagged)
    assert (first.source, first.finding, first.state) == ("migrated", "走访发现：无人照看", "open")
    assert first.owner == director and not first.must_report
    assert first.due_on == first.opened_on + dt.timedelta(days=policy.DUE_DAYS["concern"])
    second = Concern.objects.get(child=reported)
    assert second.must_report and second.report_pending and second.urgency == "urgent"
    # The migrated concern is what holds the child now: resolving it lowers the level.
    services.record_report_made(director, second, "派出所", timezone.localdate())
    flagged.refresh_from_db()
    assert flagged.care_level == "ordinary"  # the migration itself does not reclassify
    services.resolve(director, first, "已核实，情况正常")
    flagged.refresh_from_db()
    assert flagged.risk == "" and flagged.care_level == "ordinary"


# -- pages ------------------------------------------------------------------------------------


def test_the_childs_page_shows_open_concerns_with_age_owner_due_and_the_users_steps(
    client, director, leader, world
):
    child = make_child(world["a1"])
    concern = open_on(child, finding="营养不良")
    Concern.objects.filter(pk=concern.pk).update(
        opened_on=timezone.localdate() - dt.timedelta(days=40),
        due_on=timezone.localdate() - dt.timedelta(days=10),
    )
    client.force_login(director)
    page = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    forty = ngettext("%(n)s day", "%(n)s days", 40) % {"n": 40}
    assert "营养不良" in page and forty in page and 'data-testid="concern-overdue"' in page
    assert f'data-testid="step-resolve-{concern.pk}"' in page
    client.force_login(leader)
    page = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    assert "营养不良" in page and f'data-testid="step-resolve-{concern.pk}"' not in page


def test_a_step_page_shows_errors_by_field_and_a_stale_form_is_refused(
    client, director, township_staff, world
):
    concern = open_on(make_child(world["a1"]))
    url = reverse("children:concern_step", args=[concern.pk, "resolve"])
    client.force_login(director)
    response = client.post(url, {"outcome": "", "based_on": concern.updated_at.isoformat()})
    assert response.status_code == 200 and "outcome" in response.context["form"].errors
    seen = concern.updated_at.isoformat()
    services.take_action(township_staff, concern, "电话联系")
    response = client.post(url, {"outcome": "已解决", "based_on": seen})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    concern.refresh_from_db()
    assert concern.state == "action_taken"


def test_a_step_the_role_may_not_take_is_forbidden_and_an_unknown_step_is_not_found(
    client, director, leader, world
):
    concern = open_on(make_child(world["a1"]), urgency="urgent")
    client.force_login(director)
    assert (
        client.get(reverse("children:concern_step", args=[concern.pk, "confirm"])).status_code
        == 403
    )
    assert client.get(reverse("children:concern_step", args=[concern.pk, "fly"])).status_code == 404
    client.force_login(leader)
    assert (
        client.get(reverse("children:concern_step", args=[concern.pk, "resolve"])).status_code
        == 403
    )


def test_resolving_through_the_page_returns_to_the_childs_page_showing_ordinary(
    client, director, world
):
    child = make_child(world["a1"])
    concern = open_on(child, director, finding="作业无人辅导")
    client.force_login(director)
    detail = reverse("children:detail", args=[child.pk])
    response = client.post(
        reverse("children:concern_step", args=[concern.pk, "resolve"]) + f"?next={detail}",
        {"outcome": "已安排课后辅导", "based_on": concern.updated_at.isoformat(), "next": detail},
    )
    assert response.status_code == 302 and response.url == detail
    page = client.get(detail).content.decode()
    assert gettext("concern resolved: %(outcome)s") % {"outcome": "已安排课后辅导"} in page
    assert 'data-testid="open-concerns-empty"' in page


def test_the_concerns_list_filters_by_state_age_and_area_inside_the_jurisdiction(
    client, township_officer, other_township_officer, world
):
    today = timezone.localdate()
    young = open_on(make_child(world["a1"], name="甲"))
    old = open_on(make_child(world["a2"], name="乙"))
    Concern.objects.filter(pk=old.pk).update(
        opened_on=today - dt.timedelta(days=45), due_on=today - dt.timedelta(days=15)
    )
    other = open_on(make_child(world["b1"], name="丙"))
    url = reverse("children:concerns")
    client.force_login(township_officer)

    def listed(**query):
        return {c.pk for c in client.get(url, query).context["page"].object_list}

    assert listed() == {young.pk, old.pk}
    assert listed(state="overdue") == {old.pk}
    assert listed(age="over30") == {old.pk}
    assert listed(age="under7") == {young.pk}
    assert listed(area=world["a1"].code) == {young.pk}
    # Not theirs: the choice is refused and the list stays inside the jurisdiction.
    assert other.pk not in listed(area=world["b1"].code)
    assert listed(state="nonsense") == {young.pk, old.pk}
    client.force_login(other_township_officer)
    assert listed() == {other.pk}
    assert client.get(reverse("children:concern", args=[young.pk])).status_code == 404


def test_the_home_page_fragment_counts_open_concerns_by_age_and_village(
    client, director, township_officer, world
):
    today = timezone.localdate()
    urgent = open_on(make_child(world["a1"], name="甲"), urgency="urgent")
    services.resolve(director, urgent, "已送至亲属家")  # awaiting the supervisor
    old = open_on(make_child(world["a2"], name="乙"))
    Concern.objects.filter(pk=old.pk).update(
        opened_on=today - dt.timedelta(days=10), due_on=today - dt.timedelta(days=1)
    )
    client.force_login(township_officer)
    response = client.get(reverse("children:concern_inbox"))
    assert response.context["counts"] == {
        "total": 2,
        "overdue": 1,
        "awaiting": 1,
        "under7": 1,
        "days7to30": 1,
        "over30": 0,
    }
    units = {u["area"].code: (u["total"], u["overdue"]) for u in response.context["units"]}
    assert units == {world["a1"].code: (1, 0), world["a2"].code: (1, 1)}


def test_the_directors_worklist_shows_open_concerns_oldest_first_with_overdue_marked(
    client, director, world
):
    today = timezone.localdate()
    newer = open_on(make_child(world["a1"], name="甲"))
    older = open_on(make_child(world["a1"], name="乙"))
    Concern.objects.filter(pk=older.pk).update(
        opened_on=today - dt.timedelta(days=40), due_on=today - dt.timedelta(days=10)
    )
    client.force_login(director)
    response = client.get(reverse("care:worklist"))
    assert [c.pk for c in response.context["concerns"]] == [older.pk, newer.pk]
    assert [c.overdue for c in response.context["concerns"]] == [True, False]


def test_concern_pages_run_a_bounded_number_of_queries(
    client, director, township_officer, world, django_assert_max_num_queries
):
    children = [make_child(world["a1"], name=f"童{i}") for i in range(6)]
    concerns = [open_on(c, finding=f"问题{i}") for i, c in enumerate(children)]
    for c in children[:3]:
        open_on(c, finding="另一个问题")
    client.force_login(director)
    with django_assert_max_num_queries(12):
        client.get(reverse("children:concerns"))
    with django_assert_max_num_queries(12):
        client.get(reverse("children:concern", args=[concerns[0].pk]))
    with django_assert_max_num_queries(12):
        client.get(reverse("children:concern_step", args=[concerns[0].pk, "resolve"]))
    # The worklist's concerns are one query, their children and owners in it (only the
    # columns the rows show: a column left out and read by the page would be a query per row).
    with django_assert_max_num_queries(11):
        page = client.get(reverse("care:worklist")).content.decode()
    assert all(f"问题{i}" in page and f"童{i}" in page for i in range(6))
    client.force_login(township_officer)
    with django_assert_max_num_queries(8):
        client.get(reverse("children:concern_inbox"))
