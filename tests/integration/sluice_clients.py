"""Small helpers around the real client libraries, shared by the test modules.

Every wait is bounded; nothing here sleeps for synchronisation.
"""

import json
import secrets
import subprocess
import time
from pathlib import Path

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
from kafka import KafkaConsumer, KafkaProducer
from kafka import TopicPartition as KTopicPartition

from sluice_harness import wait_until

NODE_ID = 1


# ---- topics (through librdkafka's admin client) ---------------------------------
def cf_admin(bootstrap):
    return AdminClient({"bootstrap.servers": bootstrap})


def topic_metadata(admin, name, timeout=10):
    """The TopicMetadata of `name` from an all-topics Metadata request, or None."""
    md = admin.list_topics(timeout=timeout)
    return md.topics.get(name)


def wait_topic_ready(admin, name, partitions, timeout=30):
    """Until Metadata shows `name` with exactly `partitions` partitions, each led by us."""
    def ready():
        t = topic_metadata(admin, name)
        if t is None or t.error is not None or len(t.partitions) != partitions:
            return False
        return all(p.leader == NODE_ID and p.error is None for p in t.partitions.values())
    wait_until(ready, timeout, f"topic {name} with {partitions} partitions led by node {NODE_ID}",
               interval=0.1)


def create_topic(bootstrap, name, partitions=1, config=None, timeout=30):
    admin = cf_admin(bootstrap)
    futures = admin.create_topics(
        [NewTopic(name, num_partitions=partitions, replication_factor=1, config=config or {})],
        request_timeout=timeout)
    futures[name].result(timeout)
    wait_topic_ready(admin, name, partitions, timeout)
    return name


# ---- kafka-python ---------------------------------------------------------------
def kp_producer(bootstrap, **kw):
    kw.setdefault("api_version_auto_timeout_ms", 10000)
    kw.setdefault("max_block_ms", 20000)
    return KafkaProducer(bootstrap_servers=bootstrap, **kw)


def kp_consumer(bootstrap, **kw):
    kw.setdefault("api_version_auto_timeout_ms", 10000)
    kw.setdefault("group_id", None)
    kw.setdefault("enable_auto_commit", False)
    kw.setdefault("fetch_max_wait_ms", 100)
    kw.setdefault("request_timeout_ms", 15000)
    return KafkaConsumer(bootstrap_servers=bootstrap, **kw)


def kp_poll(consumer, n, timeout=20, what="records"):
    """Poll until at least `n` records arrived; return them in arrival order."""
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < n:
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {n} {what}; "
                                 f"got {len(got)}: {[(r.partition, r.offset) for r in got][:20]}")
        for recs in consumer.poll(timeout_ms=200).values():
            got.extend(recs)
    return got


def kp_poll_nothing_more(consumer, duration=1.0):
    """Records (if any) that arrive within `duration` seconds: expected to be none."""
    extra = []
    deadline = time.monotonic() + duration
    while time.monotonic() < deadline:
        for recs in consumer.poll(timeout_ms=100).values():
            extra.extend(recs)
    return extra


def kp_read_all(bootstrap, topic, partitions, timeout=30, **kw):
    """Every record in partitions 0..partitions-1 up to the current end offsets.

    Returns {partition: [ConsumerRecord, ...]} in offset order. Uses only calls
    with a bounded time (kafka-python's offset *reset* retries forever, so this
    seeks to the beginning offsets explicitly instead).
    """
    c = kp_consumer(bootstrap, auto_offset_reset="earliest", **kw)
    try:
        tps = [KTopicPartition(topic, p) for p in range(partitions)]
        c.assign(tps)
        ends = c.end_offsets(tps)
        starts = c.beginning_offsets(tps)
        for tp in tps:
            c.seek(tp, starts[tp])
        out = {p: [] for p in range(partitions)}
        deadline = time.monotonic() + timeout
        while any(c.position(tp) < ends[tp] for tp in tps):
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"timed out after {timeout}s reading {topic} to its end offsets {ends}; "
                    f"positions {{{', '.join(f'{tp.partition}: {c.position(tp)}' for tp in tps)}}}")
            for tp, recs in c.poll(timeout_ms=200).items():
                out[tp.partition].extend(recs)
        return out
    finally:
        c.close(autocommit=False)


# ---- confluent-kafka / librdkafka -----------------------------------------------
def cf_consumer(bootstrap, **extra):
    conf = {
        "bootstrap.servers": bootstrap,
        # librdkafka wants a group.id even for assign(); nothing is committed.
        "group.id": "sluice-it-" + secrets.token_hex(4),
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "auto.offset.reset": "earliest",
    }
    conf.update(extra)
    return Consumer(conf)


def cf_consume(bootstrap, topic, partition, n, timeout=20, offset=OFFSET_BEGINNING, **extra):
    """Read `n` messages of one partition with assign() (no group subscription)."""
    c = cf_consumer(bootstrap, **extra)
    try:
        c.assign([TopicPartition(topic, partition, offset)])
        got = []
        deadline = time.monotonic() + timeout
        while len(got) < n:
            if time.monotonic() >= deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for {n} messages "
                                     f"of {topic}[{partition}]; got {len(got)}")
            for m in c.consume(num_messages=n - len(got), timeout=0.5):
                err = m.error()
                if err is not None:
                    if err.code() == KafkaError._PARTITION_EOF:
                        continue
                    raise AssertionError(f"consumer error on {topic}[{partition}]: {err}")
                got.append(m)
        return got
    finally:
        c.close()


NODE_DIR = Path(__file__).resolve().parent / "node"
NODE_JSON_TIMEOUT_S = 90  # the scripts' own watchdog (common.js) is 60 s


def run_node_json(script, *args, timeout=NODE_JSON_TIMEOUT_S):
    """Runs `node node/<script> args...`, a script that prints one JSON object as its
    last stdout line with "ok" true (exit 0) or false (exit 1). Returns (that object,
    seconds it took, its stderr)."""
    cmd = ["node", str(NODE_DIR / script), *map(str, args)]
    started = time.monotonic()
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=NODE_DIR)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"{script} did not finish within {timeout}s; "
                             f"stderr: {e.stderr!r}") from None
    elapsed = time.monotonic() - started
    lines = [line for line in r.stdout.splitlines() if line.strip()]
    assert lines, f"{script} exited {r.returncode} and printed nothing; stderr:\n{r.stderr}"
    out = json.loads(lines[-1])
    assert r.returncode == (0 if out.get("ok") else 1), (
        f"{script} exited {r.returncode} with {out}; stderr:\n{r.stderr[-3000:]}")
    return out, elapsed, r.stderr
