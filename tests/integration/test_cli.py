"""The `sluice` command-line tool against a real sluiced, cross-checked with
kafka-python and confluent-kafka (librdkafka), so the CLI and the broker cannot
agree on a mistake.

The CLI binary is $SLUICE_CLI, else <build>/client/sluice next to the broker
binary <build>/broker/sluiced ($SLUICE_BIN).
"""

import os
import re
import subprocess
import time
from pathlib import Path

import pytest
from confluent_kafka import Producer as CfProducer
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType
from kafka.partitioner.default import murmur2
from kafka.structs import OffsetAndMetadata

from sluice_clients import cf_consume, create_topic, kp_consumer, kp_poll, kp_producer, kp_read_all
from sluice_harness import REPO, free_port, sluiced_path, wait_until

CLI_TIMEOUT_S = 60


@pytest.fixture(scope="session")
def cli():
    explicit = os.environ.get("SLUICE_CLI")
    path = Path(explicit) if explicit else sluiced_path().parent.parent / "client" / "sluice"
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(f"sluice CLI not found or not executable at {path}; build the 'sluice' "
                    f"target or set SLUICE_CLI", pytrace=False)
    return path


def run(cli, *args, bootstrap=None, stdin=None, timeout=CLI_TIMEOUT_S, env=None):
    cmd = [str(cli)] + (["-b", bootstrap] if bootstrap else []) + [str(a) for a in args]
    try:
        return subprocess.run(cmd, input=stdin, capture_output=True, timeout=timeout,
                              env=env, text=isinstance(stdin, str) or stdin is None)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"{cmd} did not finish within {timeout}s; "
                             f"stderr so far: {e.stderr!r}") from None


def ok(cli, *args, **kw):
    p = run(cli, *args, **kw)
    assert p.returncode == 0, f"sluice {' '.join(map(str, args))} exited {p.returncode}: " \
                              f"{p.stderr}"
    return p


def kp_partition(key, n):
    """kafka-python's DefaultPartitioner choice for a non-null key."""
    return (murmur2(key) & 0x7fffffff) % n


def kp_partition_count(bootstrap, topic):
    c = KafkaConsumer(bootstrap_servers=bootstrap, api_version_auto_timeout_ms=10000)
    try:
        return len(c.partitions_for_topic(topic) or ())
    finally:
        c.close()


def kp_topics(bootstrap):
    a = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        return set(a.list_topics())
    finally:
        a.close()


# ---- version and usage -------------------------------------------------------------
def test_version_matches_cmake_project_version(cli):
    text = (REPO / "CMakeLists.txt").read_text()
    version = re.search(r"project\(sluice VERSION (\S+)", text).group(1)
    p = ok(cli, "--version")
    assert p.stdout.strip() == f"sluice {version}"


def test_usage_errors_exit_2(cli):
    assert run(cli, "produce").returncode == 2          # missing topic
    assert run(cli, "frobnicate").returncode == 2       # unknown subcommand
    assert run(cli).returncode == 2                     # no subcommand
    assert run(cli, "consume", "t", "--offset", "x").returncode == 2


# ---- topics --------------------------------------------------------------------------
def parse_describe(text):
    head, *parts = [line for line in text.splitlines() if line.strip()]
    fields = dict(f.split(": ", 1) for f in head.split("\t"))
    rows = [dict(f.split(": ", 1) for f in line.strip().split("\t")) for line in parts]
    return fields, rows


def test_topic_create_list_describe_alter_delete(cli, broker, topic):
    b = broker.bootstrap
    p = ok(cli, "topic", "create", topic, "-p", 3, "-r", 1, "-c", "retention.ms=123456",
           "-c", "cleanup.policy=delete", bootstrap=b)
    assert p.stdout == "", "create prints nothing on stdout"

    assert topic in ok(cli, "topic", "list", bootstrap=b).stdout.splitlines()
    assert topic in kp_topics(b)
    assert kp_partition_count(b, topic) == 3

    a = KafkaAdminClient(bootstrap_servers=b)
    try:
        res = a.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
        configs = {c[0]: c[1] for c in res[0].resources[0][4]}
    finally:
        a.close()
    assert configs["retention.ms"] == "123456"

    fields, rows = parse_describe(ok(cli, "topic", "describe", topic, bootstrap=b).stdout)
    assert fields["Topic"] == topic
    assert fields["PartitionCount"] == "3"
    assert fields["ReplicationFactor"] == "1"
    assert "retention.ms=123456" in fields["Configs"].split(",")
    assert [r["Partition"] for r in rows] == ["0", "1", "2"]
    assert all(r["Leader"] == "1" and r["Replicas"] == "1" and r["Isr"] == "1" for r in rows)

    # Creating it again is an error naming the topic and the Kafka error.
    again = run(cli, "topic", "create", topic, "-p", 1, bootstrap=b)
    assert again.returncode == 1
    assert again.stderr.startswith("sluice: ") and topic in again.stderr
    assert "topic_already_exists" in again.stderr

    ok(cli, "topic", "alter", topic, "--partitions", 5, bootstrap=b)
    wait_until(lambda: kp_partition_count(b, topic) == 5, 20,
               f"kafka-python to see 5 partitions of {topic}")
    _, rows = parse_describe(ok(cli, "topic", "describe", topic, bootstrap=b).stdout)
    assert len(rows) == 5

    shrink = run(cli, "topic", "alter", topic, "--partitions", 2, bootstrap=b)
    assert shrink.returncode == 1 and "invalid_partitions" in shrink.stderr

    ok(cli, "topic", "delete", topic, bootstrap=b)
    assert topic not in ok(cli, "topic", "list", bootstrap=b).stdout.splitlines()
    wait_until(lambda: topic not in kp_topics(b), 20, f"kafka-python to stop listing {topic}")
    gone = run(cli, "topic", "describe", topic, bootstrap=b)
    assert gone.returncode == 1 and "unknown_topic_or_partition" in gone.stderr


def test_bootstrap_from_environment(cli, broker, topic):
    create_topic(broker.bootstrap, topic, 1)
    env = dict(os.environ, SLUICE_BOOTSTRAP_SERVERS=broker.bootstrap)
    assert topic in ok(cli, "topic", "list", env=env).stdout.splitlines()


def test_cluster_info(cli, broker):
    out = ok(cli, "cluster", "info", bootstrap=broker.bootstrap).stdout
    assert re.search(r"^Cluster ID: \S+$", out, re.M)
    assert "Controller: 1" in out
    assert re.search(rf"^\s+1\s+127\.0\.0\.1:{broker.port}\s+\(controller\)$", out, re.M)


# ---- produce ------------------------------------------------------------------------
def test_produce_keyed_lines_land_on_murmur2_partitions(cli, broker, topic):
    b = broker.bootstrap
    create_topic(b, topic, 4)
    lines = [f"key-{i % 17}:value-{i}" for i in range(60)]
    p = ok(cli, "produce", topic, "-k", ":", bootstrap=b, stdin="\n".join(lines) + "\n")
    assert p.stdout == ""
    assert "produced 60 records" in p.stderr

    got = kp_read_all(b, topic, 4)
    assert sum(len(v) for v in got.values()) == 60
    expected = {}  # partition -> [(key, value)] in stdin order
    for line in lines:
        k, v = line.split(":", 1)
        expected.setdefault(kp_partition(k.encode(), 4), []).append((k.encode(), v.encode()))
    for part, recs in got.items():
        assert [(r.key, r.value) for r in recs] == expected.get(part, []), \
            f"partition {part} differs from kafka-python's DefaultPartitioner choice"
        assert [r.offset for r in recs] == list(range(len(recs)))


def test_produce_explicit_partition_and_acks(cli, broker, topic):
    b = broker.bootstrap
    create_topic(b, topic, 3)
    ok(cli, "produce", topic, "-p", 2, "--acks", "1", bootstrap=b, stdin="x\ny\n")
    ok(cli, "produce", topic, "-p", 2, "--acks", "all", bootstrap=b, stdin="z\n")
    ok(cli, "produce", topic, "-p", 2, "--acks", "0", bootstrap=b, stdin="w\n")
    got = kp_read_all(b, topic, 3)
    assert got[0] == [] and got[1] == []
    # acks=0 is fire-and-forget: the kp_read_all end offsets may be taken before "w" lands.
    wait_until(lambda: [r.value for r in kp_read_all(b, topic, 3)[2]] == [b"x", b"y", b"z", b"w"],
               20, "x, y, z, w in partition 2")

    bad = run(cli, "produce", topic, "-p", 7, bootstrap=b, stdin="v\n")
    assert bad.returncode == 1 and "partition 7" in bad.stderr
    bad = run(cli, "produce", topic, "-k", ":", bootstrap=b, stdin="no separator\n")
    assert bad.returncode == 1 and "line 1" in bad.stderr
    assert run(cli, "produce", topic, "--acks", "2", bootstrap=b, stdin="v\n").returncode == 2
    assert run(cli, "produce", topic, "--compression", "brotli", bootstrap=b,
               stdin="v\n").returncode == 2


@pytest.mark.parametrize("codec", ["none", "gzip", "snappy", "lz4", "zstd"])
def test_produce_compressed_read_by_librdkafka(cli, broker, topic, codec):
    b = broker.bootstrap
    create_topic(b, topic, 1)
    values = [f"{codec}-{i}-" + "x" * (i % 50) for i in range(200)]
    ok(cli, "produce", topic, "--compression", codec, bootstrap=b,
       stdin="\n".join(values) + "\n")
    got = cf_consume(b, topic, 0, 200)
    assert [m.value().decode() for m in got] == values
    assert [m.offset() for m in got] == list(range(200))


@pytest.mark.parametrize("codec", ["gzip", "snappy", "lz4", "zstd"])
def test_consume_what_librdkafka_compressed(cli, broker, topic, codec):
    b = broker.bootstrap
    create_topic(b, topic, 1)
    p = CfProducer({"bootstrap.servers": b, "compression.codec": codec, "linger.ms": 50})
    values = [f"{codec}-{i}" for i in range(100)]
    for v in values:
        p.produce(topic, value=v.encode(), key=b"k", partition=0)
    assert p.flush(20) == 0, "confluent-kafka did not deliver everything within 20s"
    out = ok(cli, "consume", topic, "--from-beginning", "-n", 100, "--timeout-ms", 10000,
             bootstrap=b).stdout
    assert out.splitlines() == values


# ---- consume ------------------------------------------------------------------------
def test_consume_what_kafka_python_produced(cli, broker, topic):
    b = broker.bootstrap
    create_topic(b, topic, 1)
    prod = kp_producer(b)
    try:
        for i in range(20):
            prod.send(topic, key=f"k{i}".encode(), value=f"v{i}".encode(), partition=0)
        prod.flush(timeout=20)
    finally:
        prod.close()

    out = ok(cli, "consume", topic, "--from-beginning", "-n", 20, bootstrap=b).stdout
    assert out.splitlines() == [f"v{i}" for i in range(20)]

    out = ok(cli, "consume", topic, "--from-beginning", "-n", 20, "--print-key",
             "--key-separator", "=", bootstrap=b).stdout
    assert out.splitlines() == [f"k{i}=v{i}" for i in range(20)]

    out = ok(cli, "consume", topic, "-p", 0, "--offset", 15, "-n", 5, bootstrap=b).stdout
    assert out.splitlines() == [f"v{i}" for i in range(15, 20)]

    # No -n: exits once --timeout-ms passes with nothing new, after printing all.
    start = time.monotonic()
    p = ok(cli, "consume", topic, "--from-beginning", "--timeout-ms", 1000, bootstrap=b)
    assert p.stdout.splitlines() == [f"v{i}" for i in range(20)]
    assert "consumed 20 records" in p.stderr
    assert time.monotonic() - start < 15

    # From the end (the default): nothing old, exits on the timeout.
    assert ok(cli, "consume", topic, "--timeout-ms", 500, bootstrap=b).stdout == ""


def test_consume_all_partitions_roundtrip(cli, broker, topic):
    b = broker.bootstrap
    create_topic(b, topic, 3)
    lines = [f"k{i}\tval{i}" for i in range(30)]
    ok(cli, "produce", topic, "--key-separator", "\t", bootstrap=b, stdin="\n".join(lines) + "\n")
    out = ok(cli, "consume", topic, "--from-beginning", "-n", 30, "--print-key",
             bootstrap=b).stdout.splitlines()
    assert sorted(out) == sorted(lines)
    # Within a key (one partition) the order is the produce order.
    for k in ("k1", "k2"):
        mine = [line for line in out if line.split("\t")[0] == k]
        assert mine == [line for line in lines if line.split("\t")[0] == k]


# ---- groups ---------------------------------------------------------------------------
def describe_rows(text):
    """The offsets table of `sluice group describe` as dicts, plus the header fields."""
    lines = text.splitlines()
    header = dict(f.split(": ", 1) for f in lines[0].split("\t"))
    rows = []
    cols = None
    for line in lines[1:]:
        if not line.strip():
            if cols:
                break
            continue
        parts = line.split()
        if cols is None:
            cols = parts
        else:
            rows.append(dict(zip(cols, parts)))
    return header, rows


def test_group_describe_shows_committed_offsets_and_lag(cli, make_broker, topic, closer):
    brk = make_broker(extra={"group.initial.rebalance.delay.ms": 0})
    b = brk.bootstrap
    create_topic(b, topic, 2)
    prod = kp_producer(b)
    try:
        for i in range(10):
            prod.send(topic, value=f"a{i}".encode(), partition=0)
        for i in range(6):
            prod.send(topic, value=f"b{i}".encode(), partition=1)
        prod.flush(timeout=20)
    finally:
        prod.close()

    group = f"g_cli_{topic[-8:]}"
    c = kp_consumer(b, group_id=group, auto_offset_reset="earliest", enable_auto_commit=False)
    closer(lambda: c.close(autocommit=False))
    c.subscribe([topic])
    kp_poll(c, 16, what=f"the 16 records of {topic} in group {group}")
    c.commit({TopicPartition(topic, 0): OffsetAndMetadata(7, None),
              TopicPartition(topic, 1): OffsetAndMetadata(6, None)})

    assert group in ok(cli, "group", "list", bootstrap=b).stdout.splitlines()
    header, rows = describe_rows(ok(cli, "group", "describe", group, bootstrap=b).stdout)
    assert header["Group"] == group
    assert header["State"] == "Stable"
    assert header["Members"] == "1"
    assert header["Protocol"].startswith("consumer/")
    by_part = {r["PARTITION"]: r for r in rows}
    assert set(by_part) == {"0", "1"}
    assert (by_part["0"]["CURRENT-OFFSET"], by_part["0"]["LOG-END-OFFSET"],
            by_part["0"]["LAG"]) == ("7", "10", "3")
    assert (by_part["1"]["CURRENT-OFFSET"], by_part["1"]["LOG-END-OFFSET"],
            by_part["1"]["LAG"]) == ("6", "6", "0")
    assert all(r["MEMBER"] != "-" for r in rows), "assigned partitions show their member"

    # After the member leaves: Empty, no members, the committed offsets stay.
    c.close(autocommit=False)
    wait_until(lambda: describe_rows(ok(cli, "group", "describe", group,
                                        bootstrap=b).stdout)[0]["State"] == "Empty",
               20, f"group {group} to become Empty")
    header, rows = describe_rows(ok(cli, "group", "describe", group, bootstrap=b).stdout)
    assert header["Members"] == "0"
    assert {r["PARTITION"]: r["LAG"] for r in rows} == {"0": "3", "1": "0"}
    assert all(r["MEMBER"] == "-" for r in rows)

    missing = run(cli, "group", "describe", "no-such-group-" + topic[-8:], bootstrap=b)
    assert missing.returncode == 1 and missing.stderr.startswith("sluice: ")


# ---- errors ----------------------------------------------------------------------------
def test_unreachable_bootstrap_fails_fast_with_a_clear_message(cli):
    port = free_port()  # nothing listens there
    start = time.monotonic()
    p = run(cli, "topic", "list", bootstrap=f"127.0.0.1:{port}", timeout=30)
    took = time.monotonic() - start
    assert p.returncode == 1
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one error line, got {p.stderr!r}"
    assert lines[0].startswith("sluice: ")
    assert f"127.0.0.1:{port}" in lines[0] and "refused" in lines[0].lower()
    assert took < 10, f"took {took:.1f}s to report a refused connection"


def test_connect_timeout_is_bounded(cli):
    # 192.0.2.0/24 is TEST-NET-1: never routed. Either the connect times out after
    # --connect-timeout-ms or the network says unreachable at once; both must be quick.
    start = time.monotonic()
    p = run(cli, "--connect-timeout-ms", 500, "cluster", "info", bootstrap="192.0.2.1:9092",
            timeout=30)
    took = time.monotonic() - start
    assert p.returncode == 1
    assert p.stderr.startswith("sluice: ") and "192.0.2.1:9092" in p.stderr
    assert took < 5, f"took {took:.1f}s with a 500 ms connect timeout"
