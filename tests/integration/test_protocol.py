"""Protocol-level checks over raw sockets (sluice_wire's own small encoder)."""

import struct
import time

import pytest
from kafka import TopicPartition
from kafka.record.default_records import DefaultRecordBatchBuilder

from sluice_clients import create_topic, kp_consumer, kp_poll, kp_producer
from sluice_wire import (Reader, api_versions_request, connect, fetch_request_v4,
                         metadata_request, parse_api_versions, produce_request_v3, recv_exact,
                         recv_response)

# The keys and lowest maxima that CLIENTS.md says a broker must advertise for the
# clients tested here (core + admin), each range starting at 0.
REQUIRED_MAX = {
    0: 7,    # Produce
    1: 11,   # Fetch
    2: 3,    # ListOffsets
    3: 6,    # Metadata
    18: 3,   # ApiVersions
    19: 4,   # CreateTopics
    20: 3,   # DeleteTopics
    32: 2,   # DescribeConfigs
    33: 1,   # AlterConfigs
    37: 1,   # CreatePartitions
}


@pytest.fixture
def conn(broker):
    s = connect(broker.port)
    yield s
    s.close()


def api_versions(sock, version, correlation_id):
    sock.sendall(api_versions_request(correlation_id, version))
    corr, payload = recv_response(sock)
    assert corr == correlation_id
    return parse_api_versions(payload, version)


def test_api_versions_v0_lists_required_keys_from_zero(conn):
    resp = api_versions(conn, 0, 41)
    assert resp["error_code"] == 0
    keys = resp["api_keys"]
    missing = sorted(set(REQUIRED_MAX) - set(keys))
    assert missing == [], f"ApiVersions v0 lacks keys {missing}; has {sorted(keys)}"
    for key, (lo, hi) in keys.items():
        assert lo == 0, f"api key {key} advertises min {lo}, clients need ranges from 0"
        assert hi >= lo, f"api key {key} advertises an empty range {lo}..{hi}"
    for key, need in REQUIRED_MAX.items():
        assert keys[key][1] >= need, f"api key {key} max {keys[key][1]} < {need}"


@pytest.mark.parametrize("version", [1, 2, 3])
def test_api_versions_all_versions_agree(conn, version):
    v0 = api_versions(conn, 0, 50)
    vn = api_versions(conn, version, 51)  # parse is exact: no byte left over
    assert vn["error_code"] == 0
    assert vn["api_keys"] == v0["api_keys"]
    assert vn["throttle_time_ms"] == 0


def test_api_versions_v3_response_header_has_no_tagged_fields(conn):
    conn.sendall(api_versions_request(77, 3))
    size = struct.unpack(">i", recv_exact(conn, 4))[0]
    data = recv_exact(conn, size)
    assert struct.unpack(">i", data[:4])[0] == 77
    body = data[4:]
    # Response header v0: the body (error_code int16 = 0) starts right after the
    # correlation id, then a compact array whose length is a uvarint > 1.
    assert body[:2] == b"\x00\x00", body[:8]
    r = Reader(body[2:])
    assert r.uvarint() - 1 >= len(REQUIRED_MAX)
    # And the whole body is a flexible v3 body with nothing left over.
    parsed = parse_api_versions(body, 3)
    assert 18 in parsed["api_keys"]


def test_api_versions_unsupported_version_answers_35_with_v0_body(conn):
    conn.sendall(api_versions_request(99, 99))
    corr, payload = recv_response(conn)
    assert corr == 99
    resp = parse_api_versions(payload, 0)  # v0 encoding: int32-counted array, no throttle
    assert resp["error_code"] == 35  # UNSUPPORTED_VERSION
    assert 18 in resp["api_keys"]
    assert resp["api_keys"][18][0] == 0
    assert resp["api_keys"][18][1] >= 3
    # The connection stays open and usable.
    again = api_versions(conn, 0, 100)
    assert again["error_code"] == 0


def test_pipelined_requests_answered_in_order(conn):
    conn.sendall(metadata_request(7001, 1) + metadata_request(7002, 1)
                 + metadata_request(7003, 1))
    assert [recv_response(conn)[0] for _ in range(3)] == [7001, 7002, 7003]

    # Different APIs and versions mixed on one connection, still in order.
    conn.sendall(api_versions_request(8001, 3) + metadata_request(8002, 0)
                 + api_versions_request(8003, 0) + metadata_request(8004, 4, topics=[]))
    assert [recv_response(conn)[0] for _ in range(4)] == [8001, 8002, 8003, 8004]


def _batch(value, key=None):
    b = DefaultRecordBatchBuilder(magic=2, compression_type=0, is_transactional=0,
                                  producer_id=-1, producer_epoch=-1, base_sequence=-1,
                                  batch_size=1 << 20)
    b.append(0, timestamp=int(time.time() * 1000), key=key, value=value, headers=[])
    return bytes(b.build())


def _parse_produce_v3(payload):
    r = Reader(payload)
    out = []
    for _ in range(r.i32()):
        name = r.string()
        for _ in range(r.i32()):
            partition, error, base = r.i32(), r.i16(), r.i64()
            r.i64()  # log_append_time
            out.append((name, partition, error, base))
    r.i32()  # throttle_time_ms
    assert r.remaining() == 0
    return out


def test_produce_acks_0_gets_no_response(broker, conn, topic, closer):
    create_topic(broker.bootstrap, topic, 1)
    conn.sendall(produce_request_v3(600, topic, 0, _batch(b"acks0"), acks=0)
                 + metadata_request(601, 1))
    corr, _ = recv_response(conn)
    assert corr == 601, "the first response after a Produce acks=0 must be the next request's"

    # An acks=1 produce on the same connection is answered, after the acks=0 record.
    conn.sendall(produce_request_v3(602, topic, 0, _batch(b"acks1"), acks=1))
    corr, payload = recv_response(conn)
    assert corr == 602
    assert _parse_produce_v3(payload) == [(topic, 0, 0, 1)]

    c = kp_consumer(broker.bootstrap, auto_offset_reset="earliest")
    closer(lambda: c.close(autocommit=False))
    c.assign([TopicPartition(topic, 0)])
    assert [(r.offset, r.value) for r in kp_poll(c, 2)] == [(0, b"acks0"), (1, b"acks1")]


def _fetch_v4_records(sock, correlation_id, topic):
    """Fetch v4 of partition 0 from offset 0 -> the records bytes."""
    sock.sendall(fetch_request_v4(correlation_id, topic, 0, 0, 1 << 20, max_wait_ms=100))
    corr, payload = recv_response(sock)
    assert corr == correlation_id
    r = Reader(payload)
    r.i32()  # throttle
    assert r.i32() == 1 and r.string() == topic and r.i32() == 1
    assert r.i32() == 0 and r.i16() == 0  # partition, error
    r.i64()
    r.i64()  # high watermark, last stable offset
    assert r.i32() in (-1, 0)  # aborted transactions
    return r.take(r.i32())


@pytest.mark.parametrize("topic_codec,producer_codec,stored", [
    ("gzip", None, 1), ("zstd", "gzip", 4), ("uncompressed", "lz4", 0), ("producer", "gzip", 1),
])
def test_topic_compression_type_is_what_is_stored(broker, conn, topic, closer, topic_codec,
                                                  producer_codec, stored):
    create_topic(broker.bootstrap, topic, 1, config={"compression.type": topic_codec})
    p = kp_producer(broker.bootstrap, compression_type=producer_codec, linger_ms=0)
    closer(p.close)
    values = [b"value %d " % i * 20 for i in range(5)]
    for v in values:
        p.send(topic, key=b"k", value=v, partition=0).get(timeout=20)
    data = _fetch_v4_records(conn, 900, topic)
    codecs = []
    pos = 0
    while pos + 61 <= len(data):
        length = struct.unpack(">i", data[pos + 8:pos + 12])[0]
        attributes = struct.unpack(">h", data[pos + 21:pos + 23])[0]
        codecs.append(attributes & 7)
        pos += 12 + length
    assert codecs == [stored] * len(values), codecs
    c = kp_consumer(broker.bootstrap, auto_offset_reset="earliest")
    closer(lambda: c.close(autocommit=False))
    c.assign([TopicPartition(topic, 0)])
    assert [m.value for m in kp_poll(c, len(values))] == values
