"""Two-factor login in the browser: a county officer sets it up on a phone (QR code, secret,
confirmation, recovery codes) and logs in again with a code; a recovery code works once."""

import base64

import pytest
from django_otp.oath import TOTP

from .conftest import password_step

pytestmark = pytest.mark.browser

PHONE_WIDTH = 360


def code_for(secret: str, ahead: int = 0) -> str:
    """The code an authenticator app shows for the secret typed from the page."""
    text = secret.replace(" ", "")
    key = base64.b32decode(text + "=" * (-len(text) % 8))
    return f"{TOTP(key, drift=ahead).token():06d}"


def log_in_again(page, expect, code: str, shot=None):
    """Log out, then in again as the county officer: the password, then `code` at the code
    step (`shot` takes its picture)."""
    with page.expect_navigation():
        page.get_by_test_id("logout").click()
    password_step(page, "county_officer")
    expect(page.locator("input[name=otp_token]")).to_be_visible()
    if shot is not None:
        shot()
    page.locator("input[name=otp_token]").fill(code)
    with page.expect_navigation():
        page.get_by_test_id("verify").click()
    expect(page.get_by_test_id("logout")).to_be_visible()


def test_a_county_officer_sets_up_two_factor_login_and_logs_in_with_a_code(
    phone_page, county_officer, expect, shot, fitted_shot
):
    page = phone_page
    password_step(page, "county_officer")
    expect(page.get_by_test_id("qr").locator("svg")).to_be_visible()
    fitted_shot(page, PHONE_WIDTH, "1-set-up")
    secret = page.get_by_test_id("secret").inner_text()

    page.locator("input[name=otp_token]").fill(code_for(secret))
    with page.expect_navigation():
        page.get_by_test_id("confirm").click()
    codes = page.get_by_test_id("recovery-codes").locator("li")
    expect(codes).to_have_count(10)
    fitted_shot(page, PHONE_WIDTH, "2-recovery-codes")
    recovery = codes.first.inner_text()
    with page.expect_navigation():
        page.get_by_test_id("continue").click()
    expect(page.get_by_test_id("logout")).to_be_visible()

    # Next login: password, then the next code of the app (this one was used).
    log_in_again(page, expect, code_for(secret, ahead=1), shot=lambda: shot(page, "3-code"))

    # Without the phone: a recovery code, once.
    log_in_again(page, expect, recovery)
    shot(page, "4-in-with-a-recovery-code")
