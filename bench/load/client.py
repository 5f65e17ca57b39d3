"""The load test's client: a small HTTP/1.1 client on asyncio streams, and its virtual users.

Why not locust or wrk: the server, PostgreSQL and the client share the same 2 CPUs, so every
millisecond of client CPU is taken from the server being measured. Locust (requests and
gevent) typically spends about a millisecond of CPU per request and would need installing;
wrk is light, but scripting a login, a CSRF token taken from a form and a POST in its Lua
hooks is awkward, and it reports no per-type figures. This client is the standard library only (no
new dependency), spends a fraction of a millisecond per request, and the run prints how much
CPU it used, so its share of the machine is known rather than guessed.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
ERRORLIST = re.compile(rb'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', re.S)
TAGS = re.compile(rb"<[^>]+>")
PASSWORD = "shouhu-demo"  # demo.seed.DEMO_PASSWORD
# The demo's public two-factor secret (people.twofactor.DEMO_TOTP_KEY, DEMO ONLY).
DEMO_TOTP_KEY = "73686f7568752d64656d6f2d6f6e6c792d6b6579"


class Unexpected(Exception):
    """A response that is not what a working page answers (wrong status, form error …)."""


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


class Session:
    """One browser: a cookie jar and one HTTP/1.1 connection, reopened when needed.

    gunicorn's gthread workers keep a connection open for --keep-alive seconds; its sync
    workers close it after each response. An idle connection is reopened before the server's
    keep-alive runs out, and a connection found closed before any byte of the answer arrived
    is retried once on a fresh connection (as browsers do).
    """

    def __init__(self, host: str, port: int, idle_limit_s: float):
        self.host, self.port, self.idle_limit_s = host, port, idle_limit_s
        self.cookies: dict[str, str] = {}
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.last_used = 0.0
        self.origin = f"http://{host}:{port}"

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def move(self, port: int) -> None:
        """Go on with the same cookies (the session) on the server at another port."""
        await self.close()
        self.port, self.origin = port, f"http://{self.host}:{port}"

    async def request(
        self, method: str, path: str, form: dict | None = None, headers: dict | None = None
    ) -> Response:
        body = urlencode(form, doseq=True).encode() if form is not None else b""
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "User-Agent: shouhu-bench-load",
            "Accept: text/html,application/xhtml+xml",
            "Accept-Language: zh-CN,zh;q=0.9",
        ]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if method == "POST":
            lines += [
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(body)}",
                f"Origin: {self.origin}",
                f"Referer: {self.origin}{path}",
            ]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        for attempt in (1, 2):
            fresh = self.writer is None or time.monotonic() - self.last_used > self.idle_limit_s
            if fresh:
                await self.close()
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            try:
                self.writer.write(raw)
                await self.writer.drain()
                status_line = await self.reader.readline()
            except (ConnectionError, OSError):
                status_line = b""
            if status_line:
                break
            await self.close()
            if fresh or attempt == 2:
                raise ConnectionError("the server closed the connection without answering")
        response = await self._read_rest(status_line)
        self.last_used = time.monotonic()
        return response

    async def _read_rest(self, status_line: bytes) -> Response:
        status = int(status_line.split(b" ", 2)[1])
        headers: dict[str, str] = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                self._store_cookie(value)
            headers[name] = value
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    while (await self.reader.readline()) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            body = b"".join(chunks)
        elif "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        else:
            body = await self.reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return Response(status, headers, body)

    def _store_cookie(self, value: str) -> None:
        pair, *attributes = value.split(";")
        name, _, cookie = pair.strip().partition("=")
        expired = any(
            a.strip().lower().startswith(("max-age=0", "expires=thu, 01 jan 1970"))
            for a in attributes
        )
        if expired or cookie in ("", '""'):
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = cookie


@dataclass
class Sample:
    kind: str
    ms: float
    error: str = ""


@dataclass
class Recorder:
    """Keeps the requests that complete inside the measured window [start, end]."""

    start: float = float("inf")
    end: float = float("inf")
    samples: list[Sample] = field(default_factory=list)

    def add(self, kind: str, began: float, error: str = "") -> None:
        done = time.perf_counter()
        if self.start <= done <= self.end:
            self.samples.append(Sample(kind, (done - began) * 1000, error))


def form_errors(body: bytes) -> str:
    found = b" / ".join(TAGS.sub(b"", m).strip() for m in ERRORLIST.findall(body))
    return found.decode("utf-8", "replace")[:200] or "the form came back (no error list found)"


class VirtualUser:
    """A signed-in person who reads pages and saves forms, thinking between them."""

    def __init__(self, session: Session, username: str, recorder: Recorder):
        self.session, self.username, self.recorder = session, username, recorder
        self.rng = random.Random(username)

    async def fetch(
        self,
        kind: str,
        method: str,
        path: str,
        form: dict | None = None,
        headers: dict | None = None,
        expect: int = 200,
        location: str | None = None,
    ) -> Response | None:
        """One timed request; a wrong status, form error or exception is an error."""
        began = time.perf_counter()
        try:
            response = await self.session.request(method, path, form, headers)
        except Exception as exc:  # noqa: BLE001  (a load test counts every failure)
            await self.session.close()
            self.recorder.add(kind, began, f"{type(exc).__name__}: {exc}"[:200])
            return None
        error = ""
        if response.status != expect:
            error = f"HTTP {response.status} (expected {expect})"
            if response.status in (301, 302, 303):
                error += f" to {response.headers.get('location', '?')}"
            elif response.status == 200 and method == "POST":
                error = f"form error: {form_errors(response.body)}"
        elif location and urlsplit(response.headers.get("location", "")).path != location:
            error = f"redirected to {response.headers.get('location')} (expected {location})"
        self.recorder.add(kind, began, error)
        return None if error else response

    async def login(self) -> None:
        """Sign in through the login form, as a browser does (CSRF cookie and token)."""
        page = await self.session.request("GET", "/accounts/login/")
        fields = {"username": self.username, "password": PASSWORD}
        await self.submit(page, "/accounts/login/", fields, "login")
        if "sessionid" not in self.session.cookies:
            raise Unexpected(f"{self.username}: login failed (no session)")
        await self.second_factor()

    async def second_factor(self) -> None:
        """The code step of two-factor login, for the roles that must use it (the demo's
        accounts have the demo secret; each virtual user logs in once, so no code repeats)."""
        from django_otp.oath import TOTP

        page = await self.session.request("GET", "/accounts/two-factor/code/")
        if page.status == 302:  # no second factor for this account
            return
        code = f"{TOTP(bytes.fromhex(DEMO_TOTP_KEY)).token():06d}"
        fields = {"otp_token": code, "next": "/"}
        await self.submit(page, "/accounts/two-factor/code/", fields, "code")

    async def submit(self, page, path: str, fields: dict, step: str) -> None:
        """Post a form of `page` (read with its CSRF token) to `path`; anything but the
        redirect of a form taken is Unexpected."""
        token = CSRF_INPUT.search(page.body)
        if page.status != 200 or token is None:
            raise Unexpected(f"{self.username}: {step} page answered {page.status}")
        answer = await self.session.request(
            "POST", path, {"csrfmiddlewaretoken": token.group(1).decode(), **fields}
        )
        if answer.status != 302:
            detail = form_errors(answer.body) if answer.status == 200 else answer.status
            raise Unexpected(f"{self.username}: {step} failed ({detail})")

    async def act(self, think) -> None:
        raise NotImplementedError


class Director(VirtualUser):
    """A village director: the worklist, their village's children, visit records."""

    # Shares of the director's actions (each is a page and what the browser loads with it).
    ACTIONS = (("worklist", 35), ("child", 45), ("visit", 20))

    def __init__(self, session, username, recorder, child_pks: list[int]):
        super().__init__(session, username, recorder)
        self.child_pks = child_pks

    async def act(self, think) -> None:
        names, weights = zip(*self.ACTIONS, strict=True)
        action = self.rng.choices(names, weights)[0]
        child = self.rng.choice(self.child_pks)
        hx = {"HX-Request": "true"}
        if action == "worklist":
            if await self.fetch("director worklist", "GET", "/care/worklist/"):
                # The worklist loads the rounds inbox with htmx as soon as it is shown.
                await self.fetch("  + rounds inbox (htmx)", "GET", "/rounds/inbox/", headers=hx)
        elif action == "child":
            if await self.fetch("child page", "GET", f"/children/{child}/"):
                # The child's page loads its relief section with htmx.
                path = f"/relief/children/{child}/"
                await self.fetch("  + relief section (htmx)", "GET", path, headers=hx)
        else:
            path = f"/care/children/{child}/visit/"
            page = await self.fetch("visit form", "GET", path)
            token = CSRF_INPUT.search(page.body) if page else None
            if token is None:
                return
            await think()  # filling the form in
            await self.fetch(
                "visit save (POST)",
                "POST",
                path,
                form=visit_form(token.group(1).decode(), self.rng),
                expect=302,
                location="/care/worklist/",
            )


def visit_form(token: str, rng: random.Random) -> dict:
    """A valid visit record of today: every aspect fine (a concern would need a note and
    would raise the child's care level, which changes the worklists as the run goes on)."""
    aspects = ["living", "safety", "health", "study", "psychological", "guardianship"]
    form = {
        "csrfmiddlewaretoken": token,
        "based_on": "",
        "visited_on": time.strftime("%Y-%m-%d"),
        "mode": rng.choice(["home", "home", "call", "school"]),
        "met_child": "on",
        "problems": "",
        "actions": "",
        "follow_up_on": "",
    }
    if rng.random() < 0.5:
        form["met_caregiver"] = "on"
    for aspect in aspects:
        form[aspect] = "fine"
        form[f"{aspect}_note"] = ""
    return form


class Supervisor(VirtualUser):
    """A township supervisor who keeps the township's dashboard open and reloads it."""

    def __init__(self, session, username, recorder, township_path: str, kind: str):
        super().__init__(session, username, recorder)
        self.township_path, self.kind = township_path, kind

    async def act(self, think) -> None:
        await self.fetch(self.kind, "GET", self.township_path)


class Probe(VirtualUser):
    """The trivial view (/healthz), anonymous: the framework's own cost on the same server."""

    async def act(self, think) -> None:
        await self.fetch("trivial view /healthz", "GET", "/healthz")


async def run_phase(
    users, recorder: Recorder, warmup_s: float, duration_s: float, think_s, at_edges=None
):
    """Every user acts and thinks in a loop; requests completing in the window are kept.

    think_s is the mean think time (uniform between half and one and a half of it), or 0
    for no thinking at all (each user sends its next request as soon as the answer is in).
    at_edges, if given, is called at the window's start and at its end (CPU snapshots).
    Returns the window's length in seconds.
    """
    loop_end = time.perf_counter() + warmup_s + duration_s

    def thinker(user):
        async def think():
            if think_s > 0:
                await asyncio.sleep(user.rng.uniform(0.5 * think_s, 1.5 * think_s))

        return think

    async def life(user, first_delay):
        think = thinker(user)
        await asyncio.sleep(first_delay)
        while time.perf_counter() < loop_end:
            await user.act(think)
            await think()

    recorder.samples.clear()
    recorder.start = time.perf_counter() + warmup_s
    recorder.end = recorder.start + duration_s
    spread = think_s if think_s > 0 else 0.5  # users do not all click at the same moment

    async def edge(at):
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        if at_edges is not None:
            at_edges()

    lives = [life(u, u.rng.uniform(0, spread)) for u in users]
    await asyncio.gather(edge(recorder.start), edge(recorder.end), *lives)
    return recorder.end - recorder.start
