"""Fixtures of the browser tests: Playwright (sync API) driving Debian's Chromium.

The browser is never downloaded: the tests use /usr/bin/chromium. When it is missing the
tests are skipped, except under CI=true, where a missing browser is a failure.

The data come from the personas of tests.personas (root conftest); the pages are served by
pytest-django's `live_server`, which gives every test `transactional_db` semantics so the
server thread sees the rows the fixtures create.
"""

import contextlib
import datetime as dt
import os
import re
from pathlib import Path

import pytest

from core import idnumber

# Playwright's sync API runs an asyncio event loop in this thread; Django would otherwise
# refuse ORM calls from the fixtures and tests ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
PASSWORD = "pw-test-123"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, the live server and the test share a database file, as in production (WAL,
    a writer waits for the lock), not Django's in-memory test database: its shared cache
    locks whole tables and refuses at once ("database table is locked") where a real
    server would wait, which a phone's concurrent sends (tests/browser/test_outbox_faults.py)
    run into. Only the browser tests (run on their own: `make test-browser`) use it."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        name = tmp_path_factory.mktemp("browser-db") / "shouhu-test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(name)


PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

# Overflow diagnosis: the elements sticking out to the right of the viewport (those inside a
# scrolling box, such as the nav bar's links, do not widen the page and are left out).
_OVERFLOWING = """(limit) => {
  const out = [];
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > limit && !clipped(el)) {
      const cls = typeof el.className === 'string' && el.className.trim()
        ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
      out.push(`${el.tagName.toLowerCase()}${cls} right=${Math.round(r.right)}`);
    }
  }
  return out.slice(0, 10);
}"""


def _missing_browser(reason):
    """Skip, or fail under CI=true: CI must never skip the browser tests silently."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the browser tests must run, not be skipped)")
    pytest.skip(reason)


def require_chromium():
    """The Playwright module, once we know the browser can be driven."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _missing_browser(f"{CHROMIUM} is missing (apt-get install chromium fonts-wqy-microhei)")
    try:
        from playwright import sync_api
    except ImportError:
        _missing_browser("playwright is not installed (pip install -e '.[browser]')")
    return sync_api


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole session."""
    sync_api = require_chromium()
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so a failing test leaves a screenshot."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _test_name(request):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")


@pytest.fixture
def shot(request):
    """shot(page, step): a full-page screenshot at test-artifacts/screenshots/<test>-<step>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, step):
        path = SCREENSHOTS / f"{_test_name(request)}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def new_page(request, browser, live_server, shot):
    """new_page(viewport): a page in a fresh context (its own cookies) on the live server.

    Any Content Security Policy refusal on any of its pages fails the test (issue 13).

    The context sends an English Accept-Language (locale en-US) on purpose: the interface
    must be Chinese anyway unless the user picks English with the switch.
    """
    contexts = []
    pages = []

    def make(viewport):
        context = browser.new_context(viewport=viewport, locale="en-US", base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: _note_refusal(refused, page, message))
        pages.append(page)
        return page

    refused = []
    yield make

    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        for i, page in enumerate(pages):
            # A screenshot that cannot be taken must not hide the real failure.
            with contextlib.suppress(Exception):
                shot(page, f"failure{i or ''}")
    for context in contexts:
        context.close()
    if refused:
        pytest.fail("The Content Security Policy refused:\n" + "\n".join(refused))


def _note_refusal(refused, page, message):
    """Chromium reports what the Content Security Policy blocks as a console message:
    "Refused to execute inline script …" or, in newer versions, "Applying inline style
    violates the following Content Security Policy directive …"."""
    if "Refused to" in message.text or "Content Security Policy" in message.text:
        refused.append(f"{page.url}: {message.text}")


@pytest.fixture
def phone_page(new_page):
    """A 360 x 740 page, the width of an inexpensive phone."""
    return new_page(PHONE)


@pytest.fixture
def desktop_page(new_page):
    """A 1280 x 800 page, the county office's desktop."""
    return new_page(DESKTOP)


@pytest.fixture
def expect(browser):
    """Playwright's `expect`, handed out by a fixture so that no module imports Playwright.

    `make test` collects tests/browser (and deselects it by marker) in a virtualenv without
    the browser extra; a module-level `from playwright...` would break that collection.
    """
    from playwright.sync_api import expect

    return expect


def one_time_code(user) -> str:
    """The code an authenticator app with the demo secret shows now for `user`, or the next
    one when this one was already used (a second login within the same 30 seconds)."""
    import time

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from people.twofactor import DEMO_TOTP_KEY

    device = TOTPDevice.objects.get(user=user, confirmed=True)
    key = bytes.fromhex(DEMO_TOTP_KEY)
    while True:
        now = TOTP(key).t()
        step = max(now, device.last_t + 1)
        if step <= now + 1:  # the server accepts one step ahead (clock drift)
            return f"{TOTP(key, drift=step - now).token():06d}"
        time.sleep(1)


def password_step(page, username, password=PASSWORD):
    """The first step of a login: the username and password through the login form."""
    page.goto("/accounts/login/")
    form = page.locator("main form")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


@pytest.fixture
def login(expect):
    """login(page, username): sign in through the real login form, and through the code
    page for the accounts with two-factor login (enrolled with the demo's secret first)."""
    from core.two_factor import has_device
    from people.models import User
    from people.twofactor import enrol_demo_accounts

    def sign_in(page, username, password=PASSWORD):
        user = User.objects.get(username=username)
        if user.requires_two_factor and not has_device(user):
            enrol_demo_accounts([user])
        password_step(page, username, password)
        if "/accounts/two-factor/code/" in page.url:
            form = page.locator("main form")
            form.locator("input[name=otp_token]").fill(one_time_code(user))
            with page.expect_navigation():
                form.locator("button[type=submit]").click()
        expect(page.get_by_test_id("logout")).to_be_visible()
        return page

    return sign_in


def assert_fits(page, width):
    """The page does not scroll sideways at `width` px (one pixel of rounding allowed)."""
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width + 1:
        culprits = page.evaluate(_OVERFLOWING, width + 1)
        pytest.fail(
            f"{page.url} overflows horizontally at {width}px: scrollWidth={scroll_width}; "
            f"sticking out: {culprits}"
        )


@pytest.fixture
def fits():
    """fits(page, width): assert the page has no horizontal overflow."""
    return assert_fits


@pytest.fixture
def fitted_shot(shot):
    """fitted_shot(page, width, step): assert the page has no horizontal overflow at `width`,
    then take its screenshot (shot)."""

    def take(page, width, step):
        assert_fits(page, width)
        return shot(page, step)

    return take


# The child the new-child form is filled with: born on this day, with a boy's ID number.
CHILD_BORN = dt.date(2016, 5, 1)
CHILD_ID_NUMBER = idnumber.make("341623", CHILD_BORN, 123)


def fill_child(form, sex="M"):
    """Fill the new-child form's child: a name, `sex`, the birth date and ID number."""
    form.locator("#id_name").fill("王小虎")
    form.locator("#id_sex").select_option(sex)
    form.locator("#id_birth_date").fill(CHILD_BORN.isoformat())
    form.locator("#id_id_number").fill(CHILD_ID_NUMBER)


@pytest.fixture
def save_form(expect):
    """save_form(page, form, landing): press the form's save button and land on the page
    whose address matches `landing` (a regular expression)."""

    def save(page, form, landing):
        form.get_by_test_id("save").click()
        expect(page).to_have_url(re.compile(landing))

    return save
