"""Languages: Chinese by default whatever the browser says, English by choice, both complete."""

import gettext
import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def po_entries():
    """(context, msgid, msgstr) of the catalogue (written with --no-wrap: one line each)."""
    text = PO.read_text(encoding="utf-8")
    pattern = re.compile(
        r'^(?:msgctxt "(.*)"\n)?msgid "(.*)"\n(?:msgid_plural ".*"\n)?msgstr(?:\[0\])? "(.*)"$',
        re.MULTILINE,
    )
    return [m.groups() for m in pattern.finditer(text) if m.group(2)]


def test_chinese_catalogue_is_complete_and_compiled():
    entries = po_entries()
    assert len(entries) > 100
    untranslated = [msgid for _context, msgid, msgstr in entries if not msgstr]
    assert not untranslated
    assert "#, fuzzy" not in PO.read_text(encoding="utf-8")
    compiled = gettext.GNUTranslations(MO.open("rb"))
    stale = [
        msgid
        for context, msgid, msgstr in entries
        if "\\" not in msgid
        and (compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)) != msgstr
    ]
    assert not stale, "django.mo is older than django.po: run `make messages`"


def test_chinese_by_default_even_for_an_english_browser(client, director):
    # A director's menu: "更多" ("more") holds what the short menu leaves out.
    client.force_login(director)
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert '<html lang="zh-CN">' in html
    assert "更多" in html and "退出登录" in html


def test_english_switch_is_remembered(client, director):
    client.force_login(director)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in html and "Log out" in html and "更多" not in html
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "更多" in client.get(reverse("home")).content.decode()


def test_validation_messages_are_translated(client, director, world):
    client.force_login(director)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    url = reverse("areas:service_point_edit", kwargs={"pk": world["home_a1"].pk})
    response = client.post(url, {"name": "", "floor_area_m2": "-1", "based_on": ""})
    errors = response.context["form"].errors
    assert "该字段是必填项。" in errors["name"]
