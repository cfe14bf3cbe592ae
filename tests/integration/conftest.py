"""pytest fixtures: real `sluiced` processes on loopback ports.

- `broker`: one broker shared by the whole session (tests use their own topic).
- `make_broker`: a factory for brokers private to one test (restart / kill -9).
- `topic`: a unique topic name `t_<testname>_<random>`.
- `closer`: register client close functions that run at teardown.

Every process started is stopped by PID at teardown, including after failures.
There is no pytest-timeout plugin on Debian 12, so each test also runs under a
SIGALRM watchdog (default 120 s, `@pytest.mark.timeout(N)` to change it); all
waits inside tests are bounded anyway.
"""

import json
import os
import re
import secrets
import signal
import sys
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sluice_harness import Broker, cleanup_all, sluiced_path  # noqa: E402

DEFAULT_TEST_TIMEOUT_S = 120


class WatchdogTimeout(AssertionError):
    pass


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "timeout(seconds): per-test watchdog (SIGALRM) replacing the 120 s default")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    marker = item.get_closest_marker("timeout")
    seconds = int(marker.args[0]) if marker else DEFAULT_TEST_TIMEOUT_S

    def on_alarm(signum, frame):
        raise WatchdogTimeout(f"test {item.nodeid} exceeded its {seconds}s watchdog")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def pytest_sessionfinish(session, exitstatus):
    cleanup_all()


@pytest.fixture(scope="session")
def sluiced_bin():
    try:
        return sluiced_path()
    except RuntimeError as e:
        message = str(e)
    pytest.fail(message, pytrace=False)


class _SessionBrokers:
    """The session's shared broker, replaced by a fresh one if a test killed it."""

    def __init__(self, binary, tmp_path_factory):
        self.binary = binary
        self.tmp_path_factory = tmp_path_factory
        self.all = []

    def new(self):
        b = Broker(self.tmp_path_factory.mktemp("session-broker"), binary=self.binary)
        self.all.append(b)
        b.start()
        return b

    @property
    def current(self):
        return self.all[-1] if self.all else None


@pytest.fixture(scope="session")
def _session_brokers(sluiced_bin, tmp_path_factory):
    brokers = _SessionBrokers(sluiced_bin, tmp_path_factory)
    try:
        yield brokers
        b = brokers.current
        if b is not None and b.running():
            b.stop()  # asserts a clean exit (code 0) at the end of the session
    finally:
        for b in brokers.all:
            b.cleanup()


@pytest.fixture
def broker(_session_brokers):
    """The session broker; a test during which it dies fails with its log tail."""
    b = _session_brokers.current
    if b is None or not b.running():
        # First use, or an earlier test killed it (and failed for it): start a fresh
        # broker in a new directory so this test is judged on its own. Restarting on
        # existing data is what test_durability.py tests.
        b = _session_brokers.new()
    yield b
    if not b.running():
        pytest.fail(f"the session broker (pid {b.pid}) died during this test with code "
                    f"{b.proc.returncode}; log {b.log_path}, tail:\n{b.log_tail()}",
                    pytrace=False)


@pytest.fixture
def make_broker(sluiced_bin, tmp_path):
    """Factory: make_broker(extra={...}, start=True) -> a Broker private to this test."""
    made = []

    def factory(extra=None, start=True):
        b = Broker(tmp_path / f"broker{len(made) + 1}", binary=sluiced_bin, extra=extra)
        made.append(b)
        if start:
            b.start()
        return b

    yield factory
    for b in made:
        b.cleanup()


@pytest.fixture
def topic(request):
    name = re.sub(r"[^A-Za-z0-9._-]", "_", request.node.name)[:150]
    return f"t_{name}_{secrets.token_hex(4)}"


@pytest.fixture
def closer():
    """closer(fn) registers fn to run at teardown (in reverse order), errors ignored."""
    fns = []
    yield fns.append
    for fn in reversed(fns):
        try:
            fn()
        except Exception:  # noqa: BLE001 - teardown of a client that may be broken
            pass


@pytest.fixture(scope="session")
def kafkajs_installed():
    """Fails (never skips) unless kafkajs 2.2.4 is installed in node/node_modules."""
    pkg = Path(__file__).resolve().parent / "node" / "node_modules" / "kafkajs" / "package.json"
    if not pkg.is_file():
        pytest.fail(f"kafkajs is not installed in {pkg.parent.parent}: run "
                    f"deploy/bootstrap.sh deps (npm install in tests/integration/node)",
                    pytrace=False)
    assert json.loads(pkg.read_text())["version"] == "2.2.4"
