"""Photos and conflicts through the phone's outbox, at 360 px (issue 15, points 3, 4 and 9).

A photo taken with the camera is attached to a visit saved with no network: it is made
smaller on the phone and kept there with the visit; when the network returns the visit and
then its photo arrive, once, without the place it was taken. A visit the server refuses
(a concern without its note) stays in the outbox with the server's message beside the
field; opened from the outbox page, fixed and saved, it arrives once.
"""

import io
import re

import pytest
from django.urls import reverse
from PIL import Image

from care.models import Photo, Visit
from tests.personas import make_child

from .conftest import PHONE

pytestmark = pytest.mark.browser

WIDTH = PHONE["width"]
GPS = 0x8825


def camera_file(tmp_path):
    """A 3000 x 2250 photo with the place it was taken in its EXIF, as a phone's camera
    saves it."""
    grain = Image.effect_noise((3000, 2250), 40).convert("RGB")
    image = Image.blend(Image.linear_gradient("L").resize((3000, 2250)).convert("RGB"), grain, 0.3)
    exif = Image.Exif()
    exif[GPS] = {1: "N", 2: (30.0, 15.0, 0.0), 3: "E", 4: (117.0, 2.0, 0.0)}
    path = tmp_path / "IMG_2041.jpg"
    image.save(path, "JPEG", quality=95, exif=exif)
    return path


def visit_form_offline(new_page, login, expect, child):
    """The director's phone, online once (the worklist), then with no network: the child's
    visit form, from the phone."""
    page = login(new_page(PHONE), "director")
    page.goto(reverse("care:worklist"))
    expect(page.locator("html[data-offline-ready]")).to_have_count(1, timeout=30_000)
    page.context.set_offline(True)
    page.goto(reverse("care:visit_new", args=[child.pk]))
    return page, page.get_by_test_id("visit-form")


def test_a_photo_attached_offline_arrives_with_its_visit(
    new_page, login, world, director, expect, fitted_shot, tmp_path
):
    child = make_child(world["a1"], "王小明")
    page, form = visit_form_offline(new_page, login, expect, child)
    photo = camera_file(tmp_path)
    assert photo.stat().st_size > 1_000_000
    form.locator("input[name=photos]").set_input_files(photo)
    form.locator("#id_problems").fill("房屋漏雨")
    fitted_shot(page, WIDTH, "1-photo-chosen-offline")
    form.get_by_test_id("save").click()
    badge = page.get_by_test_id("outbox-badge")
    expect(badge).to_have_text(re.compile(r"^1\D"))
    # Kept on the phone already smaller: the blob in IndexedDB, not the camera's file.
    kept = page.evaluate(
        "ShouhuOutbox.all().then(items => items[0].photos.map(p => [p.blob.size, p.blob.type]))"
    )
    assert len(kept) == 1 and kept[0][0] <= 300 * 1024 and kept[0][1] == "image/jpeg"
    assert not Visit.objects.exists()

    page.context.set_offline(False)
    expect(badge).to_be_hidden(timeout=30_000)
    visit = Visit.objects.get(child=child)
    stored = Photo.objects.get()
    assert stored.visit == visit and (stored.width, stored.height) == (1280, 960)
    with stored.image.open("rb") as file:
        image = Image.open(io.BytesIO(file.read()))
        assert not image.getexif()
    page.goto(reverse("care:visit_detail", args=[visit.pk]))
    shown = page.get_by_test_id("photos").locator("img")
    expect(shown).to_have_count(1)
    shown.scroll_into_view_if_needed()  # loading="lazy": it loads once in view
    loaded = shown.evaluate(
        "img => img.complete && img.naturalWidth ? img.naturalWidth : new Promise("
        "(done) => img.addEventListener('load', () => done(img.naturalWidth)))"
    )
    assert loaded == 1280
    fitted_shot(page, WIDTH, "2-visit-with-photo")


def test_a_refused_visit_is_shown_fixed_and_sent_once(
    new_page, login, world, director, expect, fitted_shot
):
    child = make_child(world["a1"], "李小红")
    page, form = visit_form_offline(new_page, login, expect, child)
    form.locator("input[name=safety][value=concern]").check()  # and no note: a broken rule
    form.get_by_test_id("save").click()
    badge = page.get_by_test_id("outbox-badge")
    expect(badge).to_have_text(re.compile(r"^1\D"))

    page.context.set_offline(False)
    expect(badge).to_have_class(re.compile(r"\brefused\b"), timeout=30_000)
    badge.click()
    item = page.get_by_test_id("outbox-item")
    expect(item.get_by_test_id("outbox-message")).to_contain_text("需要填写说明")
    fitted_shot(page, WIDTH, "3-refused-in-outbox")
    assert not Visit.objects.exists()

    item.get_by_test_id("outbox-fix").click()
    form = page.get_by_test_id("visit-form")
    expect(page.get_by_test_id("outbox-refusal")).to_be_visible()
    note = form.locator("#id_safety_note")
    expect(note.locator("xpath=ancestor::*[contains(@class,'field')][1]")).to_have_class(
        re.compile(r"\bhas-error\b")
    )
    expect(form.locator("input[name=safety][value=concern]")).to_be_checked()
    fitted_shot(page, WIDTH, "4-refusal-on-the-form")
    note.fill("放学路上要过河，没有大人接送")
    form.get_by_test_id("save").click()
    expect(page).to_have_url(re.compile(r"/care/worklist/$"))
    expect(badge).to_be_hidden(timeout=20_000)
    visit = Visit.objects.get(child=child)
    assert visit.safety == "concern" and visit.safety_note.startswith("放学路上")
