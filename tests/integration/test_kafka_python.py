"""kafka-python 2.0.2 against a real sluiced: admin, producer, consumer without a group."""

import json

import pytest
from kafka import TopicPartition
from kafka.admin import KafkaAdminClient, NewPartitions, NewTopic
from kafka.errors import (InvalidPartitionsError, InvalidReplicationFactorError,
                          TopicAlreadyExistsError)
from kafka.structs import OffsetAndTimestamp

from sluice_clients import (kp_consumer, kp_poll, kp_poll_nothing_more, kp_producer,
                            kp_read_all)
from sluice_harness import wait_until


@pytest.fixture
def admin(broker, closer):
    a = KafkaAdminClient(bootstrap_servers=broker.bootstrap, api_version_auto_timeout_ms=10000,
                         request_timeout_ms=20000)
    closer(a.close)
    return a


@pytest.fixture
def new_topic(admin):
    """new_topic(name, partitions) creates the topic with kafka-python and waits for it."""
    def create(name, partitions):
        resp = admin.create_topics([NewTopic(name, num_partitions=partitions,
                                             replication_factor=1)], timeout_ms=15000)
        assert [(t[0], t[1]) for t in resp.topic_errors] == [(name, 0)]
        wait_partitions(admin.config["bootstrap_servers"], name, partitions)
        return name
    return create


def wait_partitions(bootstrap, name, partitions):
    """Until an all-topics Metadata (kafka-python consumer) lists `partitions` partitions."""
    c = kp_consumer(bootstrap)
    try:
        wait_until(lambda: name in c.topics()
                   and c.partitions_for_topic(name) == set(range(partitions)),
                   20, f"{name} with partitions 0..{partitions - 1} in metadata", interval=0.2)
    finally:
        c.close(autocommit=False)


@pytest.fixture
def producer(broker, closer):
    p = kp_producer(broker.bootstrap)
    closer(lambda: p.close(timeout=5))
    return p


def consumer_for(broker, closer, **kw):
    c = kp_consumer(broker.bootstrap, **kw)
    closer(lambda: c.close(autocommit=False))
    return c


# ---- admin -----------------------------------------------------------------------
def test_create_topics_six_partitions_listed_by_consumer(broker, admin, topic, closer):
    resp = admin.create_topics([NewTopic(topic, num_partitions=6, replication_factor=1)],
                               timeout_ms=15000)
    assert [(t[0], t[1]) for t in resp.topic_errors] == [(topic, 0)]
    c = consumer_for(broker, closer)
    wait_until(lambda: topic in c.topics(), 20, f"{topic} in KafkaConsumer.topics()")
    assert c.partitions_for_topic(topic) == {0, 1, 2, 3, 4, 5}


def test_create_existing_topic_raises_topic_already_exists(admin, new_topic, topic):
    new_topic(topic, 2)
    with pytest.raises(TopicAlreadyExistsError):
        admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)],
                            timeout_ms=15000)


def test_replication_factor_three_on_one_broker_is_rejected(broker, admin, topic, closer):
    with pytest.raises(InvalidReplicationFactorError):
        admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=3)],
                            timeout_ms=15000)
    c = consumer_for(broker, closer)
    assert topic not in c.topics()


def test_delete_topics(broker, admin, new_topic, topic, closer):
    new_topic(topic, 3)
    resp = admin.delete_topics([topic], timeout_ms=15000)
    assert [(t[0], t[1]) for t in resp.topic_error_codes] == [(topic, 0)]
    c = consumer_for(broker, closer)
    wait_until(lambda: topic not in c.topics(), 20, f"{topic} gone from KafkaConsumer.topics()",
               interval=0.2)


def test_create_partitions(broker, admin, new_topic, topic, producer, closer):
    new_topic(topic, 2)
    resp = admin.create_partitions({topic: NewPartitions(total_count=5)}, timeout_ms=15000)
    assert [(t[0], t[1]) for t in resp.topic_errors] == [(topic, 0)]
    wait_partitions(broker.bootstrap, topic, 5)
    # The new partitions take writes.
    md = producer.send(topic, b"into-4", partition=4).get(timeout=10)
    assert (md.partition, md.offset) == (4, 0)
    # Shrinking is refused.
    with pytest.raises(InvalidPartitionsError):
        admin.create_partitions({topic: NewPartitions(total_count=3)}, timeout_ms=15000)


# ---- producer --------------------------------------------------------------------
def test_sync_send_returns_record_metadata_with_offsets_in_order(new_topic, topic, producer):
    new_topic(topic, 1)
    mds = [producer.send(topic, f"m{i}".encode()).get(timeout=10) for i in range(3)]
    assert [(m.topic, m.partition, m.offset) for m in mds] == [
        (topic, 0, 0), (topic, 0, 1), (topic, 0, 2)]


def test_async_send_callbacks_all_called(broker, new_topic, topic, producer):
    new_topic(topic, 3)
    ok, failed = [], []
    n = 300
    for i in range(n):
        fut = producer.send(topic, key=f"k{i}".encode(), value=f"v{i}".encode())
        fut.add_callback(ok.append)
        fut.add_errback(failed.append)
    producer.flush(timeout=30)
    assert failed == []
    assert len(ok) == n
    by_partition = {}
    for md in ok:
        assert md.topic == topic
        by_partition.setdefault(md.partition, []).append(md.offset)
    # Offsets within each partition are exactly 0..k-1, no gaps or duplicates.
    for p, offsets in by_partition.items():
        assert sorted(offsets) == list(range(len(offsets))), f"partition {p}"
    assert sum(len(v) for v in by_partition.values()) == n
    data = kp_read_all(broker.bootstrap, topic, 3)
    assert sorted(r.value for recs in data.values() for r in recs) == sorted(
        f"v{i}".encode() for i in range(n))


def test_explicit_partition(broker, new_topic, topic, producer, closer):
    new_topic(topic, 4)
    for i in range(5):
        md = producer.send(topic, f"p2-{i}".encode(), partition=2).get(timeout=10)
        assert (md.partition, md.offset) == (2, i)
    md = producer.send(topic, b"p3-0", partition=3).get(timeout=10)
    assert (md.partition, md.offset) == (3, 0)
    data = kp_read_all(broker.bootstrap, topic, 4)
    assert [r.value for r in data[2]] == [f"p2-{i}".encode() for i in range(5)]
    assert [r.value for r in data[3]] == [b"p3-0"]
    assert data[0] == [] and data[1] == []


def test_key_value_headers_timestamp_round_trip(broker, new_topic, topic, producer, closer):
    new_topic(topic, 1)
    ts = 1600000000123
    sent = [
        dict(key=b"k1", value=b"v1", headers=[("h1", b"x"), ("h2", b"")], timestamp_ms=ts),
        dict(key=None, value=b"no-key", headers=[], timestamp_ms=ts + 1),
        dict(key=b"tombstone", value=None, headers=[("only", b"\x00\xff")], timestamp_ms=ts + 2),
        dict(key=b"", value=b"", headers=[], timestamp_ms=ts + 3),
        dict(key=b"big", value=bytes(range(256)) * 1000, headers=[], timestamp_ms=ts + 4),
    ]
    for i, s in enumerate(sent):
        md = producer.send(topic, partition=0, **s).get(timeout=10)
        assert md.offset == i
        assert md.timestamp == s["timestamp_ms"]
    c = consumer_for(broker, closer, auto_offset_reset="earliest")
    c.assign([TopicPartition(topic, 0)])
    got = kp_poll(c, len(sent))
    assert len(got) == len(sent)
    for i, (s, r) in enumerate(zip(sent, got)):
        assert r.offset == i
        assert r.key == s["key"]
        assert r.value == s["value"]
        assert r.headers == s["headers"]
        assert r.timestamp == s["timestamp_ms"]
        assert r.timestamp_type == 0  # CreateTime


def test_json_value_serializer(broker, new_topic, topic, closer):
    new_topic(topic, 1)
    p = kp_producer(broker.bootstrap, value_serializer=lambda v: json.dumps(v).encode())
    closer(lambda: p.close(timeout=5))
    values = [{"n": i, "name": f"item {i}", "tags": ["a", "é"], "ok": i % 2 == 0}
              for i in range(10)]
    for v in values:
        p.send(topic, v)
    p.flush(timeout=10)
    c = consumer_for(broker, closer, auto_offset_reset="earliest",
                     value_deserializer=lambda b: json.loads(b.decode()))
    c.assign([TopicPartition(topic, 0)])
    assert [r.value for r in kp_poll(c, 10)] == values


@pytest.mark.parametrize("codec", ["gzip", "snappy", "lz4", "zstd"])
def test_compression_round_trip(broker, new_topic, topic, closer, codec):
    new_topic(topic, 1)
    p = kp_producer(broker.bootstrap, compression_type=codec, linger_ms=20)
    closer(lambda: p.close(timeout=5))
    n = 500
    values = [(f"key-{i}".encode(), (f"value {i} " * (1 + i % 20)).encode()) for i in range(n)]
    futures = [p.send(topic, key=k, value=v) for k, v in values]
    p.flush(timeout=30)
    offsets = [f.get(timeout=10).offset for f in futures]
    assert offsets == list(range(n))
    c = consumer_for(broker, closer, auto_offset_reset="earliest")
    c.assign([TopicPartition(topic, 0)])
    got = kp_poll(c, n, what=f"{codec} records")
    assert [(r.offset, r.key, r.value) for r in got] == [
        (i, k, v) for i, (k, v) in enumerate(values)]


# ---- consumer without a group ----------------------------------------------------
def test_consumer_earliest_reads_everything(broker, new_topic, topic, producer, closer):
    new_topic(topic, 3)
    expected = {}
    for i in range(60):
        md = producer.send(topic, f"v{i}".encode(), partition=i % 3).get(timeout=10)
        expected[(md.partition, md.offset)] = f"v{i}".encode()
    c = consumer_for(broker, closer, auto_offset_reset="earliest")
    c.assign([TopicPartition(topic, p) for p in range(3)])
    got = kp_poll(c, 60)
    assert {(r.partition, r.offset): r.value for r in got} == expected
    assert len(got) == 60
    assert kp_poll_nothing_more(c, 0.5) == []


def test_consumer_latest_reads_only_new_records(broker, new_topic, topic, producer, closer):
    new_topic(topic, 1)
    for i in range(5):
        producer.send(topic, f"old{i}".encode()).get(timeout=10)
    tp = TopicPartition(topic, 0)
    c = consumer_for(broker, closer, auto_offset_reset="latest")
    c.assign([tp])
    assert c.position(tp) == 5  # resolves the 'latest' reset before producing more
    for i in range(3):
        producer.send(topic, f"new{i}".encode()).get(timeout=10)
    got = kp_poll(c, 3)
    assert [(r.offset, r.value) for r in got] == [(5, b"new0"), (6, b"new1"), (7, b"new2")]
    assert kp_poll_nothing_more(c, 0.5) == []


def test_seek_offsets_and_offsets_for_times(broker, new_topic, topic, producer, closer):
    new_topic(topic, 2)
    base = 1700000000000
    for i in range(10):
        md = producer.send(topic, f"r{i}".encode(), partition=0,
                           timestamp_ms=base + i * 1000).get(timeout=10)
        assert md.offset == i
    tp, empty = TopicPartition(topic, 0), TopicPartition(topic, 1)
    c = consumer_for(broker, closer, auto_offset_reset="earliest")
    c.assign([tp, empty])

    assert c.beginning_offsets([tp, empty]) == {tp: 0, empty: 0}
    assert c.end_offsets([tp, empty]) == {tp: 10, empty: 0}

    c.seek(tp, 7)
    assert c.position(tp) == 7
    got = kp_poll(c, 3)
    assert [(r.offset, r.value) for r in got] == [(7, b"r7"), (8, b"r8"), (9, b"r9")]

    c.seek_to_beginning(tp)
    got = kp_poll(c, 10)
    assert [r.offset for r in got] == list(range(10))
    assert [r.value for r in got] == [f"r{i}".encode() for i in range(10)]

    result = c.offsets_for_times({tp: base + 4500})
    assert result == {tp: OffsetAndTimestamp(5, base + 5000)}
    assert c.offsets_for_times({tp: base}) == {tp: OffsetAndTimestamp(0, base)}
    assert c.offsets_for_times({tp: base + 9000}) == {tp: OffsetAndTimestamp(9, base + 9000)}
    # Later than every record, or an empty partition: no offset.
    assert c.offsets_for_times({tp: base + 9001}) == {tp: None}
    assert c.offsets_for_times({empty: base}) == {empty: None}
