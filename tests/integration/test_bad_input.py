"""Malformed input closes only the offending connection; bad config stops the start.

While each bad connection is tried, a kafka-python producer on its own connection
(in a thread) keeps producing, and must succeed before, during and after; an idle
raw connection opened beforehand must still be answered afterwards.
"""

import socket
import subprocess
import threading

import pytest

from sluice_clients import create_topic, kp_producer
from sluice_harness import Broker, wait_until
from sluice_wire import (api_versions_request, connect, frame, i32, metadata_request,
                         parse_api_versions, recv_response, request, wait_closed)

MAX_REQUEST_BYTES = 104857600  # socket.request.max.bytes default


class SteadyProducer:
    """Produces one record at a time (acks=1, no retries) until stopped."""

    def __init__(self, bootstrap, topic):
        self.topic = topic
        self.producer = kp_producer(bootstrap, acks=1, retries=0)
        self.offsets = []
        self.errors = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="steady-producer", daemon=True)
        self._thread.start()

    def _run(self):
        i = 0
        while not self._stop.is_set():
            try:
                md = self.producer.send(self.topic, b"steady-%06d" % i, partition=0).get(timeout=10)
                self.offsets.append(md.offset)
            except Exception as e:  # noqa: BLE001 - every failure is recorded and asserted on
                self.errors.append(repr(e))
            i += 1
            self._stop.wait(0.005)

    def wait_for_more(self, n, phase, timeout=20):
        start = len(self.offsets)
        wait_until(lambda: len(self.offsets) >= start + n or self.errors, timeout,
                   f"{n} more acknowledged produces {phase}")
        assert self.errors == [], f"producer failed {phase}: {self.errors[:3]}"

    def stop(self):
        self._stop.set()
        self._thread.join(30)
        assert not self._thread.is_alive(), "steady producer thread did not stop within 30s"
        self.producer.close(timeout=5)

    def check(self):
        assert self.errors == [], f"steady producer errors: {self.errors[:5]}"
        assert self.offsets == list(range(len(self.offsets))), "offsets not contiguous from 0"


@pytest.fixture
def steady(broker, topic):
    create_topic(broker.bootstrap, topic, 1)
    sp = SteadyProducer(broker.bootstrap, topic)
    try:
        sp.wait_for_more(5, "before the bad input")
        yield sp
    finally:
        sp.stop()
    sp.check()


@pytest.fixture
def bystander(broker):
    """An idle raw connection opened before the bad input; must still be served after."""
    s = connect(broker.port)
    s.sendall(api_versions_request(1, 0))
    assert recv_response(s)[0] == 1
    yield s
    s.close()


def still_served(sock, correlation_id=2):
    sock.sendall(metadata_request(correlation_id, 1))
    assert recv_response(sock)[0] == correlation_id


BAD_FRAMES = {
    "garbage_small_frame": i32(16) + b"\xff" * 16,          # api key -1
    "http_request": b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",  # 'GET ' = 1.2 GB length
    "negative_length": i32(-1) + b"\x00" * 16,
    "min_int_length": i32(-2**31) + b"\x00" * 16,
    "huge_length": i32(0x7FFFFFFF) + b"\x00\x03\x00\x01\x00\x00\x00\x01",
    "length_over_socket_request_max_bytes": i32(MAX_REQUEST_BYTES + 1) + b"\x00" * 8,
    "zero_length": i32(0),
    "frame_shorter_than_header": frame(b"\x00\x03\x00"),
    "unknown_api_key_9999": request(9999, 0, 5),
    "metadata_v99": request(3, 99, 6, i32(-1)),
    "produce_v99": request(0, 99, 7, b"\x00" * 20),
}


@pytest.mark.parametrize("name", sorted(BAD_FRAMES))
def test_bad_frame_closes_only_that_connection(broker, steady, bystander, name):
    bad = connect(broker.port)
    try:
        bad.sendall(BAD_FRAMES[name])
        steady.wait_for_more(5, f"during '{name}'")
        received = wait_closed(bad, timeout=10)
        assert received == b"", f"broker answered {received[:64]!r} instead of closing"
    finally:
        bad.close()
    steady.wait_for_more(5, f"after '{name}'")
    still_served(bystander)
    assert broker.running()


# (frame, client id the log line must name, API text the log line must name, reason text)
LOGGED_PROBLEMS = {
    "unknown_api": (request(9999, 0, 5, client_id="probe-unknown"), "probe-unknown",
                    "key 9999 v0", "unknown API key 9999"),
    "unsupported_version": (request(0, 99, 7, b"\x00" * 20, client_id="probe-v99"),
                            "probe-v99", "Produce v99", "unsupported version 99 of Produce"),
    "malformed_body": (request(3, 1, 8, i32(5), client_id="probe-malformed"),
                       "probe-malformed", "Metadata v1", "malformed request"),
    # The size is checked before the frame is read: the line names the client id
    # of the connection's previous request.
    "oversized_after_a_request": (api_versions_request(9, 0) + i32(MAX_REQUEST_BYTES + 1),
                                  "sluice-it", "unknown (frame not read)",
                                  "exceeds socket.request.max.bytes"),
}


@pytest.mark.parametrize("name", sorted(LOGGED_PROBLEMS))
def test_connection_problem_is_one_log_line_with_address_client_and_api(broker, name):
    data, client_id, api, reason = LOGGED_PROBLEMS[name]
    bad = connect(broker.port)
    try:
        host, port = bad.getsockname()[:2]
        bad.sendall(data)
        wait_closed(bad, timeout=10)
    finally:
        bad.close()
    prefix = f"client {host}:{port} (client id '{client_id}', API {api}): "

    def lines():
        return [ln for ln in broker.log_text().splitlines() if f"client {host}:{port} " in ln]

    wait_until(lambda: lines(), 10, f"a log line about {host}:{port}")
    found = lines()
    assert len(found) == 1, f"expected one line about the connection, got {found}"
    assert prefix in found[0] and reason in found[0], found[0]
    assert "[warning]" in found[0] or "[warn]" in found[0], found[0]


def test_truncated_request_blocks_only_its_connection(broker, steady, bystander):
    bad = connect(broker.port)
    try:
        bad.sendall(i32(100) + b"\x00\x12\x00\x00\x00\x00\x00\x09\x00\x00")  # 10 of 100 bytes
        # While that request is incomplete, others are served.
        other = connect(broker.port)
        try:
            other.sendall(api_versions_request(3, 0))
            corr, payload = recv_response(other)
            assert corr == 3 and parse_api_versions(payload, 0)["error_code"] == 0
        finally:
            other.close()
        steady.wait_for_more(5, "while a truncated request is pending")
        still_served(bystander, 4)
        # End of stream in the middle of a frame: the broker closes that connection.
        bad.shutdown(socket.SHUT_WR)
        assert wait_closed(bad, timeout=10) == b""
    finally:
        bad.close()
    steady.wait_for_more(5, "after the truncated request")
    assert broker.running()


def test_many_bad_connections_at_once(broker, steady, bystander):
    names = sorted(BAD_FRAMES)
    socks = [connect(broker.port) for _ in range(20)]
    try:
        for i, s in enumerate(socks):
            s.sendall(BAD_FRAMES[names[i % len(names)]])
        for s in socks:
            assert wait_closed(s, timeout=10) == b""
    finally:
        for s in socks:
            s.close()
    steady.wait_for_more(5, "after 20 bad connections")
    still_served(bystander)


def test_unsupported_api_versions_version_is_answered_not_closed(broker, steady):
    s = connect(broker.port)
    try:
        s.sendall(api_versions_request(11, 99))
        corr, payload = recv_response(s)
        assert corr == 11
        resp = parse_api_versions(payload, 0)
        assert resp["error_code"] == 35
        assert 18 in resp["api_keys"]
        s.sendall(api_versions_request(12, 0))
        corr, payload = recv_response(s)
        assert corr == 12 and parse_api_versions(payload, 0)["error_code"] == 0
    finally:
        s.close()
    steady.wait_for_more(3, "after ApiVersions v99")


# ---- configuration ---------------------------------------------------------------
def run_bad_config(sluiced_bin, tmp_path, extra, timeout=30):
    b = Broker(tmp_path / "bad-config", binary=sluiced_bin)
    cmd = b.command(extra)
    b.log_dir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate(timeout=10)
        raise AssertionError(f"sluiced with {extra} still running after {timeout}s "
                             f"(killed); stderr:\n{err[-2000:]}") from None
    return proc.returncode, out, err


def test_bad_config_value_stops_the_start(sluiced_bin, tmp_path):
    rc, out, err = run_bad_config(sluiced_bin, tmp_path, {"num.partitions": "abc"})
    assert rc != 0, f"exit code {rc}; stderr:\n{err}"
    assert "num.partitions" in err, f"stderr does not name the key:\n{err}"
    assert "abc" in err, f"stderr does not name the value:\n{err}"


def test_unknown_config_key_stops_the_start(sluiced_bin, tmp_path):
    rc, out, err = run_bad_config(sluiced_bin, tmp_path, {"no.such.key": "1"})
    assert rc != 0, f"exit code {rc}; stderr:\n{err}"
    assert "no.such.key" in err, f"stderr does not name the key:\n{err}"


@pytest.mark.parametrize("protocol", ["SSL", "SASL_SSL"])
def test_tls_listener_with_an_unusable_keystore_stops_the_start(sluiced_bin, tmp_path, protocol):
    pem = tmp_path / "broker.pem"
    pem.write_text("not a PEM file\n")
    extra = {"listeners": "SECURE://127.0.0.1:0", "advertised.listeners": "SECURE://127.0.0.1:1",
             "listener.security.protocol.map": f"SECURE:{protocol}",
             "ssl.keystore.location": str(pem)}
    if protocol.startswith("SASL"):
        users = tmp_path / "users.yaml"
        users.write_text("alice: alice-secret\n")
        extra["sasl.users.file"] = str(users)
    rc, out, err = run_bad_config(sluiced_bin, tmp_path, extra)
    assert rc != 0, f"exit code {rc}; stderr:\n{err}"
    assert "ssl.keystore.location" in err and str(pem) in err, err


@pytest.mark.parametrize("content", [None, "- alice\n", "alice: [hunter2]\n"])
def test_bad_sasl_users_file_stops_the_start(sluiced_bin, tmp_path, content):
    users = tmp_path / "users.yaml"
    if content is not None:
        users.write_text(content)
    extra = {"listeners": "SASL_PLAINTEXT://127.0.0.1:0",
             "advertised.listeners": "SASL_PLAINTEXT://127.0.0.1:1",
             "sasl.users.file": str(users)}
    rc, out, err = run_bad_config(sluiced_bin, tmp_path, extra)
    assert rc != 0, f"exit code {rc}; stderr:\n{err}"
    assert "sasl.users.file" in err and str(users) in err, err
    assert "hunter2" not in err, "a password was printed"
