"""The interface language: Chinese for everyone, English only when the user picks it."""

import re

import pytest

pytestmark = pytest.mark.browser


def nav_link(page, name):
    return page.locator("nav.main").get_by_role("link", name=name, exact=True)


def open_more(page):
    """Open the director's "more" (their short menu's other entries) if it is closed."""
    more = page.get_by_test_id("menu-more")
    if more.get_attribute("open") is None:
        more.locator("summary").click()


def test_interface_is_chinese_despite_an_english_browser_and_the_switch_toggles_english(
    phone_page, login, shot, world, director, expect
):
    page = phone_page
    login(page, "director")

    # Proof that the browser asks for English: its Accept-Language header.
    response = page.reload()
    assert response.request.all_headers()["accept-language"].startswith("en-US")

    # Chinese by default.
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_test_id("lang-switch")).to_have_text("English")
    expect(nav_link(page, "待办")).to_be_visible()
    expect(page.get_by_test_id("menu-more").locator("summary")).to_have_text("更多")
    open_more(page)
    expect(nav_link(page, "辖区")).to_be_visible()
    expect(nav_link(page, "儿童之家")).to_be_visible()
    expect(page.get_by_test_id("logout")).to_have_text("退出登录")
    shot(page, "1-chinese")

    # Switch to English.
    with page.expect_navigation():
        page.get_by_test_id("lang-switch").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(nav_link(page, "Worklist")).to_be_visible()
    expect(page.get_by_test_id("logout")).to_have_text("Log out")
    expect(page.get_by_test_id("lang-switch")).to_have_text("中文")
    shot(page, "2-english")

    # The choice sticks while browsing; switching back returns to the same page.
    open_more(page)
    nav_link(page, "Children's homes").click()
    expect(page).to_have_url(re.compile(r"/homes/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    with page.expect_navigation():
        page.get_by_test_id("lang-switch").click()
    expect(page).to_have_url(re.compile(r"/homes/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(nav_link(page, "待办")).to_be_visible()
    open_more(page)
    expect(nav_link(page, "儿童之家")).to_be_visible()
    expect(page.get_by_test_id("logout")).to_have_text("退出登录")
    expect(page.get_by_test_id("lang-switch")).to_have_text("English")
    shot(page, "3-chinese-again")
