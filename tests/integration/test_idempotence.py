"""Idempotent producers: InitProducerId, duplicate detection, sequence and epoch
checks, and producer state that survives clean and unclean restarts.

The raw-wire tests build RecordBatch v2 with kafka-python's batch builder (with a
producer id, epoch and base sequence) and send Produce v3 / InitProducerId v1
themselves, so that every broker answer is checked exactly; the client tests run
confluent-kafka (librdkafka) and kafkajs with idempotence on.
"""

import time

import pytest
from kafka.record.default_records import DefaultRecordBatchBuilder

from sluice_clients import create_topic, kp_consumer, kp_poll
from sluice_wire import Reader, connect, i32, produce_request_v3, recv_response, request, string

NONE, OUT_OF_ORDER, INVALID_EPOCH, COORDINATOR_NOT_AVAILABLE = 0, 45, 47, 15


def init_producer_id(sock, corr, transactional_id=None):
    sock.sendall(request(22, 1, corr, string(transactional_id) + i32(60000)))
    got, payload = recv_response(sock)
    assert got == corr
    r = Reader(payload)
    r.i32()  # throttle
    err, pid, epoch = r.i16(), r.i64(), r.i16()
    assert r.remaining() == 0
    return err, pid, epoch


def batch(pid, epoch, seq, values):
    b = DefaultRecordBatchBuilder(magic=2, compression_type=0, is_transactional=0,
                                  producer_id=pid, producer_epoch=epoch, base_sequence=seq,
                                  batch_size=1 << 20)
    now = int(time.time() * 1000)
    for i, v in enumerate(values):
        b.append(i, timestamp=now, key=None, value=v, headers=[])
    return bytes(b.build())


class Wire:
    """One raw connection; produce() returns (error_code, base_offset)."""

    def __init__(self, port):
        self.sock = connect(port)
        self.corr = 0

    def next_corr(self):
        self.corr += 1
        return self.corr

    def init(self, transactional_id=None):
        return init_producer_id(self.sock, self.next_corr(), transactional_id)

    def produce(self, topic, data, partition=0):
        corr = self.next_corr()
        self.sock.sendall(produce_request_v3(corr, topic, partition, data, acks=-1))
        got, payload = recv_response(self.sock)
        assert got == corr
        r = Reader(payload)
        assert r.i32() == 1
        r.string()
        assert r.i32() == 1
        _, err, base = r.i32(), r.i16(), r.i64()
        return err, base

    def close(self):
        self.sock.close()


@pytest.fixture
def wire(broker, closer):
    w = Wire(broker.port)
    closer(w.close)
    return w


def values_in(bootstrap, topic, n, closer):
    c = kp_consumer(bootstrap, auto_offset_reset="earliest")
    closer(lambda: c.close(autocommit=False))
    c.subscribe([topic])
    return [(m.offset, m.value) for m in kp_poll(c, n)]


def test_init_producer_id_gives_distinct_ids_that_survive_restarts(make_broker, closer):
    b = make_broker()
    seen = []
    for round_ in range(3):
        w = Wire(b.port)
        closer(w.close)
        for _ in range(3):
            err, pid, epoch = w.init()
            assert (err, epoch) == (NONE, 0)
            assert pid >= 0 and pid not in seen, (pid, seen)
            assert not seen or pid > max(seen), "ids must grow across restarts"
            seen.append(pid)
        w.close()
        if round_ == 0:
            b.restart()
        elif round_ == 1:
            b.kill9()
            b.start()


def test_transactional_id_is_refused_until_transactions_exist(wire):
    err, pid, _ = wire.init("txn-1")
    assert (err, pid) == (COORDINATOR_NOT_AVAILABLE, -1)


def test_duplicates_answer_the_original_offset_and_are_not_stored(broker, wire, topic, closer):
    create_topic(broker.bootstrap, topic, 1)
    err, pid, epoch = wire.init()
    assert err == NONE
    first = batch(pid, epoch, 0, [b"a", b"b"])
    second = batch(pid, epoch, 2, [b"c"])
    assert wire.produce(topic, first) == (NONE, 0)
    assert wire.produce(topic, second) == (NONE, 2)
    # A retried batch (same producer, epoch and sequences) is acknowledged again
    # with its original offset and not appended twice.
    assert wire.produce(topic, first) == (NONE, 0)
    assert wire.produce(topic, second) == (NONE, 2)
    # A gap in the sequence is refused; the expected next sequence still works.
    assert wire.produce(topic, batch(pid, epoch, 5, [b"gap"]))[0] == OUT_OF_ORDER
    assert wire.produce(topic, batch(pid, epoch, 3, [b"d"])) == (NONE, 3)
    # Another producer's sequences are its own.
    err, pid2, epoch2 = wire.init()
    assert wire.produce(topic, batch(pid2, epoch2, 0, [b"e"])) == (NONE, 4)
    assert values_in(broker.bootstrap, topic, 5, closer) == [
        (0, b"a"), (1, b"b"), (2, b"c"), (3, b"d"), (4, b"e")]


def test_epoch_bump_starts_over_and_fences_the_old_epoch(broker, wire, topic):
    create_topic(broker.bootstrap, topic, 1)
    _, pid, _ = wire.init()
    assert wire.produce(topic, batch(pid, 0, 0, [b"x"])) == (NONE, 0)
    assert wire.produce(topic, batch(pid, 0, 1, [b"y"])) == (NONE, 1)
    # A new epoch must start at sequence 0.
    assert wire.produce(topic, batch(pid, 1, 2, [b"bad"]))[0] == OUT_OF_ORDER
    assert wire.produce(topic, batch(pid, 1, 0, [b"z"])) == (NONE, 2)
    # The old epoch is fenced.
    assert wire.produce(topic, batch(pid, 0, 2, [b"old"]))[0] == INVALID_EPOCH


def test_unknown_producer_is_accepted_at_any_sequence(broker, wire, topic):
    # As Kafka 2.5+: a producer the partition has no state for (new, expired, or
    # its batches deleted by retention) may continue at any sequence; from then
    # on its sequences are checked.
    create_topic(broker.bootstrap, topic, 1)
    _, pid, _ = wire.init()
    assert wire.produce(topic, batch(pid, 0, 7, [b"late"])) == (NONE, 0)
    assert wire.produce(topic, batch(pid, 0, 9, [b"gap"]))[0] == OUT_OF_ORDER
    assert wire.produce(topic, batch(pid, 0, 8, [b"next"])) == (NONE, 1)


@pytest.mark.parametrize("how", ["clean", "kill9"])
def test_producer_state_survives_restart(make_broker, topic, closer, how):
    b = make_broker()
    create_topic(b.bootstrap, topic, 1)
    w = Wire(b.port)
    closer(w.close)
    _, pid, epoch = w.init()
    batches = [batch(pid, epoch, i, [b"v%d" % i]) for i in range(4)]
    for i, data in enumerate(batches):
        assert w.produce(topic, data) == (NONE, i)
    w.close()
    if how == "clean":
        b.restart()
    else:
        b.kill9()
        b.start()
    w = Wire(b.port)
    closer(w.close)
    # Every one of the last batches is still known: retries are deduplicated...
    for i, data in enumerate(batches):
        assert w.produce(topic, data) == (NONE, i), f"batch {i} after a {how} restart"
    # ...gaps are still refused, and the producer goes on where it stopped.
    assert w.produce(topic, batch(pid, epoch, 6, [b"gap"]))[0] == OUT_OF_ORDER
    assert w.produce(topic, batch(pid, epoch, 4, [b"v4"])) == (NONE, 4)
    assert [v for _, v in values_in(b.bootstrap, topic, 5, closer)] == [
        b"v0", b"v1", b"v2", b"v3", b"v4"]


def test_confluent_kafka_idempotent_producer(broker, topic, closer):
    from confluent_kafka import Producer

    create_topic(broker.bootstrap, topic, 3)
    inits_before = broker.metric("sluice_requests_total", api="InitProducerId")
    p = Producer({"bootstrap.servers": broker.bootstrap, "enable.idempotence": True,
                  "linger.ms": 5, "message.timeout.ms": 30000})
    errors, delivered = [], []

    def on_delivery(err, msg):
        if err is not None:
            errors.append(str(err))
        else:
            delivered.append((msg.partition(), msg.offset(), msg.value()))

    n = 600
    for i in range(n):
        p.produce(topic, key=b"k%d" % (i % 11), value=b"m%04d" % i, on_delivery=on_delivery)
        if i % 100 == 0:
            p.poll(0)
    assert p.flush(30) == 0, "messages still queued after 30s"
    assert errors == []
    assert len(delivered) == n
    # Offsets are gap-free per partition: nothing was appended twice.
    by_partition = {}
    for part, off, val in delivered:
        by_partition.setdefault(part, []).append(off)
    for part, offs in by_partition.items():
        assert sorted(offs) == list(range(len(offs))), f"partition {part} offsets {offs[:10]}"
    got = values_in(broker.bootstrap, topic, n, closer)
    assert sorted(v for _, v in got) == sorted(b"m%04d" % i for i in range(n))
    # librdkafka keeps idempotence only after the broker gave it a producer id.
    assert broker.metric("sluice_requests_total", api="InitProducerId") == inits_before + 1
