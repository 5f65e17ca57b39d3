"""The outbox under faults (issue 15, point 6): two directors record 100 visits and
activities, a third of them with a photo, on phones whose network fails in every way a
village's does, and afterwards the server has exactly those 100 records, none lost, none
twice, and every photo.

The faults, drawn from a fixed seed (OUTBOX_FAULT_SEED to try another):
- the network gone (Playwright's offline mode) for a stretch of records;
- a send aborted before it reaches the server;
- a send aborted after the server committed it (the phone never hears the answer);
- a slow answer (up to 2.5 s);
- the page reloaded, and the tab closed and another opened, between records (a send the
  page had started is cut off).
Every send to /api/v1/outbox/ (records and photos) goes through the fault injector. A record
counts as made once the phone acknowledged it (the form went on to the worklist), as the
director would see it.
"""

import io
import os
import random
import re
import time
from collections import Counter

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from care.models import Activity, Photo, Visit
from outbox.models import Submission
from tests.personas import make_child

from .conftest import PHONE

pytestmark = pytest.mark.browser

SEED = int(os.environ.get("OUTBOX_FAULT_SEED", "20261201"))
RECORDS = 100
OUTBOX = "**/api/v1/outbox/**"


class Faults:
    """The fault injector on one phone's sends: each request draws its fate."""

    def __init__(self, rnd):
        self.rnd = rnd
        self.seen = Counter()

    def __call__(self, route):
        draw = self.rnd.random()
        if draw < 0.15:
            self.seen["aborted before the server"] += 1
            route.abort()
        elif draw < 0.30:
            route.fetch()  # the server commits…
            self.seen["aborted after the server committed"] += 1
            route.abort()  # …and the phone never hears it
        elif draw < 0.40:
            response = route.fetch()
            self.seen["slow"] += 1
            time.sleep(self.rnd.uniform(0.5, 2.5))
            route.fulfill(response=response)
        else:
            self.seen["through"] += 1
            route.continue_()


class Phone:
    """One director's phone: a browser context with the fault injector, one tab at a time."""

    def __init__(self, new_page, login, username, children, rnd, expect):
        self.page = login(new_page(PHONE), username)
        self.context = self.page.context
        self.username, self.children, self.rnd, self.expect = username, children, rnd, expect
        self.faults = Faults(rnd)
        self.made = Counter()
        self.offline = False
        self.page.goto(reverse("care:worklist"))
        expect(self.page.locator("html[data-offline-ready]")).to_have_count(1, timeout=30_000)
        self.context.route(OUTBOX, self.faults)

    def disturb(self):
        """Between records: the network comes or goes, the page reloads, the tab closes."""
        draw = self.rnd.random()
        if draw < 0.12:
            self.offline = not self.offline
            self.context.set_offline(self.offline)
        elif draw < 0.18:
            self.page.reload()
        elif draw < 0.23:
            self.page.close()
            self.page = self.context.new_page()
            self.page.goto(reverse("care:worklist"))

    def record(self, photo):
        """Record a visit or an activity through its form, perhaps with the photo; counted
        once the phone acknowledged it (the form went on), when it must be on the phone or
        already on the server."""
        page = self.page
        note = f"{self.username} {self.made['visit'] + self.made['activity']}"
        if self.rnd.random() < 0.7:
            kind = "visit"
            page.goto(reverse("care:visit_new", args=[self.rnd.choice(self.children).pk]))
            form = page.get_by_test_id("visit-form")
            form.locator("#id_problems").fill(note)
        else:
            kind = "activity"
            page.goto(reverse("care:activity_new"))
            form = page.get_by_test_id("activity-form")
            form.locator("select[name=theme]").select_option("safety")
            form.locator("textarea[name=description]").fill(note)
        with_photo = self.rnd.random() < 0.33
        if with_photo:
            form.locator("input[name=photos]").set_input_files(photo)
        form.get_by_test_id("save").click()
        self.expect(page).to_have_url(re.compile(r"/care/worklist/"), timeout=60_000)
        self.made[kind] += 1
        self.made["photos"] += with_photo
        kept = note in self.waiting()
        on_server = (
            Visit.objects.filter(problems=note).exists()
            or Activity.objects.filter(description=note).exists()
        )
        assert kept or on_server, f"{note} was acknowledged but is neither kept nor sent"

    def waiting(self, *, until_empty_ms=0) -> list[str]:
        """The notes of the records waiting in this phone's outbox (once the page's scripts
        run); with `until_empty_ms`, after waiting that long for the outbox to empty."""
        return self.page.evaluate(
            """async (patience) => {
              const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
              for (let i = 0; i < 100 && !window.ShouhuOutbox; i++) await pause(100);
              if (!window.ShouhuOutbox) return ["(no outbox script on this page)"];
              const notes = async () => (await ShouhuOutbox.all()).map(
                (item) => item.data.problems || item.data.description || item.id);
              for (let waited = 0; waited < patience && (await notes()).length; waited += 250) {
                await pause(250);
              }
              return notes();
            }""",
            until_empty_ms,
        )

    def settle(self):
        """The network back for good, the faults gone: the outbox empties (each page load
        sends what waits)."""
        self.context.unroute(OUTBOX)
        self.context.set_offline(False)
        left = None
        for _attempt in range(6):
            self.page.goto(reverse("care:worklist"))
            left = self.waiting(until_empty_ms=20_000)
            if not left:
                break
        assert not left, f"{self.username}'s outbox still holds {left}"
        self.context.close()  # nothing in flight when the test's database is emptied


def small_photo(tmp_path):
    path = tmp_path / "IMG_0042.jpg"
    grain = Image.effect_noise((1600, 1200), 30).convert("RGB")
    Image.blend(Image.linear_gradient("L").resize((1600, 1200)).convert("RGB"), grain, 0.2).save(
        path, "JPEG", quality=90
    )
    return path


def test_a_hundred_records_under_faults_arrive_once_each_with_every_photo(
    new_page, login, world, director, other_director, expect, tmp_path
):
    rnd = random.Random(SEED)
    photo = small_photo(tmp_path)
    phones = [
        Phone(
            new_page, login, "director", [make_child(world["a1"]) for _ in range(3)], rnd, expect
        ),
        Phone(
            new_page,
            login,
            "other_director",
            [make_child(world["b1"]) for _ in range(3)],
            rnd,
            expect,
        ),
    ]
    for _n in range(RECORDS):
        phone = rnd.choice(phones)
        phone.disturb()
        phone.record(photo)
    for phone in phones:
        phone.settle()

    faults = sum((phone.faults.seen for phone in phones), Counter())
    print(f"seed {SEED}: faults {dict(faults)}")
    # Every kind of fault happened, so the run tested what it says.
    assert min(faults.values()) >= 3 and len(faults) == 4, faults
    for phone, user in zip(phones, (director, other_director), strict=True):
        assert Visit.objects.filter(visitor=user).count() == phone.made["visit"]
        assert Activity.objects.filter(recorded_by=user).count() == phone.made["activity"]
        assert Photo.objects.filter(taken_by=user).count() == phone.made["photos"]
    assert Submission.objects.count() == RECORDS
    assert Visit.objects.count() + Activity.objects.count() == RECORDS
    assert sum(phone.made["photos"] for phone in phones) > 10
    for kept in Photo.objects.all():
        assert default_storage.exists(kept.image.name)
        with kept.image.open("rb") as file:
            assert Image.open(io.BytesIO(file.read())).width <= 1280
