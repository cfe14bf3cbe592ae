"""TLS on SSL and SASL_SSL listeners, next to a PLAINTEXT one.

Certificates are made for the session with the openssl command line (tls_certs.py):
a root CA, the broker's certificate for 127.0.0.1 / localhost, a client certificate
CN=client1,OU=test,O=sluice, and a rogue CA + client certificate the broker does not
trust. Covered:

1. every client works on an SSL listener with hostname verification on: kafka-python
   (ssl_cafile), confluent-kafka and kcat (ssl.ca.location), kafkajs (ssl.ca);
   keyed records with headers, gzip / lz4 batches and 200 KB records (Fetch
   responses near 1 MB), read back over TLS and, byte for byte the same, over
   PLAINTEXT; Metadata advertises the SSL listener;
2. SASL_SSL: SCRAM with confluent-kafka, kafka-python and kafkajs, SCRAM by hand
   over a TLS socket, a wrong password (error 58, one warning line);
3. client certificates (ssl.client.auth=required / requested): a CA-signed
   certificate is accepted (and at debug level the principal
   User:CN=client1,OU=test,O=sluice is logged), no certificate or a rogue one is
   refused within a bounded time by every client, with one warning line naming the
   client address, while other connections go on;
4. the wire by hand (ssl.SSLContext + sluice_wire): ApiVersions / Metadata /
   FindCoordinator, TLS 1.2 and 1.3, pipelined requests in one TLS record, one
   request spread over one-byte TLS records, 8 MB Fetch responses read slowly and
   compared byte for byte with PLAINTEXT's, plaintext bytes on the SSL port (closed,
   no Kafka answer, one warning line with the address), TLS on the PLAINTEXT port,
   stalled handshakes, connections reset while the broker writes, close_notify, a
   clean stop with TLS connections open, ssl.enabled.protocols;
5. bad TLS configuration stops the start, naming the key;
6. key store layouts: certificate first, an encrypted key with ssl.key.password, a
   chain with an intermediate CA, a traditional EC key.
"""

import json
import os
import re
import secrets
import socket
import ssl
import struct
import time
from pathlib import Path

import pytest
from confluent_kafka import KafkaError, Producer
from confluent_kafka.admin import AdminClient, NewTopic
from kafka import TopicPartition as KTopicPartition
from kafka.errors import KafkaError as KPKafkaError
from kafka.errors import NoBrokersAvailable

from sluice_clients import (NODE_ID, cf_consume, create_topic, kp_consumer, kp_poll,
                            kp_producer, kp_read_all, run_node_json, wait_topic_ready)
from sluice_harness import Broker, free_port, wait_until
from sluice_wire import (Reader, api_versions_request, connect, fetch_request_v4, i32,
                         metadata_request, parse_api_versions, recv_exact, recv_response,
                         request, string, wait_closed)
from test_bad_input import BAD_FRAMES, run_bad_config
from test_sasl import (ALL_MECHANISMS, NONE, SASL_AUTHENTICATION_FAILED, ILLEGAL_SASL_STATE,
                       USERS, kcat, raw_metadata_brokers, sasl_handshake, scram_framed,
                       write_users)
from tls_certs import CLIENT2_DN, CLIENT_DN, KEY_PASSWORD, ROGUE_DN, make_certs

NODE_DIR = Path(__file__).resolve().parent / "node"
NODE_TIMEOUT_S = 90

# How long a client may take to report a refused handshake or authentication.
FAILURE_BOUND_S = 25.0

BIG_RECORD_BYTES = 200 * 1024
BIG_RECORDS = 6          # 1.2 MB: a Fetch of max.partition.fetch.bytes (1 MB) is full
SMALL_RECORDS = 20

API_FIND_COORDINATOR = 10
API_SASL_HANDSHAKE = 17


# =================================================================================
# Certificates, brokers and client configurations
# =================================================================================


@pytest.fixture(scope="session")
def certs(tmp_path_factory):
    return make_certs(tmp_path_factory.mktemp("tls-certs"))


def listeners_value(plain_port, ssl_port=None, sasl_ssl_port=None):
    parts = [f"PLAINTEXT://127.0.0.1:{plain_port}"]
    if ssl_port:
        parts.append(f"SSL://127.0.0.1:{ssl_port}")
    if sasl_ssl_port:
        parts.append(f"SASL_SSL://127.0.0.1:{sasl_ssl_port}")
    return ",".join(parts)


def client_context(certs, version=None, cert=None, key=None, ca=None):
    """A client SSLContext trusting the test CA, hostname checking on."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)   # CERT_REQUIRED + check_hostname
    ctx.load_verify_locations(str(ca or certs.ca))
    if version is not None:
        ctx.minimum_version = ctx.maximum_version = version
    if cert is not None:
        ctx.load_cert_chain(str(cert), str(key))
    return ctx


def tls_connect(port, ctx, timeout=10.0):
    """TCP connect + TLS handshake (server_hostname 127.0.0.1, checked against the IP SAN)."""
    raw = connect(port, timeout)
    try:
        return ctx.wrap_socket(raw, server_hostname="127.0.0.1")
    except BaseException:
        raw.close()
        raise


def api_versions_ok(sock, correlation_id=1, version=0):
    sock.sendall(api_versions_request(correlation_id, version))
    cid, body = recv_response(sock)
    assert cid == correlation_id, f"correlation id {cid}, sent {correlation_id}"
    av = parse_api_versions(body, version)
    assert av["error_code"] == 0, av
    return av


def tls_serves(port, ctx):
    """True once a TLS connection to `port` completes and ApiVersions is answered."""
    try:
        with tls_connect(port, ctx, timeout=3) as s:
            api_versions_ok(s)
            return True
    except (OSError, ssl.SSLError, ConnectionError, AssertionError, ValueError):
        return False


def tls_wait_closed(sock, timeout=10.0):
    """wait_closed for a TLS socket: the peer may also end it with a TLS alert or an
    EOF without close_notify."""
    return wait_closed(sock, timeout, closed_by=(ssl.SSLError, ConnectionError, OSError))


def peer_of(sock):
    host, port = sock.getsockname()[:2]
    return f"{host}:{port}"


def warning_lines(text, peer=None, words=()):
    """[warning] lines naming `peer` ("127.0.0.1:port", or any 127.0.0.1 address when
    None) and, case-insensitively, every word of `words` (a word may be a tuple of
    alternatives)."""
    addr_re = re.compile(re.escape(peer) + r"(?!\d)" if peer else r"127\.0\.0\.1:\d+")
    out = []
    for line in text.splitlines():
        if not ("[warning]" in line or "[warn]" in line) or not addr_re.search(line):
            continue
        low = line.lower()
        if all(any(a.lower() in low for a in (w if isinstance(w, tuple) else (w,)))
               for w in words):
            out.append(line)
    return out


# One alternative of these must be on a TLS failure line.
TLS_WORDS = (("tls", "ssl", "handshake"),)


class TlsBroker:
    """A started Broker with PLAINTEXT on .plain_port, SSL on .ssl_port and, if asked,
    SASL_SSL on .sasl_ssl_port."""

    def __init__(self, broker, ssl_port, sasl_ssl_port, certs, client_ctx):
        self.broker = broker
        self.plain_port = broker.port
        self.ssl_port = ssl_port
        self.sasl_ssl_port = sasl_ssl_port
        self.certs = certs
        self.client_ctx = client_ctx   # a context this broker accepts

    @property
    def plain_bootstrap(self):
        return f"127.0.0.1:{self.plain_port}"

    @property
    def ssl_bootstrap(self):
        return f"127.0.0.1:{self.ssl_port}"

    @property
    def sasl_ssl_bootstrap(self):
        return f"127.0.0.1:{self.sasl_ssl_port}"

    def log_mark(self):
        return len(self.broker.log_text())

    def log_since(self, mark):
        return self.broker.log_text()[mark:]

    def wait_warning(self, mark, peer=None, words=TLS_WORDS, exactly_one=False, timeout=10):
        what = (f"a [warning] line naming {peer or '127.0.0.1:<port>'}"
                + (f" and {words}" if words else ""))
        try:
            lines = wait_until(lambda: warning_lines(self.log_since(mark), peer, words),
                               timeout, what)
        except AssertionError as e:
            raise AssertionError(f"{e}; broker log since the attempt:\n"
                                 f"{self.log_since(mark)[-3000:]}") from None
        if exactly_one:
            all_about_peer = [ln for ln in self.log_since(mark).splitlines()
                              if re.search(re.escape(peer) + r"(?!\d)", ln)
                              and ("[warning]" in ln or "[warn]" in ln)]
            assert len(all_about_peer) == 1, (
                f"expected one warning line about {peer}, got {len(all_about_peer)}:\n"
                + "\n".join(all_about_peer))
        return lines

    def assert_served(self, what):
        """A new TLS connection is served (and the PLAINTEXT listener too)."""
        assert self.broker.running(), (f"the broker died {what}; log tail:\n"
                                       f"{self.broker.log_tail()}")
        with tls_connect(self.ssl_port, self.client_ctx) as s:
            api_versions_ok(s, 91)
            assert raw_metadata_brokers(s, 92)[0] == [(NODE_ID, "127.0.0.1", self.ssl_port)]
        with connect(self.plain_port) as s:
            api_versions_ok(s, 93)


def start_tls_broker(directory, binary, certs, keystore=None, *, ssl_conf=None,
                     sasl_ssl=False, users_file=None, client_ctx=None):
    plain_port, ssl_port = free_port(), free_port()
    sasl_ssl_port = free_port() if sasl_ssl else None
    listeners = listeners_value(plain_port, ssl_port, sasl_ssl_port)
    conf = {
        "listeners": listeners,
        "advertised.listeners": listeners,
        "ssl.keystore.location": str(keystore or certs.keystore_key_first),
        # Groups (kafkajs' consumer) start without the 3 s initial delay.
        "group.initial.rebalance.delay.ms": "0",
    }
    if sasl_ssl:
        conf["sasl.users.file"] = str(users_file)
        conf["sasl.enabled.mechanisms"] = ",".join(ALL_MECHANISMS)
    conf.update(ssl_conf or {})
    ctx = client_ctx or client_context(certs)
    b = Broker(directory, binary=binary, port=plain_port, extra=conf)
    try:
        b.start()
        for port in filter(None, (ssl_port, sasl_ssl_port)):
            try:
                wait_until(lambda: tls_serves(port, ctx), 15,
                           f"a TLS handshake and ApiVersions on port {port}", interval=0.1)
            except AssertionError as e:
                raise AssertionError(f"{e}; broker log tail:\n{b.log_tail()}") from None
    except BaseException:
        b.cleanup()
        raise
    return TlsBroker(b, ssl_port, sasl_ssl_port, certs, ctx)


def _module_broker(request, sluiced_bin, tmp_path_factory, certs, **kw):
    d = tmp_path_factory.mktemp(request.fixturename.strip("_"))
    return start_tls_broker(d / "broker", sluiced_bin, certs, **kw)


def _guard(tb, name):
    assert tb.broker.running(), (f"the {name} broker died before this test; log tail:\n"
                                 f"{tb.broker.log_tail()}")
    yield tb
    if not tb.broker.running():
        pytest.fail(f"the {name} broker (pid {tb.broker.pid}) died during this test with code "
                    f"{tb.broker.proc.returncode}; log {tb.broker.log_path}, tail:\n"
                    f"{tb.broker.log_tail()}", pytrace=False)


def _stop(tb):
    try:
        if tb.broker.running():
            tb.broker.stop()   # a clean exit (code 0) is part of the test
    finally:
        tb.broker.cleanup()


@pytest.fixture(scope="module")
def _tls_broker(request, sluiced_bin, tmp_path_factory, certs):
    d = tmp_path_factory.mktemp("tls-users")
    tb = _module_broker(request, sluiced_bin, tmp_path_factory, certs, sasl_ssl=True,
                        users_file=write_users(d))
    try:
        yield tb
    finally:
        _stop(tb)


@pytest.fixture
def tls(_tls_broker):
    """PLAINTEXT + SSL + SASL_SSL (all three SASL mechanisms), no client certificates."""
    yield from _guard(_tls_broker, "TLS test")


@pytest.fixture(scope="module")
def _mtls_broker(request, sluiced_bin, tmp_path_factory, certs):
    ctx = client_context(certs, cert=certs.client_cert, key=certs.client_key)
    tb = _module_broker(request, sluiced_bin, tmp_path_factory, certs, client_ctx=ctx,
                        ssl_conf={"ssl.client.auth": "required",
                                  "ssl.truststore.location": str(certs.ca),
                                  "log.level": "debug"})
    try:
        yield tb
    finally:
        _stop(tb)


@pytest.fixture
def mtls(_mtls_broker):
    """PLAINTEXT + SSL with ssl.client.auth=required (truststore: the test CA), debug log."""
    yield from _guard(_mtls_broker, "client-auth=required")


@pytest.fixture(scope="module")
def _requested_broker(request, sluiced_bin, tmp_path_factory, certs):
    tb = _module_broker(request, sluiced_bin, tmp_path_factory, certs,
                        ssl_conf={"ssl.client.auth": "requested",
                                  "ssl.truststore.location": str(certs.ca),
                                  "log.level": "debug"})
    try:
        yield tb
    finally:
        _stop(tb)


@pytest.fixture
def requested(_requested_broker):
    """PLAINTEXT + SSL with ssl.client.auth=requested (truststore: the test CA), debug log."""
    yield from _guard(_requested_broker, "client-auth=requested")


@pytest.fixture
def make_tls_broker(sluiced_bin, tmp_path, certs):
    made = []

    def factory(keystore=None, **kw):
        tb = start_tls_broker(tmp_path / f"broker{len(made) + 1}", sluiced_bin, certs,
                              keystore, **kw)
        made.append(tb)
        return tb

    yield factory
    for tb in made:
        tb.broker.cleanup()


def kp_ssl(certs, cert=None, key=None):
    kw = dict(security_protocol="SSL", ssl_cafile=str(certs.ca), ssl_check_hostname=True)
    if cert is not None:
        kw.update(ssl_certfile=str(cert), ssl_keyfile=str(key))
    return kw


def cf_ssl(certs, cert=None, key=None):
    conf = {"security.protocol": "SSL", "ssl.ca.location": str(certs.ca),
            "ssl.endpoint.identification.algorithm": "https"}
    if cert is not None:
        conf.update({"ssl.certificate.location": str(cert), "ssl.key.location": str(key)})
    return conf


def cf_sasl_ssl(certs, mechanism, user, password):
    return {"security.protocol": "SASL_SSL", "ssl.ca.location": str(certs.ca),
            "ssl.endpoint.identification.algorithm": "https",
            "sasl.mechanisms": mechanism, "sasl.username": user, "sasl.password": password}


# ---- the records every client test writes and reads back -------------------------


def small_records(tag):
    # Repetitive values so compressed batches really are smaller than the records.
    return [(b"k%02d" % i, (f"{tag} value {i} " * 8).encode(), [("h", b"%d" % i)])
            for i in range(SMALL_RECORDS)]


def big_records():
    return [(b"big%d" % i, os.urandom(BIG_RECORD_BYTES), []) for i in range(BIG_RECORDS)]


def kp_write(producer, topic, records):
    futures = [producer.send(topic, key=k, value=v, headers=h, partition=0)
               for k, v, h in records]
    producer.flush(30)
    return [f.get(timeout=30) for f in futures]


def describe(records):
    """(offset, key, len, head, headers) for readable assertion messages on big values."""
    return [(o, k, len(v), v[:16], h) for o, k, v, h in records]


def kp_records(recs):
    return [(r.offset, r.key, r.value, [(hk, hv) for hk, hv in (r.headers or [])]) for r in recs]


def expected(records):
    return [(i, k, v, h) for i, (k, v, h) in enumerate(records)]


def assert_same_records(got, want, where):
    if got != want:
        raise AssertionError(f"records read {where} differ from those written:\n"
                             f"got  {describe(got)[:8]} ... ({len(got)} records)\n"
                             f"want {describe(want)[:8]} ... ({len(want)} records)")


def cf_brokers(bootstrap, conf):
    md = AdminClient({"bootstrap.servers": bootstrap, **conf}).list_topics(timeout=15)
    return sorted((b.id, b.host, b.port) for b in md.brokers.values())


def run_tls_js(bootstrap, topic, options):
    return run_node_json("tls.js", bootstrap, topic, json.dumps(options), timeout=NODE_TIMEOUT_S)


def assert_kafkajs_round_trip(out, stderr, topic, port, count):
    assert out["ok"] is True, f"{out}; stderr:\n{stderr[-3000:]}"
    assert out["brokers"] == [{"nodeId": NODE_ID, "host": "127.0.0.1", "port": port}], (
        out["brokers"])
    assert [(m["topicName"], m["partition"], m["errorCode"]) for m in out["sent"]] == [
        (topic, 0, 0)] * len(out["sent"])
    got = sorted(out["received"], key=lambda m: int(m["offset"]))
    assert [int(m["offset"]) for m in got] == list(range(len(out["sentRecords"])))
    assert [(m["partition"], m["key"], m["length"], m["sha256"]) for m in got] == [
        (0, s["key"], s["length"], s["sha256"]) for s in out["sentRecords"]]
    assert [m["value"] for m in got[:count]] == [f"kafkajs tls value {i}" for i in range(count)]


# =================================================================================
# 1. Each client on the SSL listener
# =================================================================================


@pytest.mark.parametrize("compression", [None, "gzip", "lz4"])
def test_kafka_python_ssl_produce_consume(tls, certs, topic, closer, compression):
    create_topic(tls.plain_bootstrap, topic, 1)
    kw = kp_ssl(certs)
    p = kp_producer(tls.ssl_bootstrap, compression_type=compression, linger_ms=20, **kw)
    closer(lambda: p.close(timeout=5))
    records = small_records(f"kafka-python {compression}") + big_records()
    metas = kp_write(p, topic, records)
    assert [m.offset for m in metas] == list(range(len(records)))

    want = expected(records)
    got_tls = kp_records(kp_read_all(tls.ssl_bootstrap, topic, 1, **kw)[0])
    assert_same_records(got_tls, want, "over SSL")
    got_plain = kp_records(kp_read_all(tls.plain_bootstrap, topic, 1)[0])
    assert_same_records(got_plain, want, "over PLAINTEXT")


def cf_round_trip(bootstrap, topic, conf, records, what, errors, **producer_conf):
    """Produces `records` to partition 0 with confluent-kafka, checks every delivery and
    reads them back, comparing with what was written."""
    p = Producer({"bootstrap.servers": bootstrap, "error_cb": errors.append, **producer_conf,
                  **conf})
    delivered = []
    for k, v, h in records:
        p.produce(topic, key=k, value=v, headers=h, partition=0,
                  on_delivery=lambda err, msg: delivered.append((err, msg)))
        p.poll(0)
    assert p.flush(30) == 0, "messages still queued after 30s"
    assert [err for err, _ in delivered] == [None] * len(records), delivered[:3]
    assert sorted(m.offset() for _, m in delivered) == list(range(len(records)))
    got = cf_consume(bootstrap, topic, 0, len(records), timeout=30, **conf)
    got = [(m.offset(), m.key(), m.value(), list(m.headers() or [])) for m in got]
    assert_same_records(got, expected(records), what)
    assert errors == [], [str(e) for e in errors]


@pytest.mark.parametrize("compression", ["none", "gzip", "lz4"])
def test_confluent_kafka_ssl_produce_consume(tls, certs, topic, compression):
    conf = cf_ssl(certs)
    errors = []
    # Admin requests go over TLS too.
    admin = AdminClient({"bootstrap.servers": tls.ssl_bootstrap, "error_cb": errors.append, **conf})
    admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)],
                        request_timeout=30)[topic].result(30)
    wait_topic_ready(admin, topic, 1)
    assert cf_brokers(tls.ssl_bootstrap, conf) == [(NODE_ID, "127.0.0.1", tls.ssl_port)]

    records = small_records(f"confluent {compression}") + big_records()
    cf_round_trip(tls.ssl_bootstrap, topic, conf, records, "over SSL by librdkafka", errors,
                  **{"compression.type": compression, "linger.ms": 20})


def test_kcat_ssl_produce_consume_and_metadata(tls, certs, topic):
    create_topic(tls.plain_bootstrap, topic, 1)
    conf = cf_ssl(certs)
    big = secrets.token_hex(BIG_RECORD_BYTES // 2)
    lines = [f"key{i}:kcat value {i}" for i in range(5)] + [f"bigkey:{big}"]
    kcat(tls.ssl_bootstrap, conf, "-P", "-t", topic, "-p", "0", "-K:", "-z", "gzip",
         stdin="\n".join(lines) + "\n")
    out = kcat(tls.ssl_bootstrap, conf, "-C", "-t", topic, "-e", "-J", "-o", "beginning").stdout
    msgs = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert [(m["partition"], m["offset"], m["key"], m["payload"]) for m in msgs] == [
        (0, i, f"key{i}", f"kcat value {i}") for i in range(5)] + [(0, 5, "bigkey", big)]
    md = json.loads(kcat(tls.ssl_bootstrap, conf, "-L", "-t", topic, "-J").stdout)
    assert [(b["id"], b["name"]) for b in md["brokers"]] == [(NODE_ID, tls.ssl_bootstrap)]


@pytest.mark.parametrize("compression", ["none", "gzip"])
def test_kafkajs_ssl_produce_consume(kafkajs_installed, tls, certs, topic, compression):
    create_topic(tls.plain_bootstrap, topic, 1)
    out, _, stderr = run_tls_js(tls.ssl_bootstrap, topic, {
        "ca": str(certs.ca), "count": 5, "bigBytes": BIG_RECORD_BYTES,
        "compression": compression})
    assert_kafkajs_round_trip(out, stderr, topic, tls.ssl_port, 5)


def slow_read_response(sock, chunk=1024, timeout=60.0):
    """One response frame read `chunk` bytes at a time -> the frame (size prefix included)."""
    size = struct.unpack(">i", recv_exact(sock, 4, timeout))[0]
    assert 0 < size <= 100 * 1024 * 1024, f"implausible response size {size}"
    out = bytearray(i32(size))
    deadline = time.monotonic() + timeout
    while len(out) < size + 4:
        assert time.monotonic() < deadline, (
            f"response not complete after {timeout}s: {len(out) - 4} of {size} bytes")
        out += recv_exact(sock, min(chunk, size + 4 - len(out)), timeout)
    return bytes(out)


def write_big_topic(bootstrap, topic, closer, count=40):
    create_topic(bootstrap, topic, 1)
    p = kp_producer(bootstrap, max_request_size=1024 * 1024)
    closer(lambda: p.close(timeout=5))
    records = [(b"mb%02d" % i, os.urandom(BIG_RECORD_BYTES), []) for i in range(count)]
    assert [m.offset for m in kp_write(p, topic, records)] == list(range(len(records)))
    return records


def test_raw_fetches_of_8_mb_are_byte_identical_over_tls_and_plaintext(tls, topic, closer):
    """Two Fetch v4 requests (8 MB and 4 MB of answers) and an ApiVersions between them,
    in one write, read slowly through a 4 KB receive buffer, on each listener: the
    broker's TLS writes stall again and again part way through a response and must
    resume where they stopped, in order; the bytes are the same as on PLAINTEXT (which
    may use sendfile)."""
    write_big_topic(tls.plain_bootstrap, topic, closer)
    requests = (fetch_request_v4(7, topic, 0, 0, 16 * 1024 * 1024)
                + api_versions_request(8, 0)
                + fetch_request_v4(9, topic, 0, 20, 16 * 1024 * 1024))
    responses = {}
    for name, port in (("PLAINTEXT", tls.plain_port), ("SSL", tls.ssl_port)):
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        raw.settimeout(10)
        raw.connect(("127.0.0.1", port))
        s = tls.client_ctx.wrap_socket(raw, server_hostname="127.0.0.1") if name == "SSL" else raw
        with s:
            s.sendall(requests)
            responses[name] = [slow_read_response(s) for _ in range(3)]
            # The connection is still in step: the next request is answered.
            api_versions_ok(s, 10)
    plain, over_tls = responses["PLAINTEXT"], responses["SSL"]
    assert [struct.unpack(">i", r[4:8])[0] for r in over_tls] == [7, 8, 9]
    assert len(plain[0]) > 8 * 1000 * 1000, f"only {len(plain[0])} bytes in the Fetch response"
    assert len(plain[2]) > 4 * 1000 * 1000, f"only {len(plain[2])} bytes in the Fetch response"
    for i, (a, b) in enumerate(zip(plain, over_tls)):
        if a != b:
            n = min(len(a), len(b))
            first = next((j for j in range(n) if a[j] != b[j]), n)
            raise AssertionError(f"response {i + 1}: PLAINTEXT {len(a)} bytes, SSL {len(b)} "
                                 f"bytes, first difference at byte {first}")


@pytest.mark.timeout(180)
@pytest.mark.parametrize("client", ["kafka-python", "confluent-kafka"])
def test_multi_megabyte_fetches_over_tls(tls, certs, topic, closer, client):
    """8 MB written over PLAINTEXT and read by the clients over TLS with Fetch responses
    of several MB (kafka-python with a 4 KB receive buffer as well; librdkafka 2.0.2
    itself stalls with one that small, on PLAINTEXT too)."""
    records = write_big_topic(tls.plain_bootstrap, topic, closer)
    want = expected(records)
    if client == "kafka-python":
        got = kp_records(kp_read_all(
            tls.ssl_bootstrap, topic, 1, timeout=60, receive_buffer_bytes=4096,
            max_partition_fetch_bytes=16 * 1024 * 1024, fetch_max_bytes=64 * 1024 * 1024,
            request_timeout_ms=60000, **kp_ssl(certs))[0])
    else:
        conf = cf_ssl(certs)
        conf.update({"max.partition.fetch.bytes": 16 * 1024 * 1024,
                     "fetch.max.bytes": 64 * 1024 * 1024,
                     "receive.message.max.bytes": 80 * 1024 * 1024})
        got = [(m.offset(), m.key(), m.value(), list(m.headers() or []))
               for m in cf_consume(tls.ssl_bootstrap, topic, 0, len(records), timeout=60,
                                   **conf)]
    assert_same_records(got, want, f"over SSL by {client}")


def test_each_listener_advertises_itself(tls):
    with connect(tls.plain_port) as s:
        assert raw_metadata_brokers(s, 1)[0] == [(NODE_ID, "127.0.0.1", tls.plain_port)]
    with tls_connect(tls.ssl_port, tls.client_ctx) as s:
        assert raw_metadata_brokers(s, 2)[0] == [(NODE_ID, "127.0.0.1", tls.ssl_port)]
    with tls_connect(tls.sasl_ssl_port, tls.client_ctx) as s:
        scram, final = scram_framed(s, "SCRAM-SHA-512", "alice", USERS["alice"])
        assert final["error_code"] == NONE, final
        assert raw_metadata_brokers(s, 4)[0] == [(NODE_ID, "127.0.0.1", tls.sasl_ssl_port)]


def test_kafka_python_refuses_a_broker_signed_by_another_ca(tls, certs, closer):
    """The client really verifies the broker: trusting only the rogue CA, kafka-python
    cannot connect (so the successes above are not a verification left off)."""
    kw = kp_ssl(certs)
    kw["ssl_cafile"] = str(certs.rogue_ca)
    started = time.monotonic()
    try:
        p = kp_producer(tls.ssl_bootstrap, api_version_auto_timeout_ms=5000, **kw)
    except (NoBrokersAvailable, KPKafkaError, ssl.SSLError):
        pass
    else:
        closer(lambda: p.close(timeout=5))
        pytest.fail("kafka-python accepted a broker certificate its CA did not sign")
    assert time.monotonic() - started < FAILURE_BOUND_S


# =================================================================================
# 2. SASL_SSL
# =================================================================================


def test_confluent_kafka_sasl_ssl_scram_sha_512(tls, certs, topic):
    conf = cf_sasl_ssl(certs, "SCRAM-SHA-512", "bob", USERS["bob"])
    errors = []
    admin = AdminClient({"bootstrap.servers": tls.sasl_ssl_bootstrap, "error_cb": errors.append,
                         **conf})
    admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)],
                        request_timeout=30)[topic].result(30)
    wait_topic_ready(admin, topic, 1)
    assert cf_brokers(tls.sasl_ssl_bootstrap, conf) == [(NODE_ID, "127.0.0.1", tls.sasl_ssl_port)]

    records = small_records("confluent sasl_ssl") + big_records()[:2]
    cf_round_trip(tls.sasl_ssl_bootstrap, topic, conf, records, "over SASL_SSL by librdkafka",
                  errors, **{"compression.type": "lz4"})


def test_kafka_python_sasl_ssl_scram_sha_256(tls, certs, topic, closer):
    create_topic(tls.plain_bootstrap, topic, 1)
    kw = dict(security_protocol="SASL_SSL", ssl_cafile=str(certs.ca), ssl_check_hostname=True,
              sasl_mechanism="SCRAM-SHA-256", sasl_plain_username="alice",
              sasl_plain_password=USERS["alice"])
    p = kp_producer(tls.sasl_ssl_bootstrap, compression_type="gzip", **kw)
    closer(lambda: p.close(timeout=5))
    records = small_records("kafka-python sasl_ssl") + big_records()[:2]
    assert [m.offset for m in kp_write(p, topic, records)] == list(range(len(records)))
    c = kp_consumer(tls.sasl_ssl_bootstrap, auto_offset_reset="earliest", **kw)
    closer(lambda: c.close(autocommit=False))
    c.assign([KTopicPartition(topic, 0)])
    assert_same_records(kp_records(kp_poll(c, len(records))), expected(records),
                        "over SASL_SSL by kafka-python")


def test_kafkajs_sasl_ssl_scram_sha_512(kafkajs_installed, tls, certs, topic):
    create_topic(tls.plain_bootstrap, topic, 1)
    out, _, stderr = run_tls_js(tls.sasl_ssl_bootstrap, topic, {
        "ca": str(certs.ca), "count": 5, "bigBytes": BIG_RECORD_BYTES, "compression": "gzip",
        "sasl": {"mechanism": "scram-sha-512", "username": "alice", "password": USERS["alice"]}})
    assert_kafkajs_round_trip(out, stderr, topic, tls.sasl_ssl_port, 5)


def test_confluent_kafka_sasl_ssl_wrong_password(tls, certs):
    password = "wrong-pw-" + secrets.token_hex(6)
    mark = tls.log_mark()
    errors = []
    started = time.monotonic()
    p = Producer({"bootstrap.servers": tls.sasl_ssl_bootstrap, "error_cb": errors.append,
                  "reconnect.backoff.ms": 1000, "reconnect.backoff.max.ms": 5000,
                  **cf_sasl_ssl(certs, "SCRAM-SHA-512", "alice", password)})
    try:
        def auth_error():
            p.poll(0.2)
            return [e for e in errors if e.code() == KafkaError._AUTHENTICATION]
        try:
            wait_until(auth_error, FAILURE_BOUND_S, "an _AUTHENTICATION error over SASL_SSL")
        except AssertionError as e:
            raise AssertionError(f"{e}; errors seen: {[str(x) for x in errors]}") from None
        assert time.monotonic() - started < FAILURE_BOUND_S
    finally:
        p.flush(0)
        p = None
    tls.wait_warning(mark, words=("SCRAM-SHA-512", "alice"))
    assert password not in tls.broker.log_text(), "the password appears in the broker log"


def test_scram_by_hand_over_tls(tls, certs):
    for version in (0, 1):
        with tls_connect(tls.sasl_ssl_port, tls.client_ctx) as s:
            scram, final = scram_framed(s, "SCRAM-SHA-256", "bob", USERS["bob"], version=version)
            assert final["error_code"] == NONE, final
            scram.check_server_final(final["auth_bytes"])
            assert raw_metadata_brokers(s, 4)[0] == [(NODE_ID, "127.0.0.1", tls.sasl_ssl_port)]


def test_scram_tampered_proof_over_tls_error_58_then_close(tls):
    mark = tls.log_mark()
    with tls_connect(tls.sasl_ssl_port, tls.client_ctx) as s:
        peer = peer_of(s)
        _, final = scram_framed(s, "SCRAM-SHA-512", "alice", USERS["alice"], tamper=True)
        assert final["error_code"] == SASL_AUTHENTICATION_FAILED, final
        assert tls_wait_closed(s) == b"", "bytes after a SASL_AUTHENTICATION_FAILED response"
    tls.wait_warning(mark, peer=peer, words=("SCRAM-SHA-512", "alice"), exactly_one=True)
    tls.assert_served("after a refused SCRAM proof")


def test_metadata_before_sasl_on_sasl_ssl_closes(tls):
    with tls_connect(tls.sasl_ssl_port, tls.client_ctx) as s:
        s.sendall(metadata_request(1, version=1, topics=None))
        assert tls_wait_closed(s) == b"", "the broker answered Metadata before authentication"


def test_sasl_handshake_on_ssl_listener_is_illegal_state(tls):
    with tls_connect(tls.ssl_port, tls.client_ctx) as s:
        err, _ = sasl_handshake(s, "PLAIN", version=1)
        assert err == ILLEGAL_SASL_STATE


def test_plaintext_sasl_handshake_on_sasl_ssl_port_closes(tls):
    with connect(tls.sasl_ssl_port) as s:
        s.sendall(request(API_SASL_HANDSHAKE, 1, 1, string("PLAIN")))
        received = wait_closed(s)
        assert_not_kafka(received)
    tls.assert_served("after plaintext bytes on the SASL_SSL port")


# =================================================================================
# 3. Client certificates
# =================================================================================


def client_cert_ctx(certs, which, version=None):
    if which == "ca-signed":
        return client_context(certs, version, cert=certs.client_cert, key=certs.client_key)
    if which == "rogue":
        return client_context(certs, version, cert=certs.rogue_cert, key=certs.rogue_key)
    assert which == "none"
    return client_context(certs, version)


VERSIONS = {"TLSv1.2": ssl.TLSVersion.TLSv1_2, "TLSv1.3": ssl.TLSVersion.TLSv1_3}


def principal_line(text, peer, dn=CLIENT_DN):
    want = f"client {peer} authenticated as User:{dn} with TLS"
    return [ln for ln in text.splitlines() if want in ln]


def wait_principal(tb, mark, peer, dn=CLIENT_DN):
    try:
        wait_until(lambda: principal_line(tb.log_since(mark), peer, dn), 10,
                   f"'client {peer} authenticated as User:{dn} with TLS' in the log")
    except AssertionError as e:
        raise AssertionError(f"{e}; log since the connection:\n"
                             f"{tb.log_since(mark)[-3000:]}") from None


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_client_auth_required_ca_signed_cert_is_served(mtls, certs, version):
    mark = mtls.log_mark()
    with tls_connect(mtls.ssl_port, client_cert_ctx(certs, "ca-signed", VERSIONS[version])) as s:
        peer = peer_of(s)
        assert s.version() == version
        api_versions_ok(s)
        assert raw_metadata_brokers(s, 2)[0] == [(NODE_ID, "127.0.0.1", mtls.ssl_port)]
    # At debug level the principal is logged: User: + the certificate's subject DN.
    wait_principal(mtls, mark, peer)
    assert warning_lines(mtls.log_since(mark), peer) == []


def test_client_auth_required_accepts_a_chain_via_an_intermediate(mtls, certs):
    """client2's certificate is signed by an intermediate CA the broker's trust store
    does not hold; the client sends the intermediate with it, which is enough."""
    mark = mtls.log_mark()
    ctx = client_context(certs, cert=certs.client2_chain, key=certs.client2_key)
    with tls_connect(mtls.ssl_port, ctx) as s:
        peer = peer_of(s)
        api_versions_ok(s)
    wait_principal(mtls, mark, peer, CLIENT2_DN)


def test_client_auth_trust_store_with_two_cas(make_tls_broker, certs):
    """Every CA of ssl.truststore.location is trusted, not only the first one."""
    good = client_cert_ctx(certs, "ca-signed")
    tb = make_tls_broker(client_ctx=good, ssl_conf={
        "ssl.client.auth": "required", "ssl.truststore.location": str(certs.truststore_two_cas),
        "log.level": "debug"})
    for which, dn in (("ca-signed", CLIENT_DN), ("rogue", ROGUE_DN)):
        mark = tb.log_mark()
        with tls_connect(tb.ssl_port, client_cert_ctx(certs, which)) as s:
            peer = peer_of(s)
            api_versions_ok(s)
        wait_principal(tb, mark, peer, dn)
    with pytest.raises((ssl.SSLError, ConnectionError, OSError)):
        with tls_connect(tb.ssl_port, client_cert_ctx(certs, "none")) as s:
            api_versions_ok(s)


@pytest.mark.parametrize("which", ["none", "rogue"])
@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_client_auth_required_refuses_by_hand(mtls, certs, which, version):
    """No certificate, or one the truststore's CA did not sign: the handshake fails
    (with TLS 1.3 the client learns it at its first read), no Kafka response, one
    warning line naming the client address; other connections go on."""
    bystander = tls_connect(mtls.ssl_port, mtls.client_ctx)
    try:
        api_versions_ok(bystander, 1)
        mark = mtls.log_mark()
        raw = connect(mtls.ssl_port)
        peer = peer_of(raw)
        started = time.monotonic()
        try:
            s = client_cert_ctx(certs, which, VERSIONS[version]).wrap_socket(
                raw, server_hostname="127.0.0.1")
        except (ssl.SSLError, ConnectionError, OSError):
            outcome = "handshake failed"
            raw.close()
        else:
            with s:
                try:
                    s.sendall(api_versions_request(2, 0))
                except (ssl.SSLError, ConnectionError, OSError):
                    pass
                received = tls_wait_closed(s)
                assert received == b"", (
                    f"the broker answered a client with {which} certificate: {received[:64]!r}")
                outcome = "closed after the handshake"
        assert time.monotonic() - started < 10, outcome
        lines = mtls.wait_warning(mark, peer=peer, words=("certificate",), exactly_one=True)
        assert not principal_line(mtls.log_since(mark), peer), lines
        # The connection opened before is still served, and new ones are.
        api_versions_ok(bystander, 3)
        mtls.assert_served(f"after a client with {which} certificate")
    finally:
        bystander.close()


@pytest.mark.parametrize("version", sorted(VERSIONS))
@pytest.mark.parametrize("which_broker", ["tls", "mtls", "requested"])
def test_session_resumption(request, certs, which_broker, version):
    """A client reconnecting with the TLS session of its previous connection (TLS 1.2
    session id / ticket, TLS 1.3 ticket; Java clients do this) is served, whether the
    broker resumes the session or makes a full handshake; with client certificates a
    resumed connection keeps the certificate's principal."""
    tb = request.getfixturevalue(which_broker)
    ctx = client_cert_ctx(certs, "ca-signed", VERSIONS[version])
    with tls_connect(tb.ssl_port, ctx) as s:
        api_versions_ok(s)          # TLS 1.3 tickets arrive after the handshake
        session = s.session
    assert session is not None
    mark = tb.log_mark()
    raw = connect(tb.ssl_port)
    peer = peer_of(raw)
    try:
        s = ctx.wrap_socket(raw, server_hostname="127.0.0.1", session=session)
    except (ssl.SSLError, ConnectionError, OSError) as e:
        raw.close()
        raise AssertionError(f"the handshake resuming a {version} session failed: {e!r}; "
                             f"broker log since:\n{tb.log_since(mark)[-2000:]}") from None
    with s:
        api_versions_ok(s, 2)
        assert raw_metadata_brokers(s, 3)[0] == [(NODE_ID, "127.0.0.1", tb.ssl_port)]
        reused = s.session_reused
    if which_broker != "tls":
        try:
            wait_principal(tb, mark, peer)
        except AssertionError as e:
            raise AssertionError(f"session reused: {reused}; {e}") from None


def test_client_auth_required_kafka_python_with_cert(mtls, certs, topic, closer):
    create_topic(mtls.plain_bootstrap, topic, 1)
    kw = kp_ssl(certs, certs.client_cert, certs.client_key)
    p = kp_producer(mtls.ssl_bootstrap, compression_type="gzip", **kw)
    closer(lambda: p.close(timeout=5))
    records = small_records("mtls kafka-python") + big_records()[:2]
    assert [m.offset for m in kp_write(p, topic, records)] == list(range(len(records)))
    got = kp_records(kp_read_all(mtls.ssl_bootstrap, topic, 1, **kw)[0])
    assert_same_records(got, expected(records), "over SSL with a client certificate")


def test_client_auth_required_confluent_kafka_with_cert(mtls, certs, topic):
    create_topic(mtls.plain_bootstrap, topic, 1)
    conf = cf_ssl(certs, certs.client_cert, certs.client_key)
    errors = []
    assert cf_brokers(mtls.ssl_bootstrap, conf) == [(NODE_ID, "127.0.0.1", mtls.ssl_port)]
    records = small_records("mtls confluent") + big_records()[:2]
    cf_round_trip(mtls.ssl_bootstrap, topic, conf, records,
                  "over SSL with a client certificate (librdkafka)", errors,
                  **{"compression.type": "lz4"})


def test_client_auth_required_kafkajs_with_cert(kafkajs_installed, mtls, certs, topic):
    create_topic(mtls.plain_bootstrap, topic, 1)
    out, _, stderr = run_tls_js(mtls.ssl_bootstrap, topic, {
        "ca": str(certs.ca), "cert": str(certs.client_cert), "key": str(certs.client_key),
        "count": 5, "bigBytes": BIG_RECORD_BYTES})
    assert_kafkajs_round_trip(out, stderr, topic, mtls.ssl_port, 5)


@pytest.mark.parametrize("which", ["none", "rogue"])
def test_client_auth_required_kafka_python_refused(mtls, certs, closer, which):
    mark = mtls.log_mark()
    cert = {"none": (None, None), "rogue": (certs.rogue_cert, certs.rogue_key)}[which]
    started = time.monotonic()
    try:
        p = kp_producer(mtls.ssl_bootstrap, api_version_auto_timeout_ms=5000,
                        **kp_ssl(certs, *cert))
    except (NoBrokersAvailable, KPKafkaError, ssl.SSLError, OSError):
        pass
    else:
        closer(lambda: p.close(timeout=5))
        pytest.fail(f"kafka-python connected with {which} client certificate")
    assert time.monotonic() - started < FAILURE_BOUND_S
    mtls.wait_warning(mark, words=("certificate",))
    mtls.assert_served(f"after kafka-python with {which} certificate")


@pytest.mark.parametrize("which", ["none", "rogue"])
def test_client_auth_required_confluent_kafka_refused(mtls, certs, topic, which):
    mark = mtls.log_mark()
    cert = {"none": (None, None), "rogue": (certs.rogue_cert, certs.rogue_key)}[which]
    errors = []
    delivered = []
    started = time.monotonic()
    p = Producer({"bootstrap.servers": mtls.ssl_bootstrap, "error_cb": errors.append,
                  "reconnect.backoff.ms": 1000, "reconnect.backoff.max.ms": 5000,
                  "message.timeout.ms": 8000, **cf_ssl(certs, *cert)})
    try:
        p.produce(topic, value=b"must not be written", partition=0,
                  on_delivery=lambda err, msg: delivered.append(err))

        def tls_error():
            p.poll(0.2)
            return [e for e in errors if e.code() in (KafkaError._SSL, KafkaError._TRANSPORT)]
        try:
            wait_until(tls_error, FAILURE_BOUND_S,
                       f"an _SSL/_TRANSPORT error ({which} certificate)")
        except AssertionError as e:
            raise AssertionError(f"{e}; errors seen: {[str(x) for x in errors]}") from None
        assert time.monotonic() - started < FAILURE_BOUND_S
        wait_until(lambda: (p.poll(0.2), delivered)[1], 20, "the delivery report of the record")
        assert delivered[0] is not None, "the record was delivered without a valid certificate"
    finally:
        p.flush(0)
        p = None
    mtls.wait_warning(mark, words=("certificate",))
    mtls.assert_served(f"after librdkafka with {which} certificate")


@pytest.mark.parametrize("which", ["none", "rogue"])
def test_client_auth_required_kafkajs_refused(kafkajs_installed, mtls, certs, topic, which):
    create_topic(mtls.plain_bootstrap, topic, 1)
    options = {"ca": str(certs.ca), "count": 1}
    if which == "rogue":
        options.update(cert=str(certs.rogue_cert), key=str(certs.rogue_key))
    mark = mtls.log_mark()
    out, elapsed, stderr = run_tls_js(mtls.ssl_bootstrap, topic, options)
    assert out["ok"] is False, f"kafkajs connected with {which} client certificate: {out}"
    assert out["stage"] == "connect", f"{out}; stderr:\n{stderr[-3000:]}"
    assert elapsed < FAILURE_BOUND_S + 5, f"kafkajs gave up only after {elapsed:.1f}s: {out}"
    mtls.wait_warning(mark, words=("certificate",))


def test_client_auth_requested_without_cert_is_served(requested, certs, topic, closer):
    create_topic(requested.plain_bootstrap, topic, 1)
    kw = kp_ssl(certs)
    p = kp_producer(requested.ssl_bootstrap, **kw)
    closer(lambda: p.close(timeout=5))
    records = small_records("requested, no certificate")
    assert [m.offset for m in kp_write(p, topic, records)] == list(range(len(records)))
    got = kp_records(kp_read_all(requested.ssl_bootstrap, topic, 1, **kw)[0])
    assert_same_records(got, expected(records), "over SSL without a certificate (requested)")
    for version in VERSIONS.values():
        with tls_connect(requested.ssl_port, client_context(certs, version)) as s:
            api_versions_ok(s)


def test_client_auth_requested_with_cert_logs_the_principal(requested, certs):
    mark = requested.log_mark()
    with tls_connect(requested.ssl_port, client_cert_ctx(certs, "ca-signed")) as s:
        peer = peer_of(s)
        api_versions_ok(s)
        assert raw_metadata_brokers(s, 2)[0] == [(NODE_ID, "127.0.0.1", requested.ssl_port)]
    wait_principal(requested, mark, peer)


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_client_auth_requested_rogue_cert_is_refused(requested, certs, version):
    """'requested' makes the certificate optional, not its verification: one that the
    trust store's CA did not sign fails the handshake (as with Kafka), and no principal
    is taken from it."""
    mark = requested.log_mark()
    raw = connect(requested.ssl_port)
    peer = peer_of(raw)
    try:
        s = client_cert_ctx(certs, "rogue", VERSIONS[version]).wrap_socket(
            raw, server_hostname="127.0.0.1")
    except (ssl.SSLError, ConnectionError, OSError):
        raw.close()
    else:
        with s:
            try:
                s.sendall(api_versions_request(2, 0))
            except (ssl.SSLError, ConnectionError, OSError):
                pass
            assert tls_wait_closed(s) == b"", "the broker answered a rogue certificate"
    requested.wait_warning(mark, peer=peer, words=("certificate",), exactly_one=True)
    assert not principal_line(requested.log_since(mark), peer, ROGUE_DN)


# =================================================================================
# 4. The wire by hand
# =================================================================================


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_api_versions_and_metadata_over_tls(tls, certs, version):
    with tls_connect(tls.ssl_port, client_context(certs, VERSIONS[version])) as s:
        assert s.version() == version
        av0 = api_versions_ok(s, 1, version=0)
        av3 = api_versions_ok(s, 2, version=3)
        assert av0["api_keys"] == av3["api_keys"]
        assert 0 in av0["api_keys"] and 1 in av0["api_keys"] and 3 in av0["api_keys"]
        brokers, controller = raw_metadata_brokers(s, 3)
        assert brokers == [(NODE_ID, "127.0.0.1", tls.ssl_port)]
        assert controller == NODE_ID
        # The certificate presented is the broker's.
        der = s.getpeercert(binary_form=True)
    assert der == ssl.PEM_cert_to_DER_cert(certs.broker_cert.read_text())


def test_default_negotiation_is_tls13(tls, certs):
    with tls_connect(tls.ssl_port, client_context(certs)) as s:
        assert s.version() == "TLSv1.3"
        api_versions_ok(s)


def find_coordinator_v0(sock, group, correlation_id):
    sock.sendall(request(API_FIND_COORDINATOR, 0, correlation_id, string(group)))
    cid, body = recv_response(sock)
    assert cid == correlation_id
    r = Reader(body)
    out = (r.i16(), r.i32(), r.string(), r.i32())
    assert r.remaining() == 0
    return out


def test_find_coordinator_over_tls_advertises_the_ssl_listener(tls):
    group = "tls-fc-" + secrets.token_hex(4)
    with tls_connect(tls.ssl_port, tls.client_ctx) as s:
        ids = iter(range(100, 100000))

        def coordinator():
            answer = find_coordinator_v0(s, group, next(ids))
            return answer if answer[0] == NONE else None
        _, node, host, port = wait_until(coordinator, 30, f"FindCoordinator for {group}",
                                         interval=0.2)
    assert (node, host, port) == (NODE_ID, "127.0.0.1", tls.ssl_port)


def test_pipelined_requests_in_one_tls_write(tls):
    """Twenty requests in one write (one or two TLS records): twenty responses, in order."""
    with tls_connect(tls.ssl_port, tls.client_ctx) as s:
        reqs = []
        for cid in range(1, 21):
            reqs.append(api_versions_request(cid, 0) if cid % 2 else
                        metadata_request(cid, version=1, topics=[]))
        s.sendall(b"".join(reqs))
        for cid in range(1, 21):
            got, body = recv_response(s)
            assert got == cid, f"response {got} where {cid} was expected"
            if cid % 2:
                assert parse_api_versions(body, 0)["error_code"] == 0


def test_request_spread_over_one_byte_tls_records(tls):
    """Each byte in its own TLS record: the broker must reassemble the frame."""
    with tls_connect(tls.ssl_port, tls.client_ctx) as s:
        for cid, data in ((1, api_versions_request(1, 0)),
                          (2, metadata_request(2, version=1, topics=[]))):
            for i in range(len(data)):
                s.sendall(data[i:i + 1])
            assert recv_response(s)[0] == cid


def test_many_tls_connections_at_once(tls):
    socks = []
    try:
        for _ in range(30):
            socks.append(tls_connect(tls.ssl_port, tls.client_ctx))
        for i, s in enumerate(socks):
            s.sendall(api_versions_request(i + 1, 0) + metadata_request(i + 1001, 1, topics=[]))
        for i, s in enumerate(socks):
            assert recv_response(s)[0] == i + 1
            assert recv_response(s)[0] == i + 1001
    finally:
        for s in socks:
            s.close()


def assert_not_kafka(received):
    """What the broker may send to a plaintext client on a TLS port before closing:
    nothing, or a TLS alert record (content type 21) - never a Kafka response."""
    assert received == b"" or (received[0] == 0x15 and len(received) <= 7), (
        f"the broker answered plaintext bytes on a TLS port with {received[:64]!r}")


@pytest.mark.parametrize("name", ["unknown_api_key_9999", "metadata_v99", "negative_length",
                                  "length_over_socket_request_max_bytes"])
def test_bad_frame_inside_tls_closes_only_that_connection(tls, name):
    """test_bad_input.py's malformed frames, sent inside a TLS session: closed without an
    answer, logged with the client address, other TLS connections served."""
    bystander = tls_connect(tls.ssl_port, tls.client_ctx)
    try:
        api_versions_ok(bystander, 1)
        mark = tls.log_mark()
        with tls_connect(tls.ssl_port, tls.client_ctx) as s:
            peer = peer_of(s)
            s.sendall(BAD_FRAMES[name])
            received = tls_wait_closed(s)
            assert received == b"", f"the broker answered {received[:64]!r} instead of closing"
        tls.wait_warning(mark, peer=peer, words=(), exactly_one=True)
        api_versions_ok(bystander, 2)
        tls.assert_served(f"after '{name}' inside TLS")
    finally:
        bystander.close()


def test_plaintext_api_versions_on_ssl_port_is_closed(tls):
    bystander = tls_connect(tls.ssl_port, tls.client_ctx)
    plain_bystander = connect(tls.plain_port)
    try:
        api_versions_ok(bystander, 1)
        api_versions_ok(plain_bystander, 1)
        with connect(tls.ssl_port) as s:
            s.sendall(api_versions_request(7, 0))
            assert_not_kafka(wait_closed(s, timeout=10))
        api_versions_ok(bystander, 2)
        api_versions_ok(plain_bystander, 2)
        tls.assert_served("after a plaintext request on the SSL port")
    finally:
        bystander.close()
        plain_bystander.close()


def test_plaintext_on_ssl_port_is_one_warning_line(tls):
    mark = tls.log_mark()
    with connect(tls.ssl_port) as s:
        peer = peer_of(s)
        s.sendall(api_versions_request(8, 0))
        wait_closed(s, timeout=10)
    tls.wait_warning(mark, peer=peer, exactly_one=True)


def test_tls_handshake_on_plaintext_port_fails(tls):
    with pytest.raises((ssl.SSLError, ConnectionError, OSError)):
        with tls_connect(tls.plain_port, tls.client_ctx, timeout=10):
            pass
    tls.assert_served("after a TLS handshake on the PLAINTEXT port")


def test_stalled_handshakes_do_not_block_others(tls):
    silent = connect(tls.ssl_port)                       # connects, sends nothing
    partial = connect(tls.ssl_port)                      # half a record header
    partial.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01")
    try:
        started = time.monotonic()
        for _ in range(3):
            with tls_connect(tls.ssl_port, tls.client_ctx, timeout=5) as s:
                api_versions_ok(s)
        assert time.monotonic() - started < 5
        tls.assert_served("while two handshakes are stalled")
    finally:
        silent.close()
        partial.close()


def test_connections_reset_while_the_broker_writes(tls, topic):
    """The client sends many requests and resets the connection at once: the broker's
    TLS writes then fail (EPIPE / ECONNRESET); it must not die (SIGPIPE) nor stop."""
    create_topic(tls.plain_bootstrap, topic, 1)
    for _ in range(10):
        s = tls_connect(tls.ssl_port, tls.client_ctx)
        s.sendall(b"".join(metadata_request(cid, version=1, topics=None) for cid in range(200)))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    # And a handshake abandoned half way with a reset.
    for _ in range(5):
        raw = connect(tls.ssl_port)
        raw.sendall(b"\x16\x03\x01\x00\x10")
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        raw.close()
    tls.assert_served("after connections reset during writes")


def test_handshake_failure_lines_name_the_client_address(tls):
    """Connections reset right after connecting: if the broker logs them, the line names
    the client's address (known since accept), never 'client unknown'."""
    mark = tls.log_mark()
    for _ in range(10):
        raw = connect(tls.ssl_port)
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        raw.close()
    # A failure that is always logged, after them: once its line is there, the resets
    # before it have been handled.
    with connect(tls.ssl_port) as s:
        peer = peer_of(s)
        s.sendall(api_versions_request(8, 0))
        wait_closed(s, timeout=10)
    tls.wait_warning(mark, peer=peer)
    unknown = [ln for ln in tls.log_since(mark).splitlines() if "client unknown" in ln]
    assert unknown == [], "warning lines without the client address:\n" + "\n".join(unknown)


def test_close_notify_from_the_client_is_handled(tls):
    s = tls_connect(tls.ssl_port, tls.client_ctx)
    try:
        api_versions_ok(s)
        try:
            s.unwrap().close()      # sends close_notify, waits for the broker's answer
        except (ssl.SSLError, OSError):
            pass                    # the broker may close without its own close_notify
    finally:
        s.close()
    tls.assert_served("after a client close_notify")


def test_clean_stop_with_tls_connections_open(make_tls_broker, certs):
    """SIGTERM while a handshake is stalled, a TLS connection is idle and another has an
    unread response: the broker exits 0 within the harness's 30 s."""
    tb = make_tls_broker()
    stalled = connect(tb.ssl_port)
    stalled.sendall(b"\x16\x03\x01\x02\x00\x01")
    idle = tls_connect(tb.ssl_port, tb.client_ctx)
    busy = tls_connect(tb.ssl_port, tb.client_ctx)
    try:
        api_versions_ok(idle)
        busy.sendall(b"".join(metadata_request(c, version=1, topics=None) for c in range(50)))
        started = time.monotonic()
        tb.broker.stop()
        assert time.monotonic() - started < 30
        for s in (idle, busy):
            tls_wait_closed(s, timeout=10)
    finally:
        for s in (stalled, idle, busy):
            s.close()


@pytest.mark.parametrize("enabled,refused,accepted", [
    ("TLSv1.3", "TLSv1.2", "TLSv1.3"),
    ("TLSv1.2", "TLSv1.3", "TLSv1.2"),
])
def test_enabled_protocols(make_tls_broker, certs, enabled, refused, accepted):
    tb = make_tls_broker(ssl_conf={"ssl.enabled.protocols": enabled})
    with pytest.raises((ssl.SSLError, ConnectionError, OSError)):
        with tls_connect(tb.ssl_port, client_context(certs, VERSIONS[refused])) as s:
            api_versions_ok(s)
    with tls_connect(tb.ssl_port, client_context(certs, VERSIONS[accepted])) as s:
        assert s.version() == accepted
        api_versions_ok(s)
    with tls_connect(tb.ssl_port, client_context(certs)) as s:   # a client offering both
        assert s.version() == accepted
        api_versions_ok(s)


# =================================================================================
# 5. Bad TLS configuration stops the start
# =================================================================================


def bad_tls_config(certs, tmp_path, case):
    """(extra, [acceptable key names in the message], secrets that must not be printed)."""
    port = free_port()
    listeners = f"SSL://127.0.0.1:{port}"
    base = {"listeners": listeners, "advertised.listeners": listeners}
    ks = "ssl.keystore.location"
    wrong = "wrong-" + secrets.token_hex(4)
    cases = {
        "keystore-not-set": ({}, [ks], []),
        "keystore-missing-file": ({ks: str(tmp_path / "no-such.pem")}, [ks], []),
        "keystore-is-a-directory": ({ks: str(tmp_path)}, [ks], []),
        "keystore-garbage": ({ks: str(certs.keystore_garbage)}, [ks], []),
        "keystore-key-only": ({ks: str(certs.keystore_key_only)}, [ks], []),
        "keystore-cert-only": ({ks: str(certs.keystore_cert_only)}, [ks], []),
        "key-does-not-match-cert": ({ks: str(certs.keystore_mismatch)}, [ks], []),
        "encrypted-key-without-password": ({ks: str(certs.keystore_encrypted)},
                                           [ks, "ssl.key.password"], []),
        "encrypted-key-wrong-password": ({ks: str(certs.keystore_encrypted),
                                          "ssl.key.password": wrong},
                                         [ks, "ssl.key.password"], [wrong]),
        "client-auth-required-without-truststore": (
            {ks: str(certs.keystore_key_first), "ssl.client.auth": "required"},
            ["ssl.truststore.location"], []),
        "truststore-missing-file": (
            {ks: str(certs.keystore_key_first), "ssl.client.auth": "required",
             "ssl.truststore.location": str(tmp_path / "no-such-ca.pem")},
            ["ssl.truststore.location"], []),
        "enabled-protocols-tls11": (
            {ks: str(certs.keystore_key_first), "ssl.enabled.protocols": "TLSv1.1"},
            ["ssl.enabled.protocols"], []),
        "sasl-ssl-without-users-file": (
            {ks: str(certs.keystore_key_first), "listeners": f"SASL_SSL://127.0.0.1:{port}",
             "advertised.listeners": f"SASL_SSL://127.0.0.1:{port}"},
            ["sasl.users.file"], []),
    }
    extra, keys, hidden = cases[case]
    return {**base, **extra}, keys, hidden


BAD_TLS_CASES = [
    "keystore-not-set", "keystore-missing-file", "keystore-is-a-directory", "keystore-garbage",
    "keystore-key-only", "keystore-cert-only", "key-does-not-match-cert",
    "encrypted-key-without-password", "encrypted-key-wrong-password",
    "client-auth-required-without-truststore", "truststore-missing-file",
    "enabled-protocols-tls11", "sasl-ssl-without-users-file",
]


@pytest.mark.parametrize("case", BAD_TLS_CASES)
def test_bad_tls_config_stops_the_start(sluiced_bin, certs, tmp_path, case):
    extra, keys, hidden = bad_tls_config(certs, tmp_path, case)
    rc, out, err = run_bad_config(sluiced_bin, tmp_path / case, extra)
    text = out + err
    assert rc != 0, f"exit code {rc} with {extra}; stderr:\n{err}"
    assert rc > 0, (f"sluiced was killed by signal {-rc} instead of refusing the "
                    f"configuration {extra}; stdout+stderr:\n{text[-3000:]}")
    assert "does not implement" not in text, f"TLS is not implemented yet:\n{err}"
    assert any(k in text for k in keys), (
        f"the message does not name {' or '.join(keys)}; stdout+stderr:\n{text[-3000:]}")
    for secret in hidden:
        assert secret not in text, f"the password {secret!r} was printed:\n{text[-3000:]}"


# =================================================================================
# 6. Key store layouts that must work
# =================================================================================


@pytest.mark.parametrize("layout", ["cert_first", "encrypted", "chain", "ec_traditional"])
def test_keystore_layouts_start_and_serve(make_tls_broker, certs, topic, closer, layout):
    keystore = getattr(certs, f"keystore_{layout}")
    # At debug level, so that the password check below covers every log line.
    ssl_conf = {"log.level": "debug"}
    if layout == "encrypted":
        ssl_conf["ssl.key.password"] = KEY_PASSWORD
    tb = make_tls_broker(keystore, ssl_conf=ssl_conf)
    # The client trusts the root CA only: with "chain" the broker must send the
    # intermediate certificate after its own.
    with tls_connect(tb.ssl_port, client_context(certs)) as s:
        api_versions_ok(s)
        assert raw_metadata_brokers(s, 2)[0] == [(NODE_ID, "127.0.0.1", tb.ssl_port)]
        subject = dict(x[0] for x in s.getpeercert()["subject"])
        assert subject["commonName"] == "localhost"
    assert KEY_PASSWORD not in tb.broker.log_text(), "the key password appears in the broker log"
    create_topic(tb.plain_bootstrap, topic, 1)
    kw = kp_ssl(certs)
    p = kp_producer(tb.ssl_bootstrap, **kw)
    closer(lambda: p.close(timeout=5))
    records = small_records(f"keystore {layout}")[:3]
    assert [m.offset for m in kp_write(p, topic, records)] == [0, 1, 2]
    got = kp_records(kp_read_all(tb.ssl_bootstrap, topic, 1, **kw)[0])
    assert_same_records(got, expected(records), f"over SSL with the {layout} key store")
    tb.broker.stop()   # exits 0
