"""Log compaction (cleanup.policy=compact) in a real broker: the latest value of
every key stays at its original offset, older values and expired tombstones go,
and __consumer_offsets stays bounded while committed offsets survive restarts.

Compaction runs from the broker's housekeeping every log.cleaner.backoff.ms (100 ms
here) on segments that are no longer active; the topics use tiny segments so that
a few hundred records make many of them.
"""

from kafka import KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata

from sluice_clients import create_topic, kp_consumer, kp_producer
from sluice_harness import wait_until

CLEANER = {"log.cleaner.backoff.ms": "100", "group.initial.rebalance.delay.ms": "0"}
TOPIC_CONFIG = {"cleanup.policy": "compact", "segment.bytes": "2048",
                "min.cleanable.dirty.ratio": "0.01", "delete.retention.ms": "0"}


def read_all(bootstrap, topic, closer, expect_at_least=1):
    """Every record of partition 0 from the beginning: [(offset, key, value)]."""
    c = kp_consumer(bootstrap, auto_offset_reset="earliest", consumer_timeout_ms=1500)
    closer(lambda: c.close(autocommit=False))
    tp = TopicPartition(topic, 0)
    c.assign([tp])
    c.seek_to_beginning(tp)
    end = c.end_offsets([tp])[tp]
    got = []
    for m in c:
        got.append((m.offset, m.key, m.value))
        if m.offset >= end - 1:
            break
    assert len(got) >= expect_at_least
    return got


def test_latest_value_per_key_survives_at_its_offset(make_broker, topic, closer):
    b = make_broker(CLEANER)
    create_topic(b.bootstrap, topic, 1, config=TOPIC_CONFIG)
    p = kp_producer(b.bootstrap, linger_ms=0)
    closer(p.close)
    written = {}  # offset -> (key, value)
    for i in range(300):
        key, value = b"key-%02d" % (i % 10), b"value-%04d-" % i + b"x" * 40
        md = p.send(topic, key=key, value=value, partition=0).get(timeout=20)
        written[md.offset] = (key, value)
    total = len(written)
    latest = {}
    for off in sorted(written):
        latest[written[off][0]] = off

    def compacted():
        got = read_all(b.bootstrap, topic, closer)
        return got if len(got) < total // 2 else None
    got = wait_until(compacted, 60, "compaction to remove most superseded values")
    offsets = [o for o, _, _ in got]
    assert offsets == sorted(offsets)
    for off, key, value in got:  # every survivor is what was written at its offset
        assert written[off] == (key, value), f"offset {off} changed"
    # The latest value of every key is still there, at its offset.
    survivors = {off for off, _, _ in got}
    assert all(off in survivors for off in latest.values()), "a latest value was removed"
    # Producing goes on at the next offset.
    md = p.send(topic, key=b"key-00", value=b"after", partition=0).get(timeout=20)
    assert md.offset == total
    assert "compacted " in b.log_text()


def test_tombstones_remove_a_key(make_broker, topic, closer):
    b = make_broker(CLEANER)
    create_topic(b.bootstrap, topic, 1, config=TOPIC_CONFIG)
    p = kp_producer(b.bootstrap, linger_ms=0)
    closer(p.close)
    for i in range(50):
        p.send(topic, key=b"doomed", value=b"v%d" % i + b"y" * 60, partition=0).get(timeout=20)
    p.send(topic, key=b"doomed", value=None, partition=0).get(timeout=20)
    for i in range(100):  # enough to seal the tombstone's segment
        p.send(topic, key=b"k%d" % (i % 5), value=b"z" * 60, partition=0).get(timeout=20)

    def gone():
        got = read_all(b.bootstrap, topic, closer)
        return got if all(k != b"doomed" for _, k, _ in got) else None
    got = wait_until(gone, 60, "the key and its tombstone (delete.retention.ms=0) to go")
    assert {k for _, k, _ in got} <= {b"k%d" % i for i in range(5)}


def test_consumer_offsets_stay_bounded_and_survive_restart(make_broker, topic, closer):
    extra = dict(CLEANER)
    extra["offsets.topic.segment.bytes"] = "4096"
    b = make_broker(extra)
    create_topic(b.bootstrap, topic, 1)
    group = "compacted-group"

    def committer():
        c = KafkaConsumer(bootstrap_servers=b.bootstrap, group_id=group,
                          enable_auto_commit=False, api_version_auto_timeout_ms=10000)
        closer(c.close)
        return c
    c = committer()
    tp = TopicPartition(topic, 0)
    c.assign([tp])
    for i in range(400):
        c.commit({tp: OffsetAndMetadata(i, None)})

    def offsets_log_small():
        # Every commit is one record of ~100 bytes; 400 of them fill many 4 KiB
        # segments unless the cleaner keeps only the latest.
        text = b.log_text()
        return "compacted __consumer_offsets-" in text
    wait_until(offsets_log_small, 60, "__consumer_offsets to be compacted")
    c.close()
    b.restart()
    c = committer()
    assert c.committed(tp) == 399
