"""A quarter's round in the browser: the county opens it, the director walks the roster on a
phone and submits, the township returns it with a comment, the director resubmits, the
township approves; then the village file's PDF is downloaded, read and looked at."""

import re

import pytest

from rounds.models import ReturnState, VillageReturn, VillageSnapshot
from tests.personas import make_child

pytestmark = pytest.mark.browser


def test_a_round_from_opening_to_approval_and_the_village_file(
    new_page,
    login,
    shot,
    fits,
    world,
    county_officer,
    township_officer,
    director,
    expect,
    save_form,
):
    from .conftest import DESKTOP, PHONE, SCREENSHOTS

    make_child(world["a1"], "王小明")
    make_child(world["a1"], "王小红")

    # The county officer opens the round of the current quarter.
    county = login(new_page(DESKTOP), "county_officer")
    county.goto("/rounds/")
    county.get_by_test_id("open-round").click()
    county.locator("button[type=submit].primary").click()
    expect(county.get_by_test_id("round-townships")).to_contain_text("城关镇")
    shot(county, "1-round-opened")

    # The director walks the roster on a phone: one child at a time, then submits.
    phone = login(new_page(PHONE), "director")
    phone.goto("/rounds/")
    phone.get_by_test_id("own-return").get_by_role("link").click()
    expect(phone.get_by_test_id("progress-figure")).to_have_text("0 / 2")
    expect(phone.get_by_test_id("submit-return")).to_be_disabled()
    fits(phone, PHONE["width"])
    shot(phone, "2-walk-start")
    for expected in ("1 / 2", "2 / 2"):
        phone.get_by_test_id("confirm").first.click()
        expect(phone.get_by_test_id("progress-figure")).to_have_text(expected)
    fits(phone, PHONE["width"])
    shot(phone, "3-walk-done")
    phone.get_by_test_id("submit-return").click()
    expect(phone.get_by_test_id("state").first).to_have_text("已提交")

    # The township returns it with a comment; the comment is required.
    township = login(new_page(DESKTOP), "township_officer")
    township.goto("/rounds/")
    township.get_by_role("link", name=re.compile(r"\d{4}年第\d季度|Q\d \d{4}")).first.click()
    township.get_by_test_id(f"review-{world['a1'].code}").click()
    expect(township.get_by_test_id("diff-new")).to_contain_text("王小明")
    form = township.get_by_test_id("review-form")
    form.locator("input[value=return]").check()
    form.get_by_test_id("decide").click()
    expect(township.get_by_test_id("error-comment")).to_be_visible()
    form = township.get_by_test_id("review-form")
    form.locator("input[value=return]").check()
    form.locator("textarea[name=comment]").fill("请核对王小红的就学情况")
    shot(township, "4-review")
    form.get_by_test_id("decide").click()
    expect(township.get_by_test_id(f"return-{world['a1'].code}")).to_contain_text("退回")

    # The director sees the comment, fixes the record and resubmits.
    phone.reload()
    expect(phone.get_by_test_id("review-comment")).to_contain_text("请核对王小红的就学情况")
    phone.get_by_test_id("walk-row").filter(has_text="王小红").get_by_test_id(
        "record-changes"
    ).click()
    phone.locator("#id_school").fill("王庄小学")
    save_form(phone, phone, r"/rounds/returns/\d+/")
    phone.get_by_test_id("submit-return").click()
    expect(phone.get_by_test_id("state").first).to_have_text("已提交")
    shot(phone, "5-resubmitted")

    # The township approves; the village's quarter is frozen.
    township.reload()
    township.get_by_test_id(f"review-{world['a1'].code}").click()
    expect(township.get_by_test_id("diff-new")).to_contain_text("王小红")
    form = township.get_by_test_id("review-form")
    form.locator("input[value=approve]").check()
    form.get_by_test_id("decide").click()
    expect(township.get_by_test_id(f"return-{world['a1'].code}")).to_contain_text("通过")
    shot(township, "6-approved")
    ret = VillageReturn.objects.get(area=world["a1"])
    assert ret.state == ReturnState.APPROVED
    assert VillageSnapshot.objects.get(area=world["a1"]).figures["total"] == 2

    # The village file as PDF: Chinese text inside, and the first page looked at.
    township.goto(f"/files/{world['a1'].code}/")
    with township.expect_download() as download_info:
        township.get_by_test_id("download-pdf").click()
    pdf_path = SCREENSHOTS / "village-file.pdf"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    download_info.value.save_as(pdf_path)
    import pypdf
    import pypdfium2

    text = "".join(page.extract_text() for page in pypdf.PdfReader(pdf_path).pages)
    assert world["a1"].name in text and "王小明" in text
    document = pypdfium2.PdfDocument(str(pdf_path))
    document[0].render(scale=1.5).to_pil().save(SCREENSHOTS / "village-file-pdf-page1.png")
