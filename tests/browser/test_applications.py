"""An orphan-allowance application from the village to the measure, in the browser (issue 16,
point 9): a village director opens it on a 360 px phone from the child's page with a scanned
document; the township's staff checks it; the county's officer approves it with an amount;
the child's page then shows the measure in effect from next month and the application's
timeline how many working days each step took. The one who applied cannot check it."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext
from PIL import Image, ImageDraw

from applications.models import Application
from applications.policy import TIME_LIMITS, State
from applications.services import first_of_next_month
from applications.workdays import add_workdays, is_workday, workdays_left
from core.models import AuditEntry
from relief.catalogue import ensure_catalogue
from relief.models import ReliefMeasure
from tests.personas import make_child

from .conftest import DESKTOP, PHONE, assert_fits

pytestmark = pytest.mark.browser

WIDTH = PHONE["width"]
ORPHAN_ALLOWANCE = "孤儿基本生活费（社会散居）"  # relief.catalogue's orphan_scattered
REASON = "父母均已去世，由祖母抚养，家庭无固定收入。"
FINDINGS = "经公安户籍、医院死亡证明核对，父母均已死亡属实。"
CROSS_CHECKED = "公安（户籍注销）、卫健（死亡医学证明）"
AMOUNT = "1200"
# The working days the township and the county took (see waited()).
CHECK_TOOK, DECISION_TOOK = 3, 2


def zh(text_or_function, *args):
    """The Chinese the pages show: gettext (or ngettext) in zh-hans."""
    from django.utils import translation

    with translation.override("zh-hans"):
        if callable(text_or_function):
            return text_or_function(*args)
        return translation.gettext(text_or_function)


def working_days(n: int) -> str:
    """What the timeline says of a step that took `n` working days."""
    return zh(ngettext, "%(n)s working day", "%(n)s working days", n) % {"n": n}


def workdays_before(day: dt.date, count: int) -> dt.date:
    """The day `count` working days before `day` (the inverse of add_workdays)."""
    while count > 0:
        day -= dt.timedelta(days=1)
        if is_workday(day):
            count -= 1
    return day


def waited(application, days: int):
    """Time passes: the application's current wait began `days` working days ago, so the
    step that ends it takes that many, and its deadline is that much nearer (a browser test
    cannot wait a week; the services count from step_since, which is what is moved)."""
    application.refresh_from_db()
    since = workdays_before(timezone.localdate(), days)
    Application.objects.filter(pk=application.pk).update(
        step_since=since, due_on=add_workdays(since, TIME_LIMITS[application.state])
    )


def days_left(n: int) -> str:
    """The badge of a step with `n` working days left."""
    return zh(ngettext, "%(n)s working day left", "%(n)s working days left", n) % {"n": n}


def scanned_pdf(tmp_path):
    """A one-page PDF of a scanned paper, as a phone's scanner app saves it."""
    page = Image.new("RGB", (620, 877), "white")
    draw = ImageDraw.Draw(page)
    draw.rectangle((40, 40, 580, 837), outline="black", width=3)
    for y in range(120, 800, 40):
        draw.line((80, y, 540, y), fill="gray", width=2)
    path = tmp_path / "死亡证明.pdf"
    page.save(path, "PDF", resolution=72.0)
    return path


def photo_of_paper(tmp_path):
    """A photo of a household register page (JPEG)."""
    image = Image.new("RGB", (1200, 900), (235, 230, 215))
    draw = ImageDraw.Draw(image)
    for y in range(100, 850, 50):
        draw.line((100, y, 1100, y), fill=(90, 90, 90), width=3)
    path = tmp_path / "IMG_3021.jpg"
    image.save(path, "JPEG", quality=85)
    return path


def open_child_page(page, child, expect):
    """The child's page with its sections loaded: htmx swaps the case plan, relief and
    social forces in above the applications, and a tap while they arrive can miss."""
    page.goto(reverse("children:detail", args=[child.pk]))
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("relief-section")).to_be_visible()
    expect(page.get_by_text(zh("Loading…"), exact=True)).to_have_count(0)


@pytest.fixture
def orphan(world, director, township_staff, county_officer):
    """An orphan of village A1 (both parents deceased), without the allowance, and the
    county's relief catalogue."""
    ensure_catalogue(world["county"])
    child = make_child(world["a1"], "刘小安", father="deceased", mother="deceased", actor=director)
    assert not ReliefMeasure.objects.filter(child=child).exists()
    return child


def test_an_orphan_allowance_from_the_village_phone_to_the_measure(
    new_page, login, orphan, expect, shot, tmp_path
):
    today = timezone.localdate()

    # -- the director, on a phone: the child's page → apply → the document ----------------
    phone = login(new_page(PHONE), "director")
    open_child_page(phone, orphan, expect)
    expect(phone.get_by_test_id("child-applications")).to_have_count(0)
    phone.get_by_test_id("apply").click()
    form = phone.get_by_test_id("open-form")
    expect(form).to_be_visible()
    assert_fits(phone, WIDTH)
    shot(phone, "1-apply-on-phone")
    form.get_by_test_id("submit").click()  # nothing chosen: field errors, not a 500
    expect(form.locator(".has-error")).to_have_count(2)
    form.locator("#id_programme").select_option(label=ORPHAN_ALLOWANCE)
    form.locator("#id_reason").fill(REASON)
    form.get_by_test_id("submit").click()
    expect(phone).to_have_url(re.compile(r"/applications/\d+/$"))
    application = Application.objects.get(child=orphan)
    assert application.programme.code == "orphan_scattered"
    assert application.state == State.APPLIED and application.opened_by.username == "director"
    detail_url = reverse("applications:detail", args=[application.pk])
    attach_url = reverse("applications:document_new", args=[application.pk])

    # The scanned document (a PDF) and a photo of the household register, from the phone.
    pdf, photo = scanned_pdf(tmp_path), photo_of_paper(tmp_path)
    for title, path in (("父母死亡证明", pdf), ("户口本", photo)):
        phone.locator(f'[data-testid=actions] a[href="{attach_url}"]').click()
        form = phone.get_by_test_id("attach-form")
        form.locator("#id_title").fill(title)
        form.locator("input[name=file]").set_input_files(path)
        assert_fits(phone, WIDTH)
        form.get_by_test_id("submit").click()
        expect(phone).to_have_url(re.compile(rf"{detail_url}$"))
    shot(phone, "2-attach-on-phone")
    documents = phone.get_by_test_id("documents").locator("li")
    expect(documents).to_have_count(2)
    expect(documents.first).to_contain_text("父母死亡证明")
    expect(documents.first).to_contain_text("PDF")

    # Sent: the township's deadline (10 working days) and the working days left.
    due = add_workdays(today, TIME_LIMITS[State.APPLIED])
    assert application.due_on == due
    expect(phone.get_by_test_id("state")).to_have_text(zh("awaiting the township's check"))
    expect(phone.get_by_test_id("deadline")).to_contain_text(due.isoformat())
    left = workdays_left(today, due)
    expect(phone.get_by_test_id("days-left")).to_have_text(days_left(left))
    assert_fits(phone, WIDTH)
    shot(phone, "3-sent-on-phone")

    # Separation of duties: the one who applied has no check button, and the page refuses.
    check_url = reverse("applications:check", args=[application.pk])
    expect(phone.locator(f'a[href="{check_url}"]')).to_have_count(0)
    refused = phone.goto(check_url)
    assert refused.status == 403
    expect(phone.get_by_test_id("check-form")).to_have_count(0)
    shot(phone, "3b-check-refused-to-the-director")
    application.refresh_from_db()
    assert application.state == State.APPLIED

    # -- the township's staff, at the desk: the list → the application → the documents ----
    waited(application, CHECK_TOOK)
    desk = login(new_page(DESKTOP), "township_staff")
    desk.locator(f'nav.main a[href="{reverse("applications:list")}"]').click()
    row = desk.get_by_test_id(f"application-{application.pk}")
    expect(row).to_contain_text(orphan.name)
    expect(row).to_contain_text(ORPHAN_ALLOWANCE)
    expect(row.get_by_test_id("days-left")).to_have_text(
        days_left(TIME_LIMITS[State.APPLIED] - CHECK_TOOK)
    )
    shot(desk, "4-township-list")
    row.locator("a").click()
    expect(desk).to_have_url(re.compile(rf"{detail_url}$"))
    links = desk.get_by_test_id("documents").locator("a")
    expect(links).to_have_count(2)
    for link, path, content_type in (
        (links.nth(0), pdf, "application/pdf"),
        (links.nth(1), photo, "image/jpeg"),
    ):
        response = desk.request.get(link.get_attribute("href"))
        assert response.status == 200
        assert response.headers["content-type"] == content_type
        body = response.body()
        if content_type == "application/pdf":
            assert body == path.read_bytes()  # a PDF is kept as sent
        else:
            assert body[:3] == b"\xff\xd8\xff"  # a photo is kept as JPEG (without metadata)
    # Each view of a document is audited, as the township's staff's.
    assert (
        AuditEntry.objects.filter(
            action="applications.document.read", actor_username="township_staff"
        ).count()
        == 2
    )
    # The photo, opened in the browser, shows.
    desk.goto(links.nth(1).get_attribute("href"))
    expect(desk.locator("img")).to_have_count(1)
    shot(desk, "5-township-views-photo")
    desk.go_back()

    desk.locator(f'[data-testid=actions] a[href="{check_url}"]').click()
    form = desk.get_by_test_id("check-form")
    expect(desk.get_by_test_id("documents").locator("a")).to_have_count(2)  # beside the form
    form.locator("#id_findings").fill(FINDINGS)
    form.locator("#id_cross_checked").fill(CROSS_CHECKED)
    form.locator("input[name=passed][value=yes]").check()
    shot(desk, "6-township-check")
    form.get_by_test_id("submit").click()
    expect(desk).to_have_url(re.compile(rf"{detail_url}$"))
    expect(desk.get_by_test_id("state")).to_have_text(zh("awaiting the county's decision"))
    decide_url = reverse("applications:decide", args=[application.pk])
    expect(desk.locator(f'a[href="{decide_url}"]')).to_have_count(0)  # the county's step

    # -- the county's officer approves with an amount ------------------------------------
    waited(application, DECISION_TOOK)
    county = login(new_page(DESKTOP), "county_officer")
    county.goto(detail_url)
    expect(county.get_by_test_id("days-left")).to_have_text(
        days_left(TIME_LIMITS[State.CHECKED] - DECISION_TOOK)
    )
    county.locator(f'[data-testid=actions] a[href="{decide_url}"]').click()
    form = county.get_by_test_id("decide-form")
    expect(county.get_by_test_id("application-summary")).to_contain_text(FINDINGS)
    form.locator("input[name=approved][value=yes]").check()
    form.locator("#id_amount").fill(AMOUNT)
    shot(county, "7-county-decides")
    form.get_by_test_id("submit").click()
    expect(county).to_have_url(re.compile(rf"{detail_url}$"))
    next_month = f"{first_of_next_month(today):%Y-%m}"
    expect(county.get_by_test_id("state")).to_have_text(zh("measure in effect"))
    expect(county.get_by_test_id("measure")).to_contain_text(next_month)

    # The timeline: each step, with the working days the township and the county took.
    timeline = county.get_by_test_id("timeline")
    expect(timeline.locator("li")).to_have_count(5)  # opened, two documents, check, decision
    expect(timeline.get_by_test_id("step-check")).to_contain_text(working_days(CHECK_TOOK))
    expect(timeline.get_by_test_id("step-decide")).to_contain_text(working_days(DECISION_TOOK))
    shot(county, "8-county-timeline")

    # The child's page: the allowance in effect from the first of next month.
    measure = ReliefMeasure.objects.get(child=orphan)
    assert measure.start_month == first_of_next_month(today) and measure.amount == 1200
    open_child_page(county, orphan, expect)
    row = county.get_by_test_id("relief-section").get_by_test_id(f"measure-{measure.pk}")
    expect(row).to_contain_text(ORPHAN_ALLOWANCE)
    expect(row).to_contain_text(zh("from %(month)s") % {"month": next_month})
    shot(county, "9-child-page-measure")

    # And on the director's phone too, with the application a tap away: its timeline.
    open_child_page(phone, orphan, expect)
    phone_row = phone.get_by_test_id("relief-section").get_by_test_id(f"measure-{measure.pk}")
    expect(phone_row).to_contain_text(zh("from %(month)s") % {"month": next_month})
    listed = phone.get_by_test_id(f"child-application-{application.pk}")
    expect(listed).to_contain_text(zh("measure in effect"))
    assert_fits(phone, WIDTH)
    shot(phone, "10-child-page-on-phone")
    listed.locator("a").click()
    expect(phone).to_have_url(re.compile(rf"{detail_url}$"))
    expect(phone.get_by_test_id("step-check")).to_contain_text(working_days(CHECK_TOOK))
    expect(phone.get_by_test_id("step-decide")).to_contain_text(working_days(DECISION_TOOK))
    expect(phone.get_by_test_id("measure")).to_contain_text(next_month)
    assert_fits(phone, WIDTH)
    shot(phone, "11-timeline-on-phone")
