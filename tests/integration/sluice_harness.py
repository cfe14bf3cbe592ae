"""Start and stop real `sluiced` processes for the integration tests and benchmarks.

Nothing here is a test. conftest.py builds pytest fixtures on top of it, and
tests/perf/bench_produce_consume.py imports it directly.
"""

import http.client
import os
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_BIN = REPO / "build" / "broker" / "sluiced"

START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 30.0


def wait_until(predicate, timeout, what, interval=0.05):
    """Poll `predicate` until it returns a truthy value and return that value.

    Raises AssertionError naming `what` if `timeout` seconds pass first.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sluiced_path(explicit=None):
    """The broker binary: `explicit`, else $SLUICE_BIN, else <repo>/build/broker/sluiced.

    Raises RuntimeError (never skips) when it is missing.
    """
    path = Path(explicit or os.environ.get("SLUICE_BIN") or DEFAULT_BIN).resolve()
    if not path.is_file() or not os.access(path, os.X_OK):
        raise RuntimeError(
            f"sluiced binary not found or not executable at {path}; build it "
            f"(cmake -S . -B build -G Ninja && cmake --build build) or set SLUICE_BIN")
    return path


def port_accepts(port, host="127.0.0.1", timeout=0.2):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


class Broker:
    """One `sluiced` process on 127.0.0.1:<port> with its data in `data_dir`.

    Every instance ever started is tracked in `Broker.instances` so teardown can
    end any that is still running, by PID.
    """

    instances = []
    _lock = threading.Lock()

    def __init__(self, data_dir, binary=None, port=None, extra=None, node_id=1):
        self.binary = sluiced_path(binary)
        self.data_dir = Path(data_dir)
        self.log_dir = self.data_dir / "data"
        self.port = port or free_port()
        self.node_id = node_id
        self.extra = dict(extra or {})
        self.proc = None
        self.starts = 0
        self.log_path = None
        self._log_file = None
        with Broker._lock:
            Broker.instances.append(self)

    # ---- addresses -------------------------------------------------------
    @property
    def bootstrap(self):
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def command(self, extra=None):
        args = [
            str(self.binary),
            "--set", f"listeners=PLAINTEXT://127.0.0.1:{self.port}",
            "--set", f"advertised.listeners=PLAINTEXT://127.0.0.1:{self.port}",
            "--set", f"log.dirs={self.log_dir}",
            "--set", f"node.id={self.node_id}",
            # Any free port: brokers run side by side (see admin_address()).
            "--set", "admin.listeners=127.0.0.1:0",
        ]
        merged = dict(self.extra)
        merged.update(extra or {})
        for key, value in merged.items():
            args += ["--set", f"{key}={value}"]
        return args

    # ---- lifecycle -------------------------------------------------------
    def start(self, timeout=START_TIMEOUT_S):
        assert not self.running(), f"broker pid {self.pid} is already running"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.starts += 1
        self.log_path = self.data_dir / f"sluiced-{self.starts}.log"
        self._log_file = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            self.command(), stdout=self._log_file, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, cwd=self.data_dir)
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout=START_TIMEOUT_S):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rc = self.proc.poll()
            if rc is not None:
                raise AssertionError(
                    f"broker on port {self.port} exited with code {rc} before accepting "
                    f"connections; log tail:\n{self.log_tail()}")
            if port_accepts(self.port):
                return
            time.sleep(0.05)
        raise AssertionError(
            f"broker on port {self.port} did not accept connections within {timeout:g}s; "
            f"log tail:\n{self.log_tail()}")

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=STOP_TIMEOUT_S):
        """SIGTERM, wait (bounded) and require exit code 0."""
        assert self.proc is not None, "broker was never started"
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
                self._close_log()
                raise AssertionError(
                    f"broker pid {self.proc.pid} did not exit within {timeout:g}s of SIGTERM "
                    f"(killed); log tail:\n{self.log_tail()}")
        rc = self.proc.returncode
        self._close_log()
        assert rc == 0, (f"broker pid {self.proc.pid} exited with code {rc} after SIGTERM; "
                         f"log tail:\n{self.log_tail()}")

    def kill9(self):
        assert self.proc is not None, "broker was never started"
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self._close_log()

    def restart(self, timeout=START_TIMEOUT_S):
        """Stop (if running) and start again with the same data dir and port."""
        if self.running():
            self.stop()
        return self.start(timeout)

    def cleanup(self):
        """End the process if it is still alive (teardown; never raises)."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGTERM)
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    pass
            except OSError:
                pass
        self._close_log()

    def _close_log(self):
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    # ---- logs ------------------------------------------------------------
    def log_text(self):
        """Everything the current (or last) run printed on stdout and stderr."""
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_bytes().decode("utf-8", "replace")

    def all_log_text(self):
        parts = []
        for i in range(1, self.starts + 1):
            p = self.data_dir / f"sluiced-{i}.log"
            if p.exists():
                parts.append(f"----- run {i} -----\n" + p.read_bytes().decode("utf-8", "replace"))
        return "\n".join(parts)

    def log_tail(self, lines=40):
        return "\n".join(self.log_text().splitlines()[-lines:])

    ADMIN_RE = re.compile(r"admin listening on http://(\S+):(\d+)")

    def admin_address(self, timeout=10):
        """(host, port) of this run's first admin listener, from its log line."""
        deadline = time.monotonic() + timeout
        while True:
            m = self.ADMIN_RE.search(self.log_text())
            if m:
                return m.group(1).strip("[]"), int(m.group(2))
            if time.monotonic() > deadline:
                raise AssertionError(f"no 'admin listening on' line in the log of run "
                                     f"{self.starts}; log tail:\n{self.log_tail()}")
            time.sleep(0.05)

    def metric(self, name, **labels):
        """One sample of this broker's /metrics: `name` with exactly `labels` (all
        strings), as a float. Fails if the sample is missing."""
        host, port = self.admin_address()
        conn = http.client.HTTPConnection(host, port, timeout=10)
        try:
            conn.request("GET", "/metrics")
            r = conn.getresponse()
            text = r.read().decode()
            assert r.status == 200, f"/metrics answered {r.status}"
        finally:
            conn.close()
        label_text = ",".join(f'{k}="{v}"' for k, v in labels.items())
        sample = name + (f"{{{label_text}}}" if labels else "")
        for line in text.splitlines():
            if line.startswith(sample + " "):
                return float(line[len(sample) + 1:])
        raise AssertionError(f"no sample {sample} in /metrics")

    RECOVERY_RE = re.compile(r"log recovery: (\d+) segments scanned")

    def recovery_count(self, timeout=10.0):
        """N from this run's `log recovery: N segments scanned` line."""
        try:
            m = wait_until(lambda: self.RECOVERY_RE.search(self.log_text()), timeout,
                           f"'log recovery: N segments scanned' in the log of run {self.starts}")
        except AssertionError as e:
            raise AssertionError(f"{e}; log tail:\n{self.log_tail()}") from None
        return int(m.group(1))


def cleanup_all():
    with Broker._lock:
        brokers = list(Broker.instances)
    for b in brokers:
        b.cleanup()
