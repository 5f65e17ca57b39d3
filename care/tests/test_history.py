"""A visit's history: each correction's changed fields, with labels and choice labels."""

import datetime as dt

from django.urls import reverse

from care.models import VisitChange
from care.services import correct_visit, record_visit
from tests.personas import make_child


def test_the_visit_page_shows_what_each_correction_changed(
    client, director, world, django_assert_max_num_queries
):
    child = make_child(world["a1"], "王小明")
    visit = record_visit(director, child, {"visited_on": dt.date.today(), "mode": "home"})
    changes = correct_visit(director, visit, {"mode": "call", "problems": "作业未完成"})
    for note in ("一", "二", "三"):  # more entries read no more rows
        correct_visit(director, visit, {"actions": note})
    entry = VisitChange.objects.filter(visit=visit).last()
    assert entry.changes == changes == {"mode": ["home", "call"], "problems": ["", "作业未完成"]}
    assert entry.actor_username == director.username and entry.kind == "updated"
    assert entry.rows() == [
        (str(visit._meta.get_field("mode").verbose_name), "入户走访", "与父母电话或视频"),
        (str(visit._meta.get_field("problems").verbose_name), "—", "作业未完成"),
    ]
    client.force_login(director)
    # The visit, its child, the versions, the photos (one query however many), session and user.
    with django_assert_max_num_queries(8):
        page = client.get(reverse("care:visit_detail", args=[visit.pk])).content.decode()
    assert page.count('data-testid="history-entry"') == 4
    assert "与父母电话或视频" in page and "作业未完成" in page
