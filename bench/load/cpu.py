"""Where the machine's CPU went during a measured window, from /proc (Linux only).

Processes are grouped as: gunicorn (the master and its workers), PostgreSQL backends of the
load test's database (their process title names the database), the load client (this
process), and everything else, which on a shared machine includes other people's work.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _proc_ticks(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[11]) + int(fields[12])  # utime + stime


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(p) for p in (task / "children").read_text().split()]
    return found


def _backends(database: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("latin-1")
        except OSError:
            continue
        if title.startswith("postgres: ") and f" {database} " in f"{title} ":
            pids.append(int(entry.name))
    return pids


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values[:8]) - idle, sum(values[:8])


def snapshot(gunicorn_pids: list[int], database: str) -> dict:
    """CPU ticks so far of the gunicorn masters given and their workers, of the database's
    backends, of this process and of the machine."""
    server = [pid for master in gunicorn_pids for pid in (master, *_children(master))]
    return {
        "gunicorn": {pid: _proc_ticks(pid) for pid in server},
        "postgres": {pid: _proc_ticks(pid) for pid in _backends(database)},
        "client": _proc_ticks(os.getpid()),
        "machine": _machine_ticks(),
    }


def usage(before: dict, after: dict, seconds: float) -> dict:
    """CPU used per group over the window, in cores (1.0 = one CPU busy all the time)."""

    def group(name):
        ticks = 0
        for pid, end in after[name].items():
            if end is not None:
                ticks += end - (before[name].get(pid) or 0)
        return ticks / TICK / seconds

    busy = (after["machine"][0] - before["machine"][0]) / TICK / seconds
    result = {
        "gunicorn": group("gunicorn"),
        "postgres": group("postgres"),
        "client": (after["client"] - before["client"]) / TICK / seconds,
    }
    result["other"] = max(0.0, busy - sum(result.values()))
    result["busy"] = busy
    result["cpus"] = os.cpu_count() or 1
    return result
