"""Service packaging: the systemd units, sd_notify and running as the `sluice` user.

(a) `systemd-analyze verify` accepts deploy/systemd/*.service;
(b) sluiced sends READY=1 on NOTIFY_SOCKET once it serves, and STOPPING=1 on SIGTERM;
(c) the unit's ExecStart line, run as the unprivileged `sluice` user with the
    example configuration, serves a producer and a consumer.
"""

import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from sluice_clients import kp_consumer, kp_poll, kp_producer
from sluice_harness import REPO, free_port, port_accepts, wait_until

UNITS = [REPO / "deploy" / "systemd" / "sluiced.service",
         REPO / "deploy" / "systemd" / "sluiced@.service"]
EXAMPLE_CONFIG = REPO / "deploy" / "config" / "sluice.yaml"
UNIT_BINARY = "/usr/sbin/sluiced"


def exec_start(unit):
    """The ExecStart= command of `unit` as an argument list."""
    for line in unit.read_text().splitlines():
        if line.startswith("ExecStart="):
            return shlex.split(line[len("ExecStart="):])
    raise AssertionError(f"{unit} has no ExecStart=")


def links_libsystemd(binary):
    out = subprocess.run(["ldd", str(binary)], capture_output=True, text=True).stdout
    return "libsystemd" in out


def produce_and_consume(bootstrap, topic, closer):
    p = kp_producer(bootstrap)
    closer(p.close)
    p.send(topic, key=b"k", value=b"through the service").get(timeout=20)
    c = kp_consumer(bootstrap, auto_offset_reset="earliest")
    closer(c.close)
    c.subscribe([topic])
    got = kp_poll(c, 1)
    assert [(r.key, r.value) for r in got] == [(b"k", b"through the service")]


def sluiced_process(pid, binary):
    """`pid` itself if it runs `binary`, else its child that does (runuser forks)."""
    def exe(p):
        try:
            return os.readlink(f"/proc/{p}/exe")
        except OSError:
            return None
    if exe(pid) == str(Path(binary).resolve()):
        return pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    for child in children:
        if exe(child) == str(Path(binary).resolve()):
            return int(child)
    raise AssertionError(f"no {binary} process under pid {pid} (children {children})")


def stop_by_pid(proc, timeout=30):
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
            raise AssertionError(f"sluiced pid {proc.pid} ignored SIGTERM for {timeout}s")
    return proc.returncode


# ---- (a) ------------------------------------------------------------------------
def test_units_verify(sluiced_bin, tmp_path):
    sluiced_bin = Path(sluiced_bin).resolve()
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian package systemd)")
    # verify checks that ExecStart's binary exists: point the units (copies) at the
    # binary under test instead of the installed /usr/sbin/sluiced.
    copies = []
    for unit in UNITS:
        text = unit.read_text()
        assert UNIT_BINARY in text, f"{unit.name} should run {UNIT_BINARY}"
        copy = tmp_path / unit.name
        copy.write_text(text.replace(UNIT_BINARY, str(sluiced_bin)))
        copies.append(str(copy))
    r = subprocess.run([analyze, "verify", *copies], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0 and not r.stderr.strip(), (
        f"systemd-analyze verify failed ({r.returncode}):\n{r.stdout}{r.stderr}")


def test_unit_contract():
    text = UNITS[0].read_text()
    for line in ["Type=notify", "User=sluice", "StateDirectory=sluice",
                 "ExecStart=/usr/sbin/sluiced --config /etc/sluice/sluice.yaml",
                 "Restart=on-failure", "CapabilityBoundingSet="]:
        assert line in text.splitlines(), f"sluiced.service lacks {line!r}"
    assert not any(line.startswith("ExecReload=") for line in text.splitlines()), (
        "sluiced does not reload its configuration")


# ---- (b) ------------------------------------------------------------------------
@pytest.mark.timeout(90)
def test_sd_notify_ready_and_stopping(sluiced_bin, tmp_path, topic, closer):
    sluiced_bin = Path(sluiced_bin).resolve()
    if not links_libsystemd(sluiced_bin):
        pytest.skip(f"{sluiced_bin} was built without libsystemd (libsystemd-dev missing): "
                    "sd_notify is a no-op")
    sock_path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    closer(sock.close)
    sock.bind(str(sock_path))
    sock.settimeout(0.5)

    port = free_port()
    env = dict(os.environ, NOTIFY_SOCKET=str(sock_path))
    log = open(tmp_path / "sluiced.log", "wb")
    closer(log.close)
    proc = subprocess.Popen(
        [str(sluiced_bin), "--set", f"listeners=PLAINTEXT://127.0.0.1:{port}",
         "--set", f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}",
         "--set", f"log.dirs={tmp_path / 'data'}",
         "--set", "admin.listeners=127.0.0.1:0"],
        env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    closer(lambda: stop_by_pid(proc))

    def receive(what, timeout=30):
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            try:
                msg = sock.recv(4096).decode()
            except socket.timeout:
                continue
            seen.append(msg)
            if what in msg.splitlines():
                return msg
        raise AssertionError(f"no {what} on NOTIFY_SOCKET within {timeout}s; got {seen}; "
                             f"log:\n{(tmp_path / 'sluiced.log').read_text()[-3000:]}")

    ready = receive("READY=1")
    assert f"STATUS=serving on PLAINTEXT://127.0.0.1:{port}" in ready.splitlines(), ready
    # READY means serving: the port accepts at once.
    assert port_accepts(port)
    produce_and_consume(f"127.0.0.1:{port}", topic, closer)

    proc.send_signal(signal.SIGTERM)
    receive("STOPPING=1")
    assert proc.wait(30) == 0


# ---- (c) ------------------------------------------------------------------------
@pytest.mark.timeout(120)
def test_exec_start_as_sluice_user(sluiced_bin, topic, closer):
    sluiced_bin = Path(sluiced_bin).resolve()
    if os.geteuid() != 0:
        pytest.skip("needs root to create and switch to the sluice user")
    if shutil.which("runuser") is None:
        pytest.skip("runuser (util-linux) is not installed")
    try:
        pwd.getpwnam("sluice")
    except KeyError:
        subprocess.run(["useradd", "--system", "--user-group", "--no-create-home",
                        "--home-dir", "/var/lib/sluice", "--shell", "/usr/sbin/nologin",
                        "sluice"], check=True)
    user = pwd.getpwnam("sluice")

    # The broker's data must be writable by sluice: pytest's tmp_path is under a
    # root-only directory, so use a directory of its own under /tmp.
    data = Path(tempfile.mkdtemp(prefix="sluice-svc-"))
    closer(lambda: shutil.rmtree(data, ignore_errors=True))
    os.chown(data, user.pw_uid, user.pw_gid)
    # The binary and the example configuration must be readable by sluice too.
    for path in (sluiced_bin, EXAMPLE_CONFIG):
        r = subprocess.run(["runuser", "-u", "sluice", "--", "test", "-r", str(path)])
        if r.returncode != 0:
            pytest.skip(f"{path} is not readable by the sluice user (private checkout)")

    argv = exec_start(UNITS[0])
    assert argv[0] == UNIT_BINARY and argv[1:] == ["--config", "/etc/sluice/sluice.yaml"], argv
    port = free_port()
    argv = [str(sluiced_bin), "--config", str(EXAMPLE_CONFIG),
            "--set", f"listeners=PLAINTEXT://127.0.0.1:{port}",
            "--set", f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}",
            "--set", f"log.dirs={data / 'logs'}",
            "--set", "group.initial.rebalance.delay.ms=0",
            "--set", "admin.listeners=127.0.0.1:0"]
    log_path = data / "sluiced.log"
    log = open(log_path, "wb")
    closer(log.close)
    # runuser stays as the parent of sluiced (for its PAM session) and forwards
    # SIGTERM; we still stop sluiced by its own PID, found among runuser's children.
    proc = subprocess.Popen(["runuser", "-u", "sluice", "--", *argv], stdout=log,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=data)
    closer(lambda: stop_by_pid(proc))

    def up():
        if proc.poll() is not None:
            raise AssertionError(f"sluiced exited with {proc.returncode}:\n"
                                 f"{log_path.read_text()[-3000:]}")
        return port_accepts(port)
    wait_until(up, 30, f"sluiced as sluice on port {port}")
    sluiced_pid = sluiced_process(proc.pid, sluiced_bin)

    status = Path(f"/proc/{sluiced_pid}/status").read_text()
    uid_line = next(line for line in status.splitlines() if line.startswith("Uid:"))
    assert uid_line.split()[1:] == [str(user.pw_uid)] * 4, uid_line

    produce_and_consume(f"127.0.0.1:{port}", topic, closer)
    os.kill(sluiced_pid, signal.SIGTERM)
    assert proc.wait(30) == 0, log_path.read_text()[-3000:]
    assert "shutdown complete" in log_path.read_text()
    owners = {p.stat().st_uid for p in (data / "logs").rglob("*")}
    assert owners == {user.pw_uid}, f"files not owned by sluice: {owners}"
