"""kafkajs 2.2.4 (node) against a real sluiced: admin and producer."""

import json
import subprocess
from pathlib import Path

from kafka import TopicPartition

from sluice_clients import NODE_ID, create_topic, kp_consumer, kp_poll

NODE_DIR = Path(__file__).resolve().parent / "node"
NODE_TIMEOUT_S = 90


def run_node(script, broker, topic):
    cmd = ["node", str(NODE_DIR / script), broker.bootstrap, topic]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=NODE_TIMEOUT_S,
                           cwd=NODE_DIR)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"{script} did not finish within {NODE_TIMEOUT_S}s; "
                             f"stderr: {e.stderr!r}") from None
    assert r.returncode == 0, f"{script} exited {r.returncode}; stderr:\n{r.stderr}"
    lines = [line for line in r.stdout.splitlines() if line.strip()]
    assert lines, f"{script} printed nothing; stderr:\n{r.stderr}"
    return json.loads(lines[-1])


def test_admin_create_list_fetch_metadata(kafkajs_installed, broker, topic):
    out = run_node("admin.js", broker, topic)
    assert out["created"] is True
    assert out["createdAgain"] is False  # TOPIC_ALREADY_EXISTS is reported as false
    assert out["listed"] is True
    assert [t["name"] for t in out["topics"]] == [topic]
    assert out["topics"][0]["partitions"] == [
        {"partitionId": p, "errorCode": 0, "leader": NODE_ID, "replicas": [NODE_ID],
         "isr": [NODE_ID]} for p in range(3)]


def test_producer_acks_all_gzip(kafkajs_installed, broker, topic, closer):
    create_topic(broker.bootstrap, topic, 2)
    out = run_node("produce.js", broker, topic)
    assert [(m["topicName"], m["partition"], m["errorCode"], m["baseOffset"])
            for m in out["gzip"]] == [(topic, 0, 0, "0")]
    assert [(m["topicName"], m["partition"], m["errorCode"], m["baseOffset"])
            for m in out["plain"]] == [(topic, 0, 0, "20")]

    c = kp_consumer(broker.bootstrap, auto_offset_reset="earliest")
    closer(lambda: c.close(autocommit=False))
    c.assign([TopicPartition(topic, 0)])
    got = kp_poll(c, 21)
    assert len(got) == 21
    for i, r in enumerate(got[:20]):
        assert r.offset == i
        assert r.key == f"k{i}".encode()
        assert r.value == (f"gzip value {i} " * (1 + i % 5)).encode()
        assert r.headers == [("source", b"kafkajs"), ("index", str(i).encode())]
        assert r.timestamp == 1650000000000 + i
    assert (got[20].offset, got[20].key, got[20].value) == (20, b"plain", b"uncompressed")


def test_idempotent_producer(kafkajs_installed, broker, topic, closer):
    create_topic(broker.bootstrap, topic, 3)
    out = run_node("produce_idempotent.js", broker, topic)
    metas = [m for send in out["sends"] for m in send]
    assert metas and all(m["errorCode"] == 0 for m in metas), metas
    c = kp_consumer(broker.bootstrap, auto_offset_reset="earliest")
    closer(lambda: c.close(autocommit=False))
    c.subscribe([topic])
    got = kp_poll(c, 150)
    values = sorted(m.value for m in got)
    assert values == sorted(b"round %d message %d" % (r, i) for r in range(3) for i in range(50))
    # Per partition, offsets are gap-free and each key stays on one partition.
    by_key = {}
    for m in got:
        by_key.setdefault(m.key, set()).add(m.partition)
    assert all(len(parts) == 1 for parts in by_key.values()), by_key
