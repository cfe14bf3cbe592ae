"""Acknowledged records survive kill -9; a clean stop leaves nothing to recover.

The broker prints `log recovery: N segments scanned` at start-up: N is 0 after a
clean stop (SIGTERM) and > 0 after kill -9 of a broker that was writing.
"""

import signal
import threading

import pytest

from sluice_clients import create_topic, kp_producer, kp_read_all
from sluice_harness import wait_until
from sluice_wire import connect, fetch_request_v4, recv_response

PARTITIONS = 3


class AckRecorder:
    """Produces with acks=1 from a thread and records every acknowledged record."""

    def __init__(self, bootstrap, topic):
        self.topic = topic
        # No retries: a record is either acknowledged once at one offset or failed.
        self.producer = kp_producer(bootstrap, acks=1, retries=0, linger_ms=2,
                                    max_block_ms=5000, request_timeout_ms=5000)
        self.acked = []          # (partition, offset, value)
        self.failed = 0
        self.lock = threading.Lock()
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, name="ack-recorder", daemon=True)
        self.thread.start()

    def _on_ack(self, value):
        def cb(md):
            with self.lock:
                self.acked.append((md.partition, md.offset, value))
        return cb

    def _on_fail(self, _exc):
        with self.lock:
            self.failed += 1

    def _run(self):
        i = 0
        while not self.stop_event.is_set():
            value = b"durable-%08d" % i
            try:
                fut = self.producer.send(self.topic, value, partition=i % PARTITIONS)
            except Exception:  # noqa: BLE001 - buffer full / broker gone: not acknowledged
                self._on_fail(None)
                self.stop_event.wait(0.01)
                continue
            fut.add_callback(self._on_ack(value))
            fut.add_errback(self._on_fail)
            i += 1
            if i % 200 == 0:
                self.stop_event.wait(0.001)

    def count(self):
        with self.lock:
            return len(self.acked)

    def stop(self):
        self.stop_event.set()
        self.thread.join(30)
        assert not self.thread.is_alive(), "producer thread did not stop within 30s"
        self.producer.close(timeout=10)


@pytest.mark.timeout(240)
def test_kill9_loses_no_acknowledged_record(make_broker, topic):
    b = make_broker()
    create_topic(b.bootstrap, topic, PARTITIONS)
    rec = AckRecorder(b.bootstrap, topic)
    try:
        wait_until(lambda: rec.count() >= 5000, 90, "5000 acknowledged records before kill -9")
        b.kill9()  # mid-stream: the thread is still sending
    finally:
        rec.stop()
    acked = list(rec.acked)
    assert len(acked) >= 5000

    b.start()
    assert b.recovery_count() > 0, "kill -9 while writing must leave segments to recover"

    data = kp_read_all(b.bootstrap, topic, PARTITIONS)
    stored = {(p, r.offset): r.value for p, recs in data.items() for r in recs}
    lost = [(p, o, v) for p, o, v in acked if stored.get((p, o)) != v]
    assert lost == [], (f"{len(lost)} of {len(acked)} acknowledged records missing or changed "
                        f"after kill -9, e.g. {lost[:5]} (found {[stored.get(x[:2]) for x in lost[:5]]})")
    # Offsets are dense: every partition holds exactly offsets 0..n-1.
    for p, recs in data.items():
        assert [r.offset for r in recs] == list(range(len(recs))), f"partition {p}"

    # The recovered broker takes new writes after the last recovered offset.
    p = kp_producer(b.bootstrap)
    try:
        md = p.send(topic, b"after-restart", partition=0).get(timeout=10)
        assert md.offset == len(data[0])
    finally:
        p.close(timeout=5)
    b.stop()


def test_clean_restart_scans_no_segment(make_broker, topic):
    b = make_broker()
    create_topic(b.bootstrap, topic, PARTITIONS)
    p = kp_producer(b.bootstrap, acks=1)
    try:
        futures = [p.send(topic, b"clean-%04d" % i, partition=i % PARTITIONS) for i in range(300)]
        p.flush(timeout=30)
        acked = [(f.get(timeout=10).partition, f.get(timeout=10).offset, b"clean-%04d" % i)
                 for i, f in enumerate(futures)]
    finally:
        p.close(timeout=5)

    b.stop()  # SIGTERM; asserts exit code 0
    b.start()
    assert b.recovery_count() == 0, "a clean stop must leave no segment to scan"

    data = kp_read_all(b.bootstrap, topic, PARTITIONS)
    stored = {(part, r.offset): r.value for part, recs in data.items() for r in recs}
    assert {(part, off): v for part, off, v in acked} == stored

    # Twice in a row, and restart() does the same.
    b.restart()
    assert b.recovery_count() == 0
    data = kp_read_all(b.bootstrap, topic, PARTITIONS)
    assert {(part, r.offset): r.value for part, recs in data.items() for r in recs} == stored
    b.stop()


def test_kill9_of_idle_broker_after_clean_restart_keeps_data(make_broker, topic):
    b = make_broker()
    create_topic(b.bootstrap, topic, 1)
    p = kp_producer(b.bootstrap, acks=1)
    try:
        offsets = [p.send(topic, b"idle-%d" % i).get(timeout=10).offset for i in range(50)]
    finally:
        p.close(timeout=5)
    assert offsets == list(range(50))
    b.kill9()
    b.start()
    data = kp_read_all(b.bootstrap, topic, 1)
    assert [(r.offset, r.value) for r in data[0]] == [(i, b"idle-%d" % i) for i in range(50)]
    b.stop()


@pytest.mark.timeout(120)
def test_sigterm_answers_requests_in_flight_before_exiting(make_broker, topic):
    b = make_broker()
    create_topic(b.bootstrap, topic, 1)
    s = connect(b.port)
    try:
        # A long-poll at the log end: parked in the broker for up to 5 s.
        s.sendall(fetch_request_v4(77, topic, 0, 0, 1 << 20, max_wait_ms=5000, min_bytes=1))
        wait_until(lambda: b.metric("sluice_requests_in_flight") >= 1, 10, "the fetch to be parked")
        b.proc.send_signal(signal.SIGTERM)
        corr, _ = recv_response(s, timeout=15)
        assert corr == 77, "the parked fetch was not answered before shutdown"
        # Nothing more is taken: the connection is closed once its answers are out.
        assert s.recv(1) == b""
    finally:
        s.close()
    assert b.proc.wait(20) == 0
    assert "shutdown complete" in b.log_text()
