"""Shouhu on a weak network: the director's phone at 250 kbit/s down, 50 up, 800 ms latency.

Run with `make bench-weaknet` (or `.venv/bin/python bench/weaknet.py [--runs N] [--strict]`).
Issue 15, point 7. It seeds the demo county on a temporary SQLite database, collects the
static files, starts gunicorn (production settings, DEBUG off, WhiteNoise) and drives
Debian's Chromium with Playwright, its network slowed by the DevTools protocol
(Network.emulateNetworkConditions). For the demo village director it measures:

  a. the worklist cold (a fresh browser: empty cache, no service worker, signed in): the
     time to its content on the screen and to the `load` event;
  b. the worklist from the cache (the service worker installed and its caches warm): same;
  c. a visit saved through the outbox form while online: the time from the press on save to
     the record being on the phone (IndexedDB), to the next page on the screen (what the
     director sees), and to the visit being in the server's database;
  d. the bytes the cold worklist brought (transfer size, and body sizes before and after
     compression) and its number of requests.

Each figure is the median of --runs runs (3), marked PASS or OVER against its budget. The
exit status is 0 unless --strict and a budget is missed. See bench/README.md, "Weak network".
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import sqlite3
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import (  # noqa: E402
    free_port,
    heading,
    run_manage,
    start_gunicorn,
    stop,
    temporary_sqlite,
    text_table,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 360, "height": 740}
DIRECTOR = "director"
DEMO_PASSWORD = "shouhu-demo"  # demo.seed.DEMO_PASSWORD (not imported: no Django here)

# The network: kbit/s are 1000 bits, DevTools takes bytes per second.
DOWN_KBIT, UP_KBIT, LATENCY_MS = 250, 50, 800
NETWORK = {
    "offline": False,
    "latency": LATENCY_MS,
    "downloadThroughput": DOWN_KBIT * 1000 / 8,
    "uploadThroughput": UP_KBIT * 1000 / 8,
}

# Budgets in seconds (issue 15, point 7). "At once" is read as half a second.
COLD_S, CACHED_S, AT_ONCE_S, SERVER_S = 3.0, 1.0, 0.5, 5.0
WORKLIST = "/care/worklist/"
CONTENT = "[data-testid=worklist-counts]"

# Installed in every page before its own scripts: the moments (ms since the epoch, one clock
# with this process) when the worklist's content was first painted, when a form was
# submitted and when the outbox wrote to IndexedDB, kept in sessionStorage across pages.
PROBE = f"""
(() => {{
  const note = (key) => sessionStorage.setItem(key, String(Date.now()));
  const start = performance.timeOrigin;
  const painted = () => requestAnimationFrame(() => {{
    window.__contentAt = start + performance.now();
    note("bench-content");
  }});
  const watch = () => {{
    if (document.querySelector({CONTENT!r})) return painted();
    const observer = new MutationObserver(() => {{
      if (document.querySelector({CONTENT!r})) {{ observer.disconnect(); painted(); }}
    }});
    observer.observe(document, {{ childList: true, subtree: true }});
  }};
  watch();
  // The outbox's "saved on the phone" beside the button: what the director sees at once.
  new MutationObserver((changes, observer) => {{
    if (!document.querySelector("[data-outbox-kept]")) return;
    note("bench-kept");
    observer.disconnect();
  }}).observe(document, {{ childList: true, subtree: true }});
  document.addEventListener("submit", () => note("bench-submit"), true);
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (...args) {{
    if (this.name !== "meta" && !sessionStorage.getItem("bench-stored")) note("bench-stored");
    return put.apply(this, args);
  }};
}})();
"""

# The page's own resource list: bytes on the wire (headers included), bodies as sent and
# as used, and the number of requests.
BYTES = """() => {
  const entries = [...performance.getEntriesByType("navigation"),
                   ...performance.getEntriesByType("resource")];
  const sum = (key) => entries.reduce((total, e) => total + (e[key] || 0), 0);
  return { requests: entries.length, transfer: sum("transferSize"),
           encoded: sum("encodedBodySize"), decoded: sum("decodedBodySize"),
           html: entries[0] ? entries[0].encodedBodySize : 0,
           htmlDecoded: entries[0] ? entries[0].decodedBodySize : 0 };
}"""

# Each of them, for the table of what the bytes are.
RESOURCES = """() => [...performance.getEntriesByType("navigation"),
                      ...performance.getEntriesByType("resource")].map((e) => ({
  name: new URL(e.name).pathname, sent: e.encodedBodySize, used: e.decodedBodySize,
  start: e.startTime, end: e.responseEnd }))"""

LOAD_TIMES = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  return { load: nav.loadEventStart, content: window.__contentAt ?
           window.__contentAt - performance.timeOrigin : null };
}"""


@dataclass
class Figures:
    """The samples of one run of every measurement, in seconds (and bytes)."""

    samples: dict[str, list[float]] = field(default_factory=dict)
    resources: list[dict] = field(default_factory=list)  # the first cold worklist's

    def add(self, key: str, value: float | None) -> None:
        if value is not None:
            self.samples.setdefault(key, []).append(value)

    def median(self, key: str) -> float | None:
        values = self.samples.get(key)
        return statistics.median(values) if values else None


def parse_args(argv=None):
    """The command line: --runs, --strict, --scale, --keep, --port."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs; figures are medians (3)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a budget is missed")
    parser.add_argument(
        "--scale",
        choices=["small", "county"],
        default="county",
        help="demo size (county: 25,000 children, the director's village as in the field)",
    )
    parser.add_argument(
        "--throttle",
        choices=["proxy", "cdp"],
        default="proxy",
        help="proxy (default): a slow TCP proxy in front of gunicorn slows every request; "
        "cdp: DevTools' Network.emulateNetworkConditions on the page, which does not slow "
        "the service worker's own fetches (so b and c come out too fast)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: free)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def prepare(tmpdir: Path, env: dict, scale: str) -> dict:
    """Migrate, collect the static files (into tmpdir, not var/static) and seed the demo;
    the environment gunicorn then runs in."""
    env = dict(env)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE / "load"), env.get("PYTHONPATH", "")])
    env["DJANGO_SETTINGS_MODULE"] = "load_settings"  # shouhu.settings, STATIC_ROOT moved
    env["SHOUHU_LOAD_STATIC_ROOT"] = str(tmpdir / "static")
    env.setdefault("SHOUHU_DEMO", "1")
    for step in (
        ("migrate", "--noinput", "--verbosity", "0"),
        ("createcachetable", "--verbosity", "0"),
        ("collectstatic", "--noinput", "--verbosity", "0"),
        ("seed_demo", "--scale", scale),
    ):
        seconds, _ = run_manage(env, *step)
        print(f"  manage.py {step[0]}: {seconds:.0f} s")
    return env


class SlowLink:
    """One direction of the phone's link: a byte rate shared by every connection, and a
    one-way delay (half the round trip)."""

    def __init__(self, bytes_per_s: float, delay_s: float):
        self.rate, self.delay, self.free_at = bytes_per_s, delay_s, 0.0

    def due(self, size: int, now: float) -> float:
        """When a chunk of `size` bytes read now arrives at the other end."""
        self.free_at = max(now, self.free_at) + size / self.rate
        return self.free_at + self.delay


async def _pump(reader, writer, link: SlowLink) -> None:
    """Copy one direction of a connection through `link`, in order, each chunk on time."""
    import asyncio

    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()

    async def deliver():
        while (item := await queue.get()) is not None:
            due, chunk = item
            await asyncio.sleep(max(0.0, due - loop.time()))
            writer.write(chunk)
            await writer.drain()
        writer.close()

    sender = asyncio.ensure_future(deliver())
    try:
        while chunk := await reader.read(4096):
            queue.put_nowait((link.due(len(chunk), loop.time()), chunk))
    except ConnectionError:
        pass
    finally:
        queue.put_nowait(None)
        with contextlib.suppress(ConnectionError):
            await sender


def start_slow_proxy(target_port: int) -> int:
    """A TCP proxy to 127.0.0.1:`target_port` with the issue's network, in a thread: every
    request of the browser (the page's and the service worker's) goes through it. Its port."""
    import asyncio
    import threading

    port = free_port()
    ready = threading.Event()
    down = SlowLink(NETWORK["downloadThroughput"], LATENCY_MS / 2000)
    up = SlowLink(NETWORK["uploadThroughput"], LATENCY_MS / 2000)

    async def handle(client_reader, client_writer):
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target_port)
        await asyncio.gather(
            _pump(client_reader, server_writer, up), _pump(server_reader, client_writer, down)
        )

    async def serve():
        server = await asyncio.start_server(handle, "127.0.0.1", port)
        ready.set()
        async with server:
            await server.serve_forever()

    threading.Thread(target=lambda: asyncio.run(serve()), daemon=True).start()
    ready.wait(10)
    return port


def sign_in(browser, base: str) -> dict:
    """Sign the director in on a fast network; the session (cookies) for the measured pages."""
    context = browser.new_context(base_url=base)
    page = context.new_page()
    page.goto("/accounts/login/")
    form = page.locator("main form")
    form.locator("input[name=username]").fill(DIRECTOR)
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    if "/accounts/login/" in page.url:
        raise SystemExit(f"the demo director could not sign in ({page.url})")
    state = context.storage_state()
    context.close()
    return state


def slow_page(browser, base: str, state: dict, cdp: bool):
    """A phone-sized page in a fresh context (empty cache), signed in, on the weak network:
    `base` is the slow proxy's, or with `cdp` the server's, slowed by DevTools."""
    context = browser.new_context(
        base_url=base, viewport=PHONE, storage_state=state, service_workers="allow"
    )
    context.set_default_timeout(120_000)
    context.add_init_script(PROBE)
    page = context.new_page()
    if cdp:
        session = context.new_cdp_session(page)
        session.send("Network.enable")
        session.send("Network.emulateNetworkConditions", NETWORK)
    return context, page


def open_worklist(page) -> tuple[float, float]:
    """Open the worklist and wait for `load`: seconds to its content and to `load`."""
    page.goto(WORKLIST, wait_until="load")
    page.wait_for_selector(CONTENT, state="visible")
    page.wait_for_function("window.__contentAt !== undefined")
    times = page.evaluate(LOAD_TIMES)
    return times["content"] / 1000, times["load"] / 1000


def visit_count(db_path: Path) -> int:
    """Visits in the server's database (read-only, beside gunicorn: SQLite in WAL mode)."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT COUNT(*) FROM care_visit").fetchone()[0]


def save_visit(page, db_path: Path) -> dict:
    """Open a child's visit form from the worklist, save it, and time what follows."""
    link = page.locator("main a[data-testid^=visit-]").first
    with page.expect_navigation():
        link.click()
    form = page.locator("form[data-outbox]")
    form.wait_for(state="visible")
    problems = form.locator("#id_problems")
    if problems.count():
        problems.fill("弱网测试：父亲半年没有来电话")
    page.evaluate("() => sessionStorage.clear()")
    before = visit_count(db_path)
    form.get_by_test_id("save").click()
    on_server = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if visit_count(db_path) > before:
            on_server = time.time() * 1000
            break
        time.sleep(0.02)
    page.wait_for_url(f"**{WORKLIST}", wait_until="load")
    page.wait_for_selector(CONTENT, state="visible")
    page.wait_for_function("sessionStorage.getItem('bench-content') !== null")
    marks = page.evaluate(
        "() => Object.fromEntries(['bench-submit', 'bench-stored', 'bench-kept', 'bench-content']"
        ".map((k) => [k, Number(sessionStorage.getItem(k)) || null]))"
    )
    submit = marks["bench-submit"]

    def since(moment):
        return None if moment is None or submit is None else (moment - submit) / 1000

    return {
        "stored": since(marks["bench-stored"]),
        "kept": since(marks["bench-kept"]),
        "shown": since(marks["bench-content"]),
        "server": since(on_server),
    }


def one_run(browser, base: str, state: dict, db_path: Path, figures: Figures, cdp: bool):
    """a, b, c and d once, in a fresh browser context."""
    context, page = slow_page(browser, base, state, cdp)
    try:
        content, load = open_worklist(page)
        figures.add("cold content", content)
        figures.add("cold load", load)
        sizes = page.evaluate(BYTES)
        for key, value in sizes.items():
            figures.add(f"bytes {key}", value)
        if not figures.resources:
            figures.resources = page.evaluate(RESOURCES)
        # The service worker installs and keeps the director's pages (data-offline-ready).
        page.wait_for_selector("html[data-offline-ready]", state="attached", timeout=600_000)
        content, load = open_worklist(page)
        figures.add("cached content", content)
        figures.add("cached load", load)
        for key, value in save_visit(page, db_path).items():
            figures.add(f"visit {key}", value)
    finally:
        context.close()


def report(figures: Figures, runs: int) -> bool:
    """Print the table; whether every budget is kept."""

    def seconds(key):
        value = figures.median(key)
        return "-" if value is None else f"{value:.2f} s"

    lines = [
        ("a. worklist cold: content on the screen", "cold content", COLD_S),
        ("a. worklist cold: load event", "cold load", COLD_S),
        ("b. worklist from the cache: content on the screen", "cached content", CACHED_S),
        ("b. worklist from the cache: load event", "cached load", CACHED_S),
        ("c. visit: on the phone (outbox, IndexedDB)", "visit stored", AT_ONCE_S),
        ("c. visit: 'saved on the phone' on the screen", "visit kept", AT_ONCE_S),
        # What follows the acknowledgement (the worklist, from the phone): no budget.
        ("c. visit: next page on the screen", "visit shown", None),
        ("c. visit: on the server", "visit server", SERVER_S),
    ]
    cells, kept = [], True
    for label, key, budget in lines:
        value = figures.median(key)
        if budget is None:
            cells.append([label, seconds(key), "-", "-"])
            continue
        verdict = "-" if value is None else ("PASS" if value <= budget else "OVER")
        kept = kept and verdict == "PASS"
        cells.append([label, seconds(key), f"{budget:g} s", verdict])
    print(f"\nMedians of {runs} run(s):\n")
    text_table(["measure", "median", "budget", "verdict"], cells, numeric={1, 2})

    def kib(key):
        value = figures.median(key)
        return "-" if value is None else f"{value / 1024:.1f} KiB"

    print("\nd. What the cold worklist brought (median):\n")
    text_table(
        ["", "value"],
        [
            ["requests", f"{figures.median('bytes requests') or 0:.0f}"],
            ["on the wire (headers included)", kib("bytes transfer")],
            ["bodies as sent (compressed)", kib("bytes encoded")],
            ["bodies uncompressed", kib("bytes decoded")],
            ["the worklist's HTML as sent", kib("bytes html")],
            ["the worklist's HTML uncompressed", kib("bytes htmlDecoded")],
        ],
        numeric={1},
    )
    print("\nThe cold worklist's requests (first run; times in s from the start):\n")
    text_table(
        ["address", "sent", "uncompressed", "start", "end"],
        [
            [
                r["name"],
                f"{r['sent'] / 1024:.1f} KiB",
                f"{r['used'] / 1024:.1f} KiB",
                f"{r['start'] / 1000:.2f}",
                f"{r['end'] / 1000:.2f}",
            ]
            for r in figures.resources
        ],
        numeric={1, 2, 3, 4},
    )
    return kept


def main(argv=None) -> int:
    """Prepare the server, run the measurements --runs times, print the figures."""
    args = parse_args(argv)
    from playwright.sync_api import sync_playwright

    heading(
        "Shouhu on a weak network (issue 15, point 7)",
        f"Python {platform.python_version()}, {args.scale} demo, Chromium at {DOWN_KBIT} "
        f"kbit/s down, {UP_KBIT} up, {LATENCY_MS} ms latency ({args.throttle}), {args.runs} run(s)",
    )
    server = None
    with temporary_sqlite("shouhu-weaknet-", keep=args.keep) as (tmpdir, db_path, env):
        env = prepare(tmpdir, env, args.scale)
        port = args.port or free_port()
        try:
            server, _ = start_gunicorn(env, port, workers=2, threads=4, log=tmpdir / "gunicorn.log")
            fast = f"http://127.0.0.1:{port}"
            cdp = args.throttle == "cdp"
            base = fast if cdp else f"http://127.0.0.1:{start_slow_proxy(port)}"
            figures = Figures()
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                state = sign_in(browser, fast)  # cookies hold for every port of the host
                for run in range(args.runs):
                    print(f"  run {run + 1} of {args.runs} …", flush=True)
                    one_run(browser, base, state, db_path, figures, cdp)
                browser.close()
        finally:
            stop(server)
        kept = report(figures, args.runs)
    if args.strict and not kept:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
