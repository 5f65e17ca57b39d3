"""bench/weaknet.py (make bench-weaknet) imports, reads its command line, and its slow proxy
passes bytes unchanged, late. The benchmark itself is run by hand: no figure is tested."""

import importlib
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def weaknet():
    sys.path.insert(0, str(BENCH))
    try:
        yield importlib.import_module("weaknet")
    finally:
        sys.path.remove(str(BENCH))


def test_the_command_line(weaknet):
    args = weaknet.parse_args([])
    assert (args.runs, args.strict, args.scale, args.throttle) == (3, False, "county", "proxy")
    args = weaknet.parse_args(["--runs", "5", "--strict", "--scale", "small", "--throttle", "cdp"])
    assert (args.runs, args.strict, args.scale, args.throttle) == (5, True, "small", "cdp")
    with pytest.raises(SystemExit):
        weaknet.parse_args(["--runs", "0"])


def test_the_issue_s_network(weaknet):
    assert weaknet.NETWORK["downloadThroughput"] == 31_250  # 250 kbit/s in bytes per second
    assert weaknet.NETWORK["uploadThroughput"] == 6_250
    assert weaknet.NETWORK["latency"] == 800


def test_a_slow_link_queues_chunks_at_its_rate(weaknet):
    link = weaknet.SlowLink(bytes_per_s=1000, delay_s=0.4)
    assert link.due(500, now=10.0) == pytest.approx(10.9)  # half a second on the line, then 0.4
    assert link.due(500, now=10.0) == pytest.approx(11.4)  # behind the first chunk


def test_the_slow_proxy_passes_the_bytes_late(weaknet):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()

        def echo():
            conn, _ = listener.accept()
            with conn:
                while data := conn.recv(4096):
                    conn.sendall(data)

        threading.Thread(target=echo, daemon=True).start()
        port = weaknet.start_slow_proxy(listener.getsockname()[1])
        start = time.monotonic()
        with socket.create_connection(("127.0.0.1", port)) as client:
            client.sendall(b"hello")
            received = b""
            while len(received) < 5:
                received += client.recv(4096)
        assert received == b"hello"
        assert time.monotonic() - start >= 0.8  # 400 ms each way
