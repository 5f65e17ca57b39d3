"""Field-encryption keys: several keys, rotation to the newest, and unreadable values shown
as such (never a 500)."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from children.models import Child, ImportJob
from core import crypto, idnumber
from core.models import AuditEntry
from tests.personas import make_child

BORN = dt.date(2016, 5, 1)
NUMBERS = [idnumber.make("341623", BORN, seq) for seq in (123, 125, 127)]
UNREADABLE = "无法读取（密钥不符）"


def keys(*keys, lookup=""):
    return override_settings(FIELD_ENCRYPTION_KEYS=list(keys), FIELD_LOOKUP_KEY=lookup)


@pytest.fixture
def children_under_a(world, county_officer):
    with keys("key-A"):
        return [
            make_child(world["a1"], f"王小{i}", id_number=number, actor=county_officer)
            for i, number in enumerate(NUMBERS)
        ]


def ciphers():
    return list(Child.objects.order_by("pk").values_list("id_cipher", flat=True))


def rotate(**options):
    out = StringIO()
    call_command("rotate_field_keys", stdout=out, **options)
    return out.getvalue()


def test_a_single_key_setting_still_works():
    with override_settings(FIELD_ENCRYPTION_KEYS=[], FIELD_ENCRYPTION_KEY="only-key"):
        assert crypto.encryption_keys() == ("only-key",)
        assert crypto.decrypt(crypto.encrypt("x")) == "x"


def test_values_are_encrypted_under_the_newest_and_read_under_any_key():
    with keys("key-A"):
        old = crypto.encrypt("341623201605011234")
    with keys("key-B", "key-A"):
        assert crypto.decrypt(old) == "341623201605011234"
        new = crypto.encrypt("x")
        assert crypto.is_current(new) and not crypto.is_current(old)
    with keys("key-A"), pytest.raises(crypto.UndecryptableError):
        crypto.decrypt(new)


def test_rotation_moves_every_value_to_the_newest_key_and_reports_progress(children_under_a):
    job = ImportJob.objects.create(
        area=children_under_a[0].area,
        created_by=AuditEntry.objects.exclude(actor=None).first().actor,
        filename="roster.xlsx",
    )
    with keys("key-A"):
        ImportJob.objects.filter(pk=job.pk).update(content=crypto.encrypt_bytes(b"file"))
    before = ciphers()
    with keys("key-B", "key-A", lookup="key-A"):
        assert [c.id_number for c in Child.objects.order_by("pk")] == NUMBERS
        out = rotate(batch_size=2)
        assert "children.child.id_cipher: 2/3" in out
        assert "children.child.id_cipher: 3/3" in out
        assert "children.importjob.content: 1/1" in out
        assert "3 re-encrypted" in out or "4 re-encrypted" in out
        after = ciphers()
        assert all(crypto.is_current(c) for c in after) and set(after).isdisjoint(before)
        # Running it again (or after an interruption) changes nothing.
        assert "0 re-encrypted" in rotate()
        assert ciphers() == after
    assert AuditEntry.objects.filter(action="core.keys.rotated").count() == 2
    # The old key can go: everything reads, and a number is still found by its hash.
    with keys("key-B", lookup="key-A"):
        assert [c.id_number for c in Child.objects.order_by("pk")] == NUMBERS
        assert Child.objects.with_id_number(NUMBERS[1]).get().name == "王小1"
        assert crypto.decrypt_bytes(ImportJob.objects.get().content) == b"file"


def test_a_new_lookup_key_is_applied_by_running_the_rotation_again(children_under_a):
    with keys("key-B", "key-A"):
        rotate()
    # The oldest key (the lookup key by default) removed without setting FIELD_LOOKUP_KEY:
    # searches miss until the rotation re-hashes every number under the new lookup key.
    with keys("key-B"):
        assert not Child.objects.with_id_number(NUMBERS[0]).exists()
        assert "3 re-hashed" in rotate()
        assert Child.objects.with_id_number(NUMBERS[0]).get().name == "王小0"


def test_rotation_lists_values_no_key_decrypts_and_fails(children_under_a):
    with keys("key-C"), pytest.raises(CommandError, match="3 value"):
        rotate()
    with keys("key-A"):
        assert [c.id_number for c in Child.objects.order_by("pk")] == NUMBERS


def test_a_value_no_key_decrypts_shows_as_unreadable_in_page_and_api(
    children_under_a, client, county_officer
):
    child = children_under_a[0]
    client.force_login(county_officer)
    api = APIClient()
    api.force_authenticate(county_officer)
    with keys("key-C", lookup="key-A"):
        assert Child.objects.get(pk=child.pk).id_number.unreadable
        page = client.get(reverse("children:detail", args=[child.pk]))
        assert page.status_code == 200
        assert UNREADABLE in page.content.decode()
        detail = api.get(f"/api/v1/children/{child.pk}/")
        assert detail.status_code == 200
        assert detail.json()["id_number"] == UNREADABLE
        listing = api.get("/api/v1/children/")
        assert listing.status_code == 200
        roster = client.get(reverse("children:roster"))
        assert roster.status_code == 200
        # Searching by number needs no decryption: it still finds the child.
        assert Child.objects.with_id_number(NUMBERS[0]).get().pk == child.pk


def test_a_record_with_an_unreadable_number_can_still_be_edited_and_keeps_it(
    children_under_a, client, county_officer
):
    from core.concurrency import version_of

    child = children_under_a[0]
    stored = Child.objects.get(pk=child.pk).id_cipher
    client.force_login(county_officer)
    api = APIClient()
    api.force_authenticate(county_officer)
    with keys("key-C", lookup="key-A"):
        page = client.get(reverse("children:edit", args=[child.pk]))
        assert page.status_code == 200 and UNREADABLE in page.content.decode()
        version = version_of(Child.objects.get(pk=child.pk))
        changed = api.patch(
            f"/api/v1/children/{child.pk}/",
            {"address": "新地址", "version": version, "confirm_not_duplicate": True},
            format="json",
        )
        assert changed.status_code == 200, changed.json()
    child = Child.objects.get(pk=child.pk)
    assert child.address == "新地址" and child.id_cipher == stored
    with keys("key-A"):
        assert child.id_number == NUMBERS[0]
