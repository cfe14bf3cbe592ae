"""confluent-kafka 1.7.0 (librdkafka 2.0.2) against a real sluiced."""

import json

import pytest
from confluent_kafka import KafkaError, KafkaException, Producer
from confluent_kafka.admin import ConfigResource, ConfigSource, NewPartitions, NewTopic

from sluice_clients import (NODE_ID, cf_admin, cf_consume, create_topic, topic_metadata,
                            wait_topic_ready)
from sluice_harness import wait_until


def produce_all(producer, topic, items, partition=None, timeout=30):
    """Produce (key, value) items; return the delivery reports as (err, partition, offset, value)."""
    reports = []

    def on_delivery(err, msg):
        reports.append((err, msg.partition(), msg.offset(), msg.value()))

    for key, value in items:
        kw = {} if partition is None else {"partition": partition}
        while True:
            try:
                producer.produce(topic, value=value, key=key, on_delivery=on_delivery, **kw)
                break
            except BufferError:
                producer.poll(0.1)
        producer.poll(0)
    remaining = producer.flush(timeout)
    assert remaining == 0, f"{remaining} messages still undelivered after {timeout}s"
    return reports


def test_producer_acks_all_delivery_reports(broker, topic):
    create_topic(broker.bootstrap, topic, 1)
    p = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all"})
    n = 200
    reports = produce_all(p, topic, [(f"k{i}".encode(), f"v{i}".encode()) for i in range(n)])
    assert len(reports) == n
    assert [r[0] for r in reports] == [None] * n
    assert [r[1] for r in reports] == [0] * n
    assert [r[2] for r in reports] == list(range(n))
    assert [r[3] for r in reports] == [f"v{i}".encode() for i in range(n)]
    msgs = cf_consume(broker.bootstrap, topic, 0, n)
    assert [(m.offset(), m.key(), m.value()) for m in msgs] == [
        (i, f"k{i}".encode(), f"v{i}".encode()) for i in range(n)]


def test_linger_batches_many_records_per_request(broker, topic):
    create_topic(broker.bootstrap, topic, 1)
    stats = []
    p = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "linger.ms": 50,
                  "statistics.interval.ms": 100, "stats_cb": stats.append})
    n = 1000
    reports = produce_all(p, topic, [(None, b"x%05d" % i) for i in range(n)])
    assert [r[0] for r in reports] == [None] * n
    assert sorted(r[2] for r in reports) == list(range(n))
    # librdkafka's own statistics say how many messages went into each batch it sent
    # (per statistics window): with linger.ms=50 and a tight produce loop, the broker
    # must have been sent batches of more than one record.
    def batch_max():
        p.poll(0.1)
        return max([_batch_max(s, topic) for s in stats] or [0])
    wait_until(lambda: batch_max() > 0, 10, "a librdkafka statistics report with batch counts")
    assert batch_max() > 1, [json.loads(s)["topics"].get(topic, {}).get("batchcnt") for s in stats]
    msgs = cf_consume(broker.bootstrap, topic, 0, n)
    assert [m.value() for m in msgs] == [b"x%05d" % i for i in range(n)]


def _batch_max(stats_json, topic):
    t = json.loads(stats_json).get("topics", {}).get(topic)
    return t["batchcnt"]["max"] if t else 0


@pytest.mark.parametrize("codec", ["gzip", "snappy", "lz4", "zstd"])
def test_compression_round_trip(broker, topic, codec):
    create_topic(broker.bootstrap, topic, 1)
    p = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all",
                  "compression.type": codec, "linger.ms": 20})
    n = 500
    items = [(f"key-{i}".encode(), (f"{codec} value {i} " * (1 + i % 30)).encode())
             for i in range(n)]
    reports = produce_all(p, topic, items)
    assert [r[0] for r in reports] == [None] * n
    assert [r[2] for r in reports] == list(range(n))
    msgs = cf_consume(broker.bootstrap, topic, 0, n)
    assert [(m.offset(), m.key(), m.value()) for m in msgs] == [
        (i, k, v) for i, (k, v) in enumerate(items)]


def test_consumer_assign_offset_beginning(broker, topic):
    create_topic(broker.bootstrap, topic, 3)
    p = Producer({"bootstrap.servers": broker.bootstrap})
    reports = produce_all(p, topic, [(None, f"p1-{i}".encode()) for i in range(30)], partition=1)
    reports += produce_all(p, topic, [(None, f"p2-{i}".encode()) for i in range(7)], partition=2)
    assert all(r[0] is None for r in reports)
    msgs = cf_consume(broker.bootstrap, topic, 1, 30)
    assert [(m.partition(), m.offset(), m.value()) for m in msgs] == [
        (1, i, f"p1-{i}".encode()) for i in range(30)]
    msgs = cf_consume(broker.bootstrap, topic, 2, 4, offset=3)
    assert [(m.offset(), m.value()) for m in msgs] == [
        (i, f"p2-{i}".encode()) for i in range(3, 7)]


def test_admin_create_topics_and_list_topics(broker, topic):
    admin = cf_admin(broker.bootstrap)
    futures = admin.create_topics([NewTopic(topic, num_partitions=6, replication_factor=1)],
                                  request_timeout=30)
    assert futures[topic].result(30) is None
    wait_topic_ready(admin, topic, 6)
    md = admin.list_topics(timeout=10)
    assert sorted(md.topics[topic].partitions) == [0, 1, 2, 3, 4, 5]
    for pm in md.topics[topic].partitions.values():
        assert (pm.leader, list(pm.replicas), list(pm.isrs)) == (NODE_ID, [NODE_ID], [NODE_ID])
    assert sorted(md.brokers) == [NODE_ID]
    b = md.brokers[NODE_ID]
    assert (b.host, b.port) == ("127.0.0.1", broker.port)
    assert md.controller_id == NODE_ID

    again = admin.create_topics([NewTopic(topic, num_partitions=6, replication_factor=1)],
                                request_timeout=30)
    with pytest.raises(KafkaException) as ei:
        again[topic].result(30)
    assert ei.value.args[0].code() == KafkaError.TOPIC_ALREADY_EXISTS


def test_describe_and_alter_topic_configs(broker, topic):
    create_topic(broker.bootstrap, topic, 1)
    admin = cf_admin(broker.bootstrap)
    res = ConfigResource("topic", topic)

    configs = admin.describe_configs([res], request_timeout=30)[res].result(30)
    assert configs["retention.ms"].value == "604800000"
    assert configs["retention.ms"].is_default is True
    assert configs["cleanup.policy"].value == "delete"
    assert configs["cleanup.policy"].is_default is True

    alter = ConfigResource("topic", topic, set_config={"retention.ms": "3600000"})
    assert admin.alter_configs([alter], request_timeout=30)[alter].result(30) is None

    configs = admin.describe_configs([res], request_timeout=30)[res].result(30)
    assert configs["retention.ms"].value == "3600000"
    assert configs["retention.ms"].is_default is False
    assert _source(configs["retention.ms"]) == ConfigSource.DYNAMIC_TOPIC_CONFIG
    assert configs["cleanup.policy"].value == "delete"
    assert configs["cleanup.policy"].is_default is True


def _source(entry):
    s = entry.source
    return s if isinstance(s, ConfigSource) else ConfigSource(s)


def test_admin_create_partitions_six_to_eight(broker, topic):
    create_topic(broker.bootstrap, topic, 6)
    admin = cf_admin(broker.bootstrap)
    futures = admin.create_partitions([NewPartitions(topic, 8)], request_timeout=30)
    assert futures[topic].result(30) is None
    wait_topic_ready(admin, topic, 8)
    p = Producer({"bootstrap.servers": broker.bootstrap})
    reports = produce_all(p, topic, [(None, b"seven")], partition=7)
    assert [(r[0], r[1], r[2]) for r in reports] == [(None, 7, 0)]


def test_admin_delete_topics(broker, topic):
    create_topic(broker.bootstrap, topic, 2)
    admin = cf_admin(broker.bootstrap)
    futures = admin.delete_topics([topic], request_timeout=30)
    assert futures[topic].result(30) is None
    wait_until(lambda: topic_metadata(admin, topic) is None, 20,
               f"{topic} gone from list_topics()", interval=0.2)
