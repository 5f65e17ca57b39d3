"""The audit log says what happened in words, in the reader's language: each action, the
record with a link while it exists, the details summarised (issue 12, point 8)."""

import pathlib
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from core.audit import log_action
from core.audit_text import ACTIONS, describe, summarise
from tests.personas import make_child

pytestmark = pytest.mark.django_db

SOURCE = pathlib.Path(settings.BASE_DIR)
CALL = re.compile(
    r"(?:log_action|log_read|audit_page|audit_records)"
    r"\((?:[^()\"]|\([^()]*\))*?f?\"([a-z_]+\.[a-z_.{}]+)\"",
    re.S,
)

# The API's audited lists name their action as a class attribute (core.reads).
LIST_ACTION = re.compile(r"^\s+list_action = \"([a-z_]+\.[a-z_.]+)\"", re.M)


def written_actions() -> set[str]:
    """Every action the code writes with log_action, log_read and the read helpers of
    core.reads (f-strings as their fixed prefix)."""
    found = set()
    for path in SOURCE.rglob("*.py"):
        parts = set(path.relative_to(SOURCE).parts)
        if parts & {".venv", "tests", "bench", "migrations"} or path.name.startswith("test_"):
            continue
        text = path.read_text(encoding="utf-8")
        found |= set(CALL.findall(text)) | set(LIST_ACTION.findall(text))
    return found


def test_every_action_the_code_writes_is_described_in_words():
    actions = written_actions()
    assert "children.child.updated" in actions and len(actions) > 40  # the scan works
    missing = []
    for action in sorted(actions):
        if "{" in action:
            prefix = action.split("{")[0]
            if not any(known.startswith(prefix) for known in ACTIONS):
                missing.append(action)
        elif action not in ACTIONS:
            missing.append(action)
    assert not missing, f"add these to core.audit_text.ACTIONS: {missing}"


def test_every_description_is_translated_into_chinese():
    with translation.override("zh-hans"):
        untranslated = [
            action
            for action, text in ACTIONS.items()
            if re.search(r"[A-Za-z]{3}", re.sub(r"API|Excel", "", str(text)))
        ]
    assert not untranslated, untranslated


def test_the_audit_log_page_shows_actions_records_and_details_in_chinese(
    client, county_officer, director, world
):
    child = make_child(world["a1"], "王小明", actor=director)
    log_action(director, "children.child.updated", child, {"changes": {"sex": ["M", "F"]}})
    log_action(
        director,
        "children.child.exported",
        None,
        {
            "format": "xlsx",
            "count": 3,
            "ids": [1, 2, 3],
            "filters": {"area": world["a1"].code},
            "full_id": False,
        },
    )
    client.force_login(county_officer)
    page = client.get(reverse("audit_log"))
    text = page.text
    assert "登记儿童" in text and "修改儿童档案" in text and "导出花名册" in text
    assert "children.child" not in re.sub(r"<[^>]+>", " ", text)  # codes only in attributes
    assert f'<a href="{reverse("children:detail", args=[child.pk])}">王小明</a>' in text
    assert "性别: 男 → 女" in text
    assert "格式: Excel" in text and "[1, 2, 3]" not in text
    assert "完整身份证号: 否" in text


def test_the_action_filter_offers_words_and_filters_by_action(client, county_officer, director):
    client.force_login(director)
    client.logout()
    client.force_login(county_officer)
    page = client.get(reverse("audit_log"), {"action": "auth.logout"})
    assert '<option value="auth.logout" selected>退出登录</option>' in page.text
    assert {e.action for e in page.context["page"].object_list} == {"auth.logout"}


def test_a_record_that_no_longer_exists_is_named_without_a_link(county_officer, world):
    from core.audit_text import links
    from core.models import AuditEntry

    child = make_child(world["a1"], "王小明")
    kept = log_action(county_officer, "children.child.read", child, {"via": "api"})
    # The log is append-only: an entry about a record that is gone is built in memory.
    gone = AuditEntry(
        pk=kept.pk + 1, action="children.child.read", object_type="children.child",
        object_id="999999", data={"via": "api"},
    )  # fmt: skip
    assert links([kept, gone]) == {kept.pk: reverse("children:detail", args=[child.pk])}
    entry = gone
    with translation.override("zh-hans"):
        assert summarise(entry) == "途径: 接口"
        assert describe("children.child.read") == "查阅儿童档案"
