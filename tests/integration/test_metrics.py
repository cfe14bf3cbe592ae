"""The HTTP admin server (admin.listeners): /metrics, /healthz, /readyz, 404.

The harness starts every broker with admin.listeners=127.0.0.1:0 (any free port)
and finds the bound port in the broker's "admin listening on http://HOST:PORT"
log line (Broker.admin_address()).
"""

import http.client
import math
import re
import socket

import pytest
from kafka import KafkaConsumer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.structs import OffsetAndMetadata

from sluice_clients import kp_producer
from sluice_harness import wait_until

N = 7

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE_RE = re.compile(rf"^({NAME})(?:\{{({LABEL}(?:,{LABEL})*)?\}})? (\S+)$")
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"')
HELP_RE = re.compile(rf"^# HELP ({NAME}) .+$")
TYPE_RE = re.compile(rf"^# TYPE ({NAME}) (counter|gauge|histogram|summary|untyped)$")


def http_get(addr, path):
    conn = http.client.HTTPConnection(addr[0], addr[1], timeout=10)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, r.getheader("Content-Type"), r.read().decode("utf-8")
    finally:
        conn.close()


def parse_metrics(text):
    """Strict Prometheus text 0.0.4 parser: {(name, frozenset(labels)): value}."""
    assert text.endswith("\n"), "exposition must end with a newline"
    types = {}
    samples = {}
    for n, line in enumerate(text.split("\n")[:-1], 1):
        assert line, f"line {n} is empty"
        if line.startswith("#"):
            m = TYPE_RE.match(line)
            if m:
                assert m.group(1) not in types, f"line {n}: second TYPE for {m.group(1)}"
                types[m.group(1)] = m.group(2)
                continue
            assert HELP_RE.match(line), f"line {n}: bad comment line {line!r}"
            continue
        m = SAMPLE_RE.match(line)
        assert m, f"line {n}: not `name{{labels}} value`: {line!r}"
        name, labels_text, value_text = m.groups()
        labels = LABEL_RE.findall(labels_text or "")
        keys = [k for k, _ in labels]
        assert len(keys) == len(set(keys)), f"line {n}: repeated label in {line!r}"
        if value_text in ("+Inf", "-Inf", "NaN"):
            value = float(value_text.replace("Inf", "inf").replace("NaN", "nan"))
        else:
            assert re.fullmatch(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?", value_text), \
                f"line {n}: bad value {value_text!r}"
            value = float(value_text)
        family = name
        for suffix in ("_bucket", "_sum", "_count"):
            if name.endswith(suffix) and types.get(name[: -len(suffix)]) == "histogram":
                family = name[: -len(suffix)]
        assert family in types, f"line {n}: {name} has no preceding # TYPE"
        assert name.startswith("sluice_"), f"line {n}: {name} lacks the sluice_ prefix"
        key = (name, frozenset(labels))
        assert key not in samples, f"line {n}: duplicate sample {line!r}"
        samples[key] = value
    return samples, types


def value(samples, name, **labels):
    key = (name, frozenset(labels.items()))
    assert key in samples, f"no sample {name}{labels}"
    return samples[key]


def scrape(addr):
    status, ctype, body = http_get(addr, "/metrics")
    assert status == 200, body
    assert ctype.startswith("text/plain") and "version=0.0.4" in ctype, ctype
    return parse_metrics(body)


def check_histograms(samples, types):
    for family, kind in types.items():
        if kind != "histogram":
            continue
        series = {}
        for (name, labels), v in samples.items():
            if name == family + "_bucket":
                d = dict(labels)
                le = d.pop("le")
                series.setdefault(frozenset(d.items()), []).append(
                    (math.inf if le == "+Inf" else float(le), v))
        assert series, f"histogram {family} has no buckets"
        for labels, buckets in series.items():
            buckets.sort()
            assert buckets[-1][0] == math.inf
            counts = [c for _, c in buckets]
            assert counts == sorted(counts), f"{family}{dict(labels)} buckets not cumulative"
            assert samples[(family + "_count", labels)] == counts[-1]
            assert (family + "_sum", labels) in samples


@pytest.mark.timeout(120)
def test_metrics_health_ready(make_broker, topic, closer):
    b = make_broker()
    addr = b.admin_address()

    status, _, body = http_get(addr, "/healthz")
    assert (status, body.strip()) == (200, "ok")
    status, _, _ = http_get(addr, "/readyz")
    assert status == 200
    status, _, _ = http_get(addr, "/no/such/path")
    assert status == 404

    admin = KafkaAdminClient(bootstrap_servers=b.bootstrap, api_version_auto_timeout_ms=10000,
                             request_timeout_ms=20000)
    closer(admin.close)
    admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)],
                        timeout_ms=15000)
    producer = kp_producer(b.bootstrap, linger_ms=0, acks=1)
    closer(producer.close)
    producer.partitions_for(topic)  # metadata before the baseline

    before, types = scrape(addr)
    check_histograms(before, types)
    assert types["sluice_requests_total"] == "counter"
    assert types["sluice_request_latency_seconds"] == "histogram"
    assert types["sluice_connections"] == "gauge"
    assert value(before, "sluice_connections") >= 2  # admin client + producer
    assert value(before, "sluice_partitions") >= 1

    for i in range(N):  # one sync send per record: one Produce, one batch, one record
        producer.send(topic, value=b"record-%d" % i, partition=0).get(timeout=20)

    after, types = scrape(addr)
    check_histograms(after, types)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("sluice_requests_total", api="Produce") == N
    assert delta("sluice_request_latency_seconds_count", api="Produce") == N
    assert delta("sluice_request_errors_total", api="Produce") == 0
    assert delta("sluice_messages_in_total") == N
    assert delta("sluice_bytes_in_total") > 0
    assert delta("sluice_bytes_out_total") > 0
    assert value(after, "sluice_partition_log_end_offset", topic=topic, partition="0") == N
    assert value(after, "sluice_partition_high_watermark", topic=topic, partition="0") == N
    assert value(after, "sluice_partition_log_size_bytes", topic=topic, partition="0") > 0
    # Durable by default: every acks=1 Produce above waited for its own fsync.
    assert delta("sluice_log_flush_latency_seconds_count") >= N
    assert delta("sluice_log_flush_latency_seconds_sum") > 0
    assert delta("sluice_connection_problems_total") == 0


@pytest.mark.timeout(120)
def test_consumer_group_lag(make_broker, topic, closer):
    b = make_broker({"group.initial.rebalance.delay.ms": "0"})
    addr = b.admin_address()
    admin = KafkaAdminClient(bootstrap_servers=b.bootstrap, api_version_auto_timeout_ms=10000,
                             request_timeout_ms=20000)
    closer(admin.close)
    admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)],
                        timeout_ms=15000)
    producer = kp_producer(b.bootstrap, linger_ms=0, acks=1)
    closer(producer.close)
    for i in range(10):
        producer.send(topic, value=b"p0-%d" % i, partition=0).get(timeout=20)
    for i in range(3):
        producer.send(topic, value=b"p1-%d" % i, partition=1).get(timeout=20)

    group = "lag-group"
    consumer = KafkaConsumer(bootstrap_servers=b.bootstrap, group_id=group,
                             enable_auto_commit=False, api_version_auto_timeout_ms=10000)
    closer(consumer.close)
    tp0, tp1 = TopicPartition(topic, 0), TopicPartition(topic, 1)
    consumer.assign([tp0, tp1])
    consumer.commit({tp0: OffsetAndMetadata(4, None), tp1: OffsetAndMetadata(3, None)})

    samples, types = scrape(addr)
    assert types["sluice_consumer_group_lag"] == "gauge"
    labels0 = dict(group=group, topic=topic, partition="0")
    labels1 = dict(group=group, topic=topic, partition="1")
    assert value(samples, "sluice_consumer_group_committed_offset", **labels0) == 4
    assert value(samples, "sluice_consumer_group_lag", **labels0) == 10 - 4
    assert value(samples, "sluice_consumer_group_committed_offset", **labels1) == 3
    assert value(samples, "sluice_consumer_group_lag", **labels1) == 0

    for i in range(5):  # lag grows with the high watermark
        producer.send(topic, value=b"more-%d" % i, partition=1).get(timeout=20)
    samples, _ = scrape(addr)
    assert value(samples, "sluice_consumer_group_lag", **labels1) == 5
    consumer.commit({tp0: OffsetAndMetadata(10, None)})  # and shrinks with commits
    samples, _ = scrape(addr)
    assert value(samples, "sluice_consumer_group_lag", **labels0) == 0


def http_request(addr, method, path, body=None):
    conn = http.client.HTTPConnection(addr[0], addr[1], timeout=10)
    try:
        conn.request(method, path, body=body)
        r = conn.getresponse()
        return r.status, r.read().decode("utf-8")
    finally:
        conn.close()


@pytest.mark.timeout(120)
def test_log_level_at_run_time(make_broker):
    b = make_broker()
    addr = b.admin_address()
    assert http_request(addr, "GET", "/loglevel") == (200, "info\n")
    # At info, a client connection is not logged at debug level.
    assert "[debug]" not in b.log_text()

    assert http_request(addr, "PUT", "/loglevel", "debug") == (200, "debug\n")
    assert http_request(addr, "GET", "/loglevel") == (200, "debug\n")
    wait_until(lambda: "log level changed from info to debug through the admin endpoint"
               in b.log_text(), 10, "the log line announcing the change")
    # Debug lines now appear: a client that connects and drops mid-frame is one.
    s = socket.create_connection(("127.0.0.1", b.port), timeout=10)
    s.sendall(b"\x00\x00\x00\x20\x00")
    s.close()
    wait_until(lambda: "[debug]" in b.log_text(), 10, "a debug line after switching to debug")

    # Kafka's level names, query string and form body work too.
    assert http_request(addr, "POST", "/loglevel?level=WARN") == (200, "warn\n")
    assert http_request(addr, "PUT", "/loglevel", "level=error") == (200, "error\n")
    status, body = http_request(addr, "PUT", "/loglevel", "loud")
    assert status == 400 and "unknown log level 'loud'" in body, body
    assert http_request(addr, "GET", "/loglevel") == (200, "error\n")
    status, _ = http_request(addr, "DELETE", "/loglevel")
    assert status == 405
    status, _ = http_request(addr, "POST", "/metrics")
    assert status == 405
    status, body = http_request(addr, "PUT", "/loglevel", "x" * 5000)
    assert status == 413, body
    # The process still serves after all of that.
    assert http_request(addr, "GET", "/healthz") == (200, "ok\n")
