"""SASL authentication on a SASL_PLAINTEXT listener next to a PLAINTEXT one.

The broker under test has two listeners (PLAINTEXT and SASL_PLAINTEXT) and a YAML
users file (`sasl.users.file`). Covered:

- every client and mechanism that should work does (kafka-python: SaslHandshake v0
  then raw tokens; confluent-kafka / kcat: SaslHandshake v1 + SaslAuthenticate v0;
  kafkajs: SaslHandshake v1 + SaslAuthenticate v1), producing keyed records and
  reading them back on the SASL listener;
- wrong passwords and unknown users are refused (error 58 and a close when framed,
  a close when raw), each client reports an authentication error within a bounded
  time, the broker logs one warning naming the client address, the mechanism and
  the user, and no password ever appears in the broker log;
- the protocol details by raw socket (sluice_wire): PLAIN in both framings, PLAIN
  with authzid, SCRAM-SHA-256/512 computed here (RFC 5802 / 7677) with the server
  signature checked, a tampered proof, UNSUPPORTED_SASL_MECHANISM (33) with the
  enabled list, ILLEGAL_SASL_STATE (34), requests before authentication closing
  the connection;
- Metadata (and FindCoordinator) on each listener advertise that listener;
- a SASL listener without sasl.users.file stops the start.
"""

import base64
import hashlib
import hmac
import json
import re
import secrets
import struct
import subprocess
import time
from pathlib import Path

import pytest
from confluent_kafka import KafkaError, Producer
from confluent_kafka.admin import AdminClient, NewTopic
from kafka import TopicPartition as KTopicPartition
from kafka.errors import (AuthenticationFailedError, NoBrokersAvailable,
                          UnsupportedSaslMechanismError)

from sluice_clients import (NODE_ID, cf_consume, create_topic, kp_consumer, kp_poll,
                            kp_producer, run_node_json, wait_topic_ready)
from sluice_harness import Broker, free_port, port_accepts, wait_until
from test_bad_input import run_bad_config
from sluice_wire import (Reader, api_versions_request, connect, i32, metadata_request,
                         parse_api_versions, recv_exact, recv_response, request, string,
                         wait_closed)

NODE_DIR = Path(__file__).resolve().parent / "node"
NODE_TIMEOUT_S = 90
KCAT_TIMEOUT_S = 30

# How long a client may take to report a refused authentication.
AUTH_FAILURE_BOUND_S = 25.0

USERS = {
    "alice": "alice-secret",
    "bob": "b0b:with;odd,chars",
}
USERS_YAML = 'alice: alice-secret\nbob: "b0b:with;odd,chars"\n'
ALL_MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]

API_SASL_HANDSHAKE = 17
API_SASL_AUTHENTICATE = 36
API_FIND_COORDINATOR = 10

NONE = 0
UNSUPPORTED_SASL_MECHANISM = 33
ILLEGAL_SASL_STATE = 34
SASL_AUTHENTICATION_FAILED = 58


def wrong_password():
    return "wrong-pw-" + secrets.token_hex(6)


# ---- brokers with a SASL listener ----------------------------------------------


def sasl_extra(plain_port, sasl_port, users_file=None, mechanisms=None):
    listeners = (f"PLAINTEXT://127.0.0.1:{plain_port},"
                 f"SASL_PLAINTEXT://127.0.0.1:{sasl_port}")
    extra = {
        "listeners": listeners,
        "advertised.listeners": listeners,
        # Groups (kafkajs' consumer) start without the 3 s initial delay.
        "group.initial.rebalance.delay.ms": "0",
    }
    if users_file is not None:
        extra["sasl.users.file"] = str(users_file)
    if mechanisms is not None:
        extra["sasl.enabled.mechanisms"] = mechanisms
    return extra


class SaslBroker:
    """A started Broker with PLAINTEXT on .plain_port and SASL_PLAINTEXT on .sasl_port."""

    def __init__(self, broker, sasl_port):
        self.broker = broker
        self.plain_port = broker.port
        self.sasl_port = sasl_port

    @property
    def plain_bootstrap(self):
        return f"127.0.0.1:{self.plain_port}"

    @property
    def sasl_bootstrap(self):
        return f"127.0.0.1:{self.sasl_port}"

    def log_mark(self):
        return len(self.broker.log_text())

    def log_since(self, mark):
        return self.broker.log_text()[mark:]

    def assert_no_secrets(self, *extra_secrets):
        text = self.broker.log_text()
        for secret in list(USERS.values()) + list(extra_secrets):
            assert secret not in text, (
                f"the password {secret!r} appears in the broker log {self.broker.log_path}:\n"
                + "\n".join(line for line in text.splitlines() if secret in line)[:2000])

    def failure_lines(self, mark, mechanism, user, peer=None):
        """Warning lines since `mark` naming the mechanism, the user and the client
        (`peer` = "127.0.0.1:port" when known, else any 127.0.0.1 address)."""
        mech_re = re.compile(rf"(?<![\w-]){re.escape(mechanism)}(?![\w-])")
        user_re = re.compile(rf"(?<![\w-]){re.escape(user)}(?![\w-])")
        addr_re = re.compile(re.escape(peer) + r"(?!\d)" if peer else r"127\.0\.0\.1:\d+")
        return [line for line in self.log_since(mark).splitlines()
                if "[warning]" in line and mech_re.search(line) and user_re.search(line)
                and addr_re.search(line)]

    def wait_failure_line(self, mark, mechanism, user, peer=None, exactly_one=False,
                          timeout=10):
        what = (f"a [warning] line naming {peer or '127.0.0.1:<port>'}, mechanism "
                f"{mechanism} and user {user}")
        try:
            lines = wait_until(lambda: self.failure_lines(mark, mechanism, user, peer),
                               timeout, what)
        except AssertionError as e:
            raise AssertionError(f"{e}; broker log since the attempt:\n"
                                 f"{self.log_since(mark)[-3000:]}") from None
        if exactly_one:
            assert len(lines) == 1, f"expected one such line, got {len(lines)}:\n" + "\n".join(lines)
        return lines


def start_sasl_broker(directory, binary, users_file=None, mechanisms=None):
    sasl_port = free_port()
    plain_port = free_port()
    b = Broker(directory, binary=binary, port=plain_port,
               extra=sasl_extra(plain_port, sasl_port, users_file, mechanisms))
    try:
        b.start()
        wait_until(lambda: port_accepts(sasl_port), 10,
                   f"the SASL_PLAINTEXT listener on port {sasl_port}")
    except BaseException:
        b.cleanup()
        raise
    return SaslBroker(b, sasl_port)


def write_users(directory):
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "users.yaml"
    path.write_text(USERS_YAML)
    return path


@pytest.fixture(scope="module")
def _module_sasl_broker(sluiced_bin, tmp_path_factory):
    d = tmp_path_factory.mktemp("sasl-broker")
    sb = start_sasl_broker(d / "broker", sluiced_bin, write_users(d),
                           mechanisms=",".join(ALL_MECHANISMS))
    try:
        yield sb
        if sb.broker.running():
            sb.broker.stop()
    finally:
        sb.broker.cleanup()


@pytest.fixture
def sasl(_module_sasl_broker):
    """The module's broker: PLAINTEXT + SASL_PLAINTEXT, all three mechanisms enabled."""
    sb = _module_sasl_broker
    assert sb.broker.running(), (f"the SASL test broker died before this test; log tail:\n"
                                 f"{sb.broker.log_tail()}")
    yield sb
    if not sb.broker.running():
        pytest.fail(f"the SASL test broker (pid {sb.broker.pid}) died during this test with "
                    f"code {sb.broker.proc.returncode}; log {sb.broker.log_path}, tail:\n"
                    f"{sb.broker.log_tail()}", pytrace=False)


@pytest.fixture
def make_sasl_broker(sluiced_bin, tmp_path):
    made = []

    def factory(mechanisms=None):
        sb = start_sasl_broker(tmp_path / f"broker{len(made) + 1}", sluiced_bin,
                               write_users(tmp_path / f"users{len(made) + 1}"), mechanisms)
        made.append(sb)
        return sb

    yield factory
    for sb in made:
        sb.broker.cleanup()


# ---- client configurations -----------------------------------------------------


def kp_sasl(mechanism, user, password):
    return dict(security_protocol="SASL_PLAINTEXT", sasl_mechanism=mechanism,
                sasl_plain_username=user, sasl_plain_password=password)


def cf_sasl(mechanism, user, password):
    return {"security.protocol": "SASL_PLAINTEXT", "sasl.mechanisms": mechanism,
            "sasl.username": user, "sasl.password": password}


# ---- SASL on the wire ------------------------------------------------------------


def wire_bytes(b):
    return i32(len(b)) + b


def sasl_handshake(sock, mechanism, version=1, correlation_id=1):
    """SaslHandshake v0/v1 -> (error_code, [mechanisms])."""
    sock.sendall(request(API_SASL_HANDSHAKE, version, correlation_id, string(mechanism)))
    cid, body = recv_response(sock)
    assert cid == correlation_id, f"correlation id {cid}, sent {correlation_id}"
    r = Reader(body)
    error_code = r.i16()
    n = r.i32()
    mechanisms = None if n < 0 else [r.string() for _ in range(n)]
    assert r.remaining() == 0, f"{r.remaining()} bytes left over in a SaslHandshake response"
    return error_code, mechanisms


def sasl_authenticate(sock, token, version=1, correlation_id=2):
    """SaslAuthenticate v0/v1 -> dict(error_code, error_message, auth_bytes[, session_lifetime_ms])."""
    sock.sendall(request(API_SASL_AUTHENTICATE, version, correlation_id, wire_bytes(token)))
    cid, body = recv_response(sock)
    assert cid == correlation_id, f"correlation id {cid}, sent {correlation_id}"
    r = Reader(body)
    out = {"error_code": r.i16(), "error_message": r.string()}
    n = r.i32()
    out["auth_bytes"] = None if n < 0 else r.take(n)
    if version >= 1:
        out["session_lifetime_ms"] = r.i64()
    assert r.remaining() == 0, (f"{r.remaining()} bytes left over in a SaslAuthenticate "
                                f"v{version} response: {body!r}")
    return out


def raw_token(sock, token, timeout=10.0):
    """Raw framing (after SaslHandshake v0): a bare length-prefixed token each way."""
    sock.sendall(wire_bytes(token))
    size = struct.unpack(">i", recv_exact(sock, 4, timeout))[0]
    assert 0 <= size <= 1 << 20, f"implausible raw SASL token size {size}"
    return recv_exact(sock, size, timeout) if size else b""


def peer_of(sock):
    host, port = sock.getsockname()[:2]
    return f"{host}:{port}"


def plain_token(user, password, authzid=""):
    return f"{authzid}\0{user}\0{password}".encode()


def authenticate_plain(sock, user, password, framing):
    """Authenticate with PLAIN; framing 'raw' (handshake v0) or 'v0'/'v1' (SaslAuthenticate)."""
    version = 0 if framing == "raw" else 1
    err, mechs = sasl_handshake(sock, "PLAIN", version=version, correlation_id=1)
    assert err == NONE, f"SaslHandshake v{version} PLAIN: error {err}, enabled {mechs}"
    if framing == "raw":
        assert raw_token(sock, plain_token(user, password)) == b""
    else:
        resp = sasl_authenticate(sock, plain_token(user, password), version=int(framing[1]),
                                 correlation_id=2)
        assert resp["error_code"] == NONE, resp


def parse_metadata_v1_brokers(body):
    """Brokers (node_id, host, port) and controller_id of a Metadata v1 response."""
    r = Reader(body)
    brokers = []
    for _ in range(r.i32()):
        node_id, host, port = r.i32(), r.string(), r.i32()
        r.string()  # rack
        brokers.append((node_id, host, port))
    return brokers, r.i32()


def raw_metadata_brokers(sock, correlation_id):
    sock.sendall(metadata_request(correlation_id, version=1, topics=[]))
    cid, body = recv_response(sock)
    assert cid == correlation_id
    return parse_metadata_v1_brokers(body)


class Scram:
    """The client side of SCRAM-SHA-256/512 (RFC 5802, RFC 7677), no channel binding."""

    HASHES = {"SCRAM-SHA-256": "sha256", "SCRAM-SHA-512": "sha512"}
    GS2_HEADER = "n,,"

    def __init__(self, mechanism, user, password):
        self.hash_name = self.HASHES[mechanism]
        self.user = user
        self.password = password
        self.client_nonce = secrets.token_hex(16)
        self.client_first_bare = None
        self.server_nonce = None
        self.salt = None
        self.iterations = None
        self.expected_server_signature = None

    def _hmac(self, key, msg):
        return hmac.new(key, msg, self.hash_name).digest()

    def _h(self, data):
        return hashlib.new(self.hash_name, data).digest()

    @staticmethod
    def saslname(name):
        return name.replace("=", "=3D").replace(",", "=2C")

    def client_first(self):
        self.client_first_bare = f"n={self.saslname(self.user)},r={self.client_nonce}"
        return (self.GS2_HEADER + self.client_first_bare).encode()

    def client_final(self, server_first, tamper=False, librdkafka_nonce=False):
        """client-final for `server_first`. librdkafka_nonce: send r=<client nonce><server
        nonce> (the client nonce twice), as librdkafka 2.0.2 does; Kafka accepts a final
        nonce that ends with the server nonce."""
        sf = server_first.decode()
        attrs = dict(kv.split("=", 1) for kv in sf.split(","))
        assert "m" not in attrs, f"server-first with a mandatory extension: {sf!r}"
        nonce, salt_b64, iterations = attrs["r"], attrs["s"], int(attrs["i"])
        assert nonce.startswith(self.client_nonce) and len(nonce) > len(self.client_nonce), (
            f"server nonce {nonce!r} does not extend the client nonce {self.client_nonce!r}")
        assert sf.startswith(f"r={nonce},s={salt_b64},i="), f"server-first order: {sf!r}"
        # kafkajs refuses fewer than 4096 iterations (RFC 7677's minimum).
        assert iterations >= 4096, f"iteration count {iterations} < 4096"
        self.server_nonce, self.salt, self.iterations = nonce, base64.b64decode(salt_b64), iterations

        salted = hashlib.pbkdf2_hmac(self.hash_name, self.password.encode(), self.salt, iterations)
        client_key = self._hmac(salted, b"Client Key")
        stored_key = self._h(client_key)
        channel_binding = base64.b64encode(self.GS2_HEADER.encode()).decode()  # "biws"
        final_nonce = self.client_nonce + nonce if librdkafka_nonce else nonce
        without_proof = f"c={channel_binding},r={final_nonce}"
        auth_message = f"{self.client_first_bare},{sf},{without_proof}".encode()
        client_signature = self._hmac(stored_key, auth_message)
        proof = bytes(a ^ b for a, b in zip(client_key, client_signature))
        if tamper:
            proof = bytes([proof[0] ^ 0x01]) + proof[1:]
        server_key = self._hmac(salted, b"Server Key")
        self.expected_server_signature = self._hmac(server_key, auth_message)
        return f"{without_proof},p={base64.b64encode(proof).decode()}".encode()

    def check_server_final(self, server_final):
        text = server_final.decode()
        assert text.startswith("v="), f"server-final is not v=...: {text!r}"
        attrs = dict(kv.split("=", 1) for kv in text.split(","))
        got = base64.b64decode(attrs["v"])
        assert hmac.compare_digest(got, self.expected_server_signature), (
            f"server signature {attrs['v']} != expected "
            f"{base64.b64encode(self.expected_server_signature).decode()}")


def scram_framed(sock, mechanism, user, password, version=1, tamper=False,
                 librdkafka_nonce=False):
    """SCRAM over SaslHandshake v1 + SaslAuthenticate v`version`.

    Returns (scram, final_response) on success or on a refused final step;
    the caller checks final_response["error_code"].
    """
    err, mechs = sasl_handshake(sock, mechanism, version=1, correlation_id=1)
    assert err == NONE, f"SaslHandshake v1 {mechanism}: error {err}, enabled {mechs}"
    s = Scram(mechanism, user, password)
    first = sasl_authenticate(sock, s.client_first(), version=version, correlation_id=2)
    assert first["error_code"] == NONE, f"client-first refused: {first}"
    final = sasl_authenticate(
        sock, s.client_final(first["auth_bytes"], tamper=tamper, librdkafka_nonce=librdkafka_nonce),
        version=version, correlation_id=3)
    return s, final


# ---- kcat and kafkajs runners ----------------------------------------------------


def kcat(bootstrap, conf, *args, stdin=None, check=True):
    cmd = ["kcat", "-b", bootstrap]
    for k, v in conf.items():
        cmd += ["-X", f"{k}={v}"]
    cmd += list(args)
    try:
        r = subprocess.run(cmd, input=stdin, capture_output=True, text=True,
                           timeout=KCAT_TIMEOUT_S)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"kcat {' '.join(args)} did not finish within {KCAT_TIMEOUT_S}s; "
                             f"stderr: {e.stderr!r}") from None
    if check:
        assert r.returncode == 0, f"kcat {' '.join(args)} exited {r.returncode}; stderr: {r.stderr}"
    return r


def run_sasl_js(bootstrap, topic, mechanism, user, password, count=5):
    return run_node_json("sasl.js", bootstrap, topic, mechanism, user, password, count,
                         timeout=NODE_TIMEOUT_S)


# =================================================================================
# 1. Each client and mechanism works on the SASL listener
# =================================================================================


@pytest.mark.parametrize("mechanism,user", [
    ("PLAIN", "bob"), ("SCRAM-SHA-256", "alice"), ("SCRAM-SHA-512", "bob")])
def test_kafka_python_produce_consume(sasl, topic, closer, mechanism, user):
    create_topic(sasl.plain_bootstrap, topic, 1)
    auth = kp_sasl(mechanism, user, USERS[user])
    p = kp_producer(sasl.sasl_bootstrap, **auth)
    closer(lambda: p.close(timeout=5))
    values = [f"kafka-python {mechanism} value {i}".encode() for i in range(5)]
    metas = [p.send(topic, key=b"k%d" % i, value=v, partition=0).get(timeout=15)
             for i, v in enumerate(values)]
    assert [m.offset for m in metas] == list(range(5))

    c = kp_consumer(sasl.sasl_bootstrap, auto_offset_reset="earliest", **auth)
    closer(lambda: c.close(autocommit=False))
    c.assign([KTopicPartition(topic, 0)])
    got = kp_poll(c, 5)
    assert [(r.offset, r.key, r.value) for r in got] == [
        (i, b"k%d" % i, v) for i, v in enumerate(values)]
    sasl.assert_no_secrets()


@pytest.mark.parametrize("mechanism,user", [
    ("PLAIN", "alice"), ("SCRAM-SHA-256", "bob"), ("SCRAM-SHA-512", "alice")])
def test_confluent_kafka_produce_consume(sasl, topic, mechanism, user):
    conf = cf_sasl(mechanism, user, USERS[user])
    errors = []
    # The topic is created through the SASL listener (admin requests authenticated too).
    admin = AdminClient({"bootstrap.servers": sasl.sasl_bootstrap, "error_cb": errors.append,
                         **conf})
    admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)],
                        request_timeout=30)[topic].result(30)
    wait_topic_ready(admin, topic, 1)

    p = Producer({"bootstrap.servers": sasl.sasl_bootstrap, "error_cb": errors.append, **conf})
    delivered = []
    values = [f"confluent {mechanism} value {i}" for i in range(5)]
    for i, v in enumerate(values):
        p.produce(topic, key=f"k{i}", value=v, partition=0,
                  on_delivery=lambda err, msg: delivered.append((err, msg)))
    assert p.flush(30) == 0, "messages still queued after 30s"
    assert [err for err, _ in delivered] == [None] * 5, delivered
    assert sorted(m.offset() for _, m in delivered) == list(range(5))

    got = cf_consume(sasl.sasl_bootstrap, topic, 0, 5, **conf)
    assert [(m.offset(), m.key(), m.value()) for m in got] == [
        (i, f"k{i}".encode(), v.encode()) for i, v in enumerate(values)]
    auth_errors = [e for e in errors if e.code() == KafkaError._AUTHENTICATION]
    assert auth_errors == [], auth_errors
    sasl.assert_no_secrets()


def test_kcat_scram_sha_512_produce_consume_and_metadata(sasl, topic):
    create_topic(sasl.plain_bootstrap, topic, 1)
    conf = cf_sasl("SCRAM-SHA-512", "bob", USERS["bob"])
    lines = [f"key{i}:kcat value {i}" for i in range(5)]
    kcat(sasl.sasl_bootstrap, conf, "-P", "-t", topic, "-p", "0", "-K:",
         stdin="\n".join(lines) + "\n")
    out = kcat(sasl.sasl_bootstrap, conf, "-C", "-t", topic, "-e", "-J", "-o", "beginning").stdout
    msgs = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert [(m["partition"], m["offset"], m["key"], m["payload"]) for m in msgs] == [
        (0, i, f"key{i}", f"kcat value {i}") for i in range(5)]
    # The metadata kcat got on the SASL listener names the SASL listener.
    md = json.loads(kcat(sasl.sasl_bootstrap, conf, "-L", "-t", topic, "-J").stdout)
    assert [(b["id"], b["name"]) for b in md["brokers"]] == [(NODE_ID, sasl.sasl_bootstrap)]
    sasl.assert_no_secrets()


@pytest.mark.parametrize("mechanism,user", [
    ("plain", "bob"), ("scram-sha-256", "alice"), ("scram-sha-512", "bob")])
def test_kafkajs_produce_consume(kafkajs_installed, sasl, topic, mechanism, user):
    create_topic(sasl.plain_bootstrap, topic, 1)
    out, _, stderr = run_sasl_js(sasl.sasl_bootstrap, topic, mechanism, user, USERS[user])
    assert out["ok"] is True, f"{out}; stderr:\n{stderr[-3000:]}"
    assert [(m["topicName"], m["partition"], m["errorCode"], m["baseOffset"])
            for m in out["sent"]] == [(topic, 0, 0, "0")]
    got = sorted(out["received"], key=lambda m: int(m["offset"]))
    assert [(m["partition"], m["offset"], m["key"], m["value"]) for m in got] == [
        (0, str(i), f"k{i}", f"kafkajs {mechanism} value {i}") for i in range(5)]
    sasl.assert_no_secrets()


def test_plaintext_listener_works_alongside(sasl, topic, closer):
    """Unauthenticated clients keep working on PLAINTEXT; records written through either
    listener are read back through both."""
    create_topic(sasl.plain_bootstrap, topic, 1)
    plain_p = kp_producer(sasl.plain_bootstrap)
    closer(lambda: plain_p.close(timeout=5))
    auth = kp_sasl("SCRAM-SHA-256", "alice", USERS["alice"])
    sasl_p = kp_producer(sasl.sasl_bootstrap, **auth)
    closer(lambda: sasl_p.close(timeout=5))
    assert plain_p.send(topic, key=b"a", value=b"via plaintext", partition=0).get(15).offset == 0
    assert sasl_p.send(topic, key=b"b", value=b"via sasl", partition=0).get(15).offset == 1

    for bootstrap, kw in ((sasl.plain_bootstrap, {}), (sasl.sasl_bootstrap, auth)):
        c = kp_consumer(bootstrap, auto_offset_reset="earliest", **kw)
        closer(lambda c=c: c.close(autocommit=False))
        c.assign([KTopicPartition(topic, 0)])
        assert [(r.offset, r.key, r.value) for r in kp_poll(c, 2)] == [
            (0, b"a", b"via plaintext"), (1, b"b", b"via sasl")], bootstrap


# =================================================================================
# 2. Wrong password / unknown user, per client
# =================================================================================

BAD_CREDENTIALS = [
    pytest.param("alice", None, id="wrong-password"),
    pytest.param("mallory", None, id="unknown-user"),
]


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256"])
@pytest.mark.parametrize("user,_", BAD_CREDENTIALS)
def test_kafka_python_bad_credentials(sasl, closer, mechanism, user, _):
    """kafka-python (raw framing): the broker closes, the client gives up with an error."""
    password = wrong_password()
    mark = sasl.log_mark()
    started = time.monotonic()
    try:
        p = kp_producer(sasl.sasl_bootstrap, api_version_auto_timeout_ms=5000,
                        **kp_sasl(mechanism, user, password))
    except (NoBrokersAvailable, AuthenticationFailedError) as e:
        error = e
    else:
        closer(lambda: p.close(timeout=5))
        pytest.fail(f"kafka-python connected as {user} with a wrong password ({mechanism})")
    elapsed = time.monotonic() - started
    assert elapsed < AUTH_FAILURE_BOUND_S, f"{type(error).__name__} only after {elapsed:.1f}s"
    sasl.wait_failure_line(mark, mechanism, user)
    sasl.assert_no_secrets(password)


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-512"])
@pytest.mark.parametrize("user,_", BAD_CREDENTIALS)
def test_confluent_kafka_bad_credentials(sasl, mechanism, user, _):
    """librdkafka (SaslAuthenticate v0): error 58 surfaces as _AUTHENTICATION."""
    password = wrong_password()
    mark = sasl.log_mark()
    errors = []
    started = time.monotonic()
    p = Producer({"bootstrap.servers": sasl.sasl_bootstrap, "error_cb": errors.append,
                  "reconnect.backoff.ms": 1000, "reconnect.backoff.max.ms": 5000,
                  **cf_sasl(mechanism, user, password)})
    try:
        def auth_error():
            p.poll(0.2)
            return [e for e in errors if e.code() == KafkaError._AUTHENTICATION]
        try:
            seen = wait_until(auth_error, AUTH_FAILURE_BOUND_S,
                              f"an _AUTHENTICATION error for {user} via {mechanism}")
        except AssertionError as e:
            raise AssertionError(f"{e}; errors seen: {[str(x) for x in errors]}") from None
        elapsed = time.monotonic() - started
        assert elapsed < AUTH_FAILURE_BOUND_S
        assert "authentication" in seen[0].str().lower(), seen[0].str()
        assert password not in seen[0].str()
    finally:
        p.flush(0)
        p = None  # librdkafka stops reconnecting once the handle is destroyed
    sasl.wait_failure_line(mark, mechanism, user)
    sasl.assert_no_secrets(password)


@pytest.mark.parametrize("mechanism", ["plain", "scram-sha-256"])
@pytest.mark.parametrize("user,_", BAD_CREDENTIALS)
def test_kafkajs_bad_credentials(kafkajs_installed, sasl, topic, mechanism, user, _):
    """kafkajs (SaslAuthenticate v1): KafkaJSSASLAuthenticationError at connect."""
    password = wrong_password()
    mark = sasl.log_mark()
    out, elapsed, stderr = run_sasl_js(sasl.sasl_bootstrap, topic, mechanism, user, password)
    assert out["ok"] is False, f"kafkajs connected as {user} with a wrong password: {out}"
    assert (out["stage"], out["error"]) == ("connect", "KafkaJSSASLAuthenticationError"), (
        f"{out}; stderr:\n{stderr[-3000:]}")
    assert out["elapsedMs"] < AUTH_FAILURE_BOUND_S * 1000 and elapsed < AUTH_FAILURE_BOUND_S + 5
    assert password not in out["message"]
    sasl.wait_failure_line(mark, mechanism.upper(), user)
    sasl.assert_no_secrets(password)


# =================================================================================
# 3. The protocol by raw socket
# =================================================================================


def test_api_versions_before_authentication_lists_sasl_apis(sasl):
    with connect(sasl.sasl_port) as s:
        s.sendall(api_versions_request(7, 0))
        cid, body = recv_response(s)
        assert cid == 7
        av = parse_api_versions(body, 0)
        assert av["error_code"] == 0
        for key in (API_SASL_HANDSHAKE, API_SASL_AUTHENTICATE):
            lo, hi = av["api_keys"].get(key, (None, None))
            assert lo == 0 and hi is not None and hi >= 1, f"API {key}: {(lo, hi)}"
        # ... and the connection can still authenticate afterwards.
        authenticate_plain(s, "alice", USERS["alice"], "v1")
        brokers, _ = raw_metadata_brokers(s, 9)
        assert brokers == [(NODE_ID, "127.0.0.1", sasl.sasl_port)]


@pytest.mark.parametrize("user", ["alice", "bob"])
def test_plain_raw_framing_success_then_metadata(sasl, user):
    with connect(sasl.sasl_port) as s:
        err, mechs = sasl_handshake(s, "PLAIN", version=0)
        assert err == NONE
        assert sorted(mechs) == ALL_MECHANISMS
        # Bare token, bare answer: a zero-length frame is success.
        s.sendall(wire_bytes(plain_token(user, USERS[user])))
        assert recv_exact(s, 4) == b"\0\0\0\0"
        brokers, controller = raw_metadata_brokers(s, 5)
        assert brokers == [(NODE_ID, "127.0.0.1", sasl.sasl_port)]
        assert controller == NODE_ID


@pytest.mark.parametrize("version", [0, 1])
def test_plain_framed_success_then_metadata(sasl, version):
    with connect(sasl.sasl_port) as s:
        err, mechs = sasl_handshake(s, "PLAIN", version=1)
        assert (err, sorted(mechs)) == (NONE, ALL_MECHANISMS)
        resp = sasl_authenticate(s, plain_token("bob", USERS["bob"]), version=version)
        assert resp["error_code"] == NONE, resp
        assert resp["auth_bytes"] == b"", resp
        if version >= 1:
            assert resp["session_lifetime_ms"] >= 0, resp
        brokers, _ = raw_metadata_brokers(s, 3)
        assert brokers == [(NODE_ID, "127.0.0.1", sasl.sasl_port)]


@pytest.mark.parametrize("framing", ["raw", "v1"])
def test_plain_with_authzid_equal_to_user_is_accepted(sasl, framing):
    """kafka-python sends user\\0user\\0password (authzid = authcid)."""
    with connect(sasl.sasl_port) as s:
        token = plain_token("alice", USERS["alice"], authzid="alice")
        if framing == "raw":
            assert sasl_handshake(s, "PLAIN", version=0)[0] == NONE
            assert raw_token(s, token) == b""
        else:
            assert sasl_handshake(s, "PLAIN", version=1)[0] == NONE
            resp = sasl_authenticate(s, token, version=1)
            assert resp["error_code"] == NONE, resp
        brokers, _ = raw_metadata_brokers(s, 4)
        assert brokers == [(NODE_ID, "127.0.0.1", sasl.sasl_port)]


def test_plain_with_another_authzid_is_refused(sasl):
    """alice's password must not let her act as bob (Kafka refuses authzid != user)."""
    with connect(sasl.sasl_port) as s:
        assert sasl_handshake(s, "PLAIN", version=1)[0] == NONE
        resp = sasl_authenticate(s, plain_token("alice", USERS["alice"], authzid="bob"))
        assert resp["error_code"] == SASL_AUTHENTICATION_FAILED, resp
        assert wait_closed(s) == b""
    sasl.assert_no_secrets()


@pytest.mark.parametrize("user", ["alice", "mallory"])
def test_plain_raw_framing_bad_credentials_close(sasl, user):
    password = wrong_password()
    mark = sasl.log_mark()
    with connect(sasl.sasl_port) as s:
        peer = peer_of(s)
        assert sasl_handshake(s, "PLAIN", version=0)[0] == NONE
        s.sendall(wire_bytes(plain_token(user, password)))
        assert wait_closed(s) == b"", "the broker answered a refused raw PLAIN token"
    sasl.wait_failure_line(mark, "PLAIN", user, peer=peer, exactly_one=True)
    sasl.assert_no_secrets(password)


@pytest.mark.parametrize("version", [0, 1])
@pytest.mark.parametrize("user", ["alice", "mallory"])
def test_plain_framed_bad_credentials_error_58_then_close(sasl, version, user):
    password = wrong_password()
    mark = sasl.log_mark()
    with connect(sasl.sasl_port) as s:
        peer = peer_of(s)
        assert sasl_handshake(s, "PLAIN", version=1)[0] == NONE
        resp = sasl_authenticate(s, plain_token(user, password), version=version)
        assert resp["error_code"] == SASL_AUTHENTICATION_FAILED, resp
        assert resp["error_message"], f"no error message: {resp}"
        assert password not in resp["error_message"]
        assert wait_closed(s) == b"", "bytes after a SASL_AUTHENTICATION_FAILED response"
    sasl.wait_failure_line(mark, "PLAIN", user, peer=peer, exactly_one=True)
    sasl.assert_no_secrets(password)


def test_plain_malformed_token_is_refused(sasl):
    with connect(sasl.sasl_port) as s:
        assert sasl_handshake(s, "PLAIN", version=1)[0] == NONE
        resp = sasl_authenticate(s, b"no-separators-at-all")
        assert resp["error_code"] == SASL_AUTHENTICATION_FAILED, resp
        assert wait_closed(s) == b""


@pytest.mark.parametrize("mechanism,user,version", [
    ("SCRAM-SHA-256", "alice", 1), ("SCRAM-SHA-256", "bob", 0),
    ("SCRAM-SHA-512", "bob", 1), ("SCRAM-SHA-512", "alice", 0)])
def test_scram_framed_by_hand(sasl, mechanism, user, version):
    nonces = []
    for _ in range(2):
        with connect(sasl.sasl_port) as s:
            scram, final = scram_framed(s, mechanism, user, USERS[user], version=version)
            assert final["error_code"] == NONE, final
            scram.check_server_final(final["auth_bytes"])
            nonces.append(scram.server_nonce[len(scram.client_nonce):])
            brokers, _ = raw_metadata_brokers(s, 4)
            assert brokers == [(NODE_ID, "127.0.0.1", sasl.sasl_port)]
    assert nonces[0] != nonces[1], "the server nonce part repeats across connections"
    sasl.assert_no_secrets()


@pytest.mark.parametrize("mechanism", ["SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_scram_librdkafka_nonce_form_is_accepted(sasl, mechanism):
    """librdkafka 2.0.2 sends r=<client nonce><server nonce> in client-final (the client
    nonce twice: rdkafka_sasl_scram.c, build_client_final_message_wo_proof). Kafka checks
    that the final nonce *ends with* the server nonce, and the AuthMessage uses the
    client-final-without-proof as sent, so the proof is valid; refusing it breaks
    confluent-kafka and kcat with SCRAM."""
    with connect(sasl.sasl_port) as s:
        scram, final = scram_framed(s, mechanism, "alice", USERS["alice"], version=0,
                                    librdkafka_nonce=True)
        assert final["error_code"] == NONE, final
        scram.check_server_final(final["auth_bytes"])
        assert raw_metadata_brokers(s, 4)[0] == [(NODE_ID, "127.0.0.1", sasl.sasl_port)]


@pytest.mark.parametrize("mechanism", ["SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_scram_raw_framing_by_hand(sasl, mechanism):
    """kafka-python's SCRAM: SaslHandshake v0, then client-first/final as bare tokens."""
    with connect(sasl.sasl_port) as s:
        assert sasl_handshake(s, mechanism, version=0)[0] == NONE
        scram = Scram(mechanism, "bob", USERS["bob"])
        server_first = raw_token(s, scram.client_first())
        server_final = raw_token(s, scram.client_final(server_first))
        scram.check_server_final(server_final)
        brokers, _ = raw_metadata_brokers(s, 2)
        assert brokers == [(NODE_ID, "127.0.0.1", sasl.sasl_port)]


@pytest.mark.parametrize("version", [0, 1])
def test_scram_tampered_proof_error_58(sasl, version):
    mark = sasl.log_mark()
    with connect(sasl.sasl_port) as s:
        peer = peer_of(s)
        _, final = scram_framed(s, "SCRAM-SHA-256", "alice", USERS["alice"], version=version,
                                tamper=True)
        assert final["error_code"] == SASL_AUTHENTICATION_FAILED, final
        assert final["error_message"], final
        assert wait_closed(s) == b""
    sasl.wait_failure_line(mark, "SCRAM-SHA-256", "alice", peer=peer, exactly_one=True)
    sasl.assert_no_secrets()


def test_scram_tampered_proof_raw_framing_closes(sasl):
    mark = sasl.log_mark()
    with connect(sasl.sasl_port) as s:
        peer = peer_of(s)
        assert sasl_handshake(s, "SCRAM-SHA-512", version=0)[0] == NONE
        scram = Scram("SCRAM-SHA-512", "alice", USERS["alice"])
        server_first = raw_token(s, scram.client_first())
        s.sendall(wire_bytes(scram.client_final(server_first, tamper=True)))
        assert wait_closed(s) == b"", "the broker answered a tampered raw SCRAM proof"
    sasl.wait_failure_line(mark, "SCRAM-SHA-512", "alice", peer=peer, exactly_one=True)


@pytest.mark.parametrize("mechanism", ["SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_scram_wrong_password_and_unknown_user_error_58(sasl, mechanism):
    """Refused at client-first (unknown user) or at client-final, never accepted."""
    for user in ("alice", "mallory"):
        password = wrong_password()
        mark = sasl.log_mark()
        with connect(sasl.sasl_port) as s:
            peer = peer_of(s)
            assert sasl_handshake(s, mechanism, version=1)[0] == NONE
            scram = Scram(mechanism, user, password)
            first = sasl_authenticate(s, scram.client_first(), version=1, correlation_id=2)
            if first["error_code"] == NONE:
                resp = sasl_authenticate(s, scram.client_final(first["auth_bytes"]), version=1,
                                         correlation_id=3)
            else:
                resp = first
            assert resp["error_code"] == SASL_AUTHENTICATION_FAILED, (user, resp)
            assert resp["error_message"] and password not in resp["error_message"], resp
            assert wait_closed(s) == b""
        sasl.wait_failure_line(mark, mechanism, user, peer=peer, exactly_one=True)
        sasl.assert_no_secrets(password)


@pytest.mark.parametrize("version", [0, 1])
@pytest.mark.parametrize("mechanism", ["GSSAPI", "OAUTHBEARER", "plain"])
def test_unsupported_mechanism_error_33_with_enabled_list(sasl, version, mechanism):
    with connect(sasl.sasl_port) as s:
        err, mechs = sasl_handshake(s, mechanism, version=version)
        assert err == UNSUPPORTED_SASL_MECHANISM, (err, mechs)
        assert mechs is not None and sorted(mechs) == ALL_MECHANISMS, mechs


def test_default_mechanisms_are_scram_only(make_sasl_broker, closer):
    sb = make_sasl_broker(mechanisms=None)
    with connect(sb.sasl_port) as s:
        err, mechs = sasl_handshake(s, "PLAIN", version=1)
        assert err == UNSUPPORTED_SASL_MECHANISM, (err, mechs)
        assert sorted(mechs) == ["SCRAM-SHA-256", "SCRAM-SHA-512"]
    with connect(sb.sasl_port) as s:
        scram, final = scram_framed(s, "SCRAM-SHA-512", "alice", USERS["alice"])
        assert final["error_code"] == NONE, final
        scram.check_server_final(final["auth_bytes"])
    # kafka-python asking for PLAIN cannot connect. (The broker answers 33 and closes, as
    # Kafka does; kafka-python 2.0.2 drops bytes that arrive together with the close, so
    # it reports NoBrokersAvailable rather than UnsupportedSaslMechanismError.)
    try:
        p = kp_producer(sb.sasl_bootstrap, api_version_auto_timeout_ms=5000,
                        **kp_sasl("PLAIN", "alice", USERS["alice"]))
    except (NoBrokersAvailable, UnsupportedSaslMechanismError):
        pass
    else:
        closer(lambda: p.close(timeout=5))
        pytest.fail("kafka-python authenticated with PLAIN, which is not enabled")


def test_only_the_enabled_mechanisms_are_offered(make_sasl_broker):
    sb = make_sasl_broker(mechanisms="PLAIN")
    for mechanism in ("SCRAM-SHA-256", "SCRAM-SHA-512"):
        with connect(sb.sasl_port) as s:
            err, mechs = sasl_handshake(s, mechanism, version=1)
            assert (err, mechs) == (UNSUPPORTED_SASL_MECHANISM, ["PLAIN"])
    with connect(sb.sasl_port) as s:
        authenticate_plain(s, "bob", USERS["bob"], "v1")


def metadata_v1(correlation_id):
    return metadata_request(correlation_id, version=1, topics=None)


@pytest.mark.parametrize("prelude", ["none", "api_versions", "handshake_v1"])
def test_metadata_before_authentication_closes_the_connection(sasl, prelude):
    with connect(sasl.sasl_port) as s:
        if prelude == "api_versions":
            s.sendall(api_versions_request(1, 0))
            assert recv_response(s)[0] == 1
        elif prelude == "handshake_v1":
            assert sasl_handshake(s, "PLAIN", version=1)[0] == NONE
        s.sendall(metadata_v1(2))
        assert wait_closed(s) == b"", "the broker answered Metadata before authentication"
    # Other connections are unaffected.
    with connect(sasl.sasl_port) as s:
        authenticate_plain(s, "alice", USERS["alice"], "v1")
        assert raw_metadata_brokers(s, 3)[0] == [(NODE_ID, "127.0.0.1", sasl.sasl_port)]


def test_sasl_authenticate_before_handshake_closes_the_connection(sasl):
    with connect(sasl.sasl_port) as s:
        s.sendall(request(API_SASL_AUTHENTICATE, 1, 1,
                          wire_bytes(plain_token("alice", USERS["alice"]))))
        assert wait_closed(s) == b"", "the broker answered SaslAuthenticate before a handshake"


@pytest.mark.parametrize("version", [0, 1])
def test_handshake_on_plaintext_listener_is_illegal_state(sasl, version):
    with connect(sasl.plain_port) as s:
        err, _ = sasl_handshake(s, "PLAIN", version=version)
        assert err == ILLEGAL_SASL_STATE


@pytest.mark.parametrize("framing", ["raw", "v0", "v1"])
def test_second_handshake_after_authentication_is_illegal_state(sasl, framing):
    with connect(sasl.sasl_port) as s:
        authenticate_plain(s, "alice", USERS["alice"], framing)
        err, _ = sasl_handshake(s, "PLAIN", version=1, correlation_id=10)
        assert err == ILLEGAL_SASL_STATE


# =================================================================================
# 4. Each listener advertises itself
# =================================================================================


def test_metadata_advertises_the_listener_it_was_asked_on(sasl):
    with connect(sasl.plain_port) as s:
        brokers, controller = raw_metadata_brokers(s, 1)
        assert brokers == [(NODE_ID, "127.0.0.1", sasl.plain_port)]
        assert controller == NODE_ID
    with connect(sasl.sasl_port) as s:
        authenticate_plain(s, "alice", USERS["alice"], "v1")
        brokers, controller = raw_metadata_brokers(s, 5)
        assert brokers == [(NODE_ID, "127.0.0.1", sasl.sasl_port)]
        assert controller == NODE_ID

    # The same through librdkafka's metadata.
    for bootstrap, conf, port in (
            (sasl.plain_bootstrap, {}, sasl.plain_port),
            (sasl.sasl_bootstrap, cf_sasl("SCRAM-SHA-256", "bob", USERS["bob"]), sasl.sasl_port)):
        md = AdminClient({"bootstrap.servers": bootstrap, **conf}).list_topics(timeout=15)
        assert [(b.id, b.host, b.port) for b in md.brokers.values()] == [
            (NODE_ID, "127.0.0.1", port)], bootstrap


def find_coordinator_v0(sock, group, correlation_id):
    sock.sendall(request(API_FIND_COORDINATOR, 0, correlation_id, string(group)))
    cid, body = recv_response(sock)
    assert cid == correlation_id
    r = Reader(body)
    out = (r.i16(), r.i32(), r.string(), r.i32())
    assert r.remaining() == 0
    return out


def test_find_coordinator_advertises_the_listener_it_was_asked_on(sasl):
    group = "sasl-fc-" + secrets.token_hex(4)
    for port, auth in ((sasl.plain_port, False), (sasl.sasl_port, True)):
        with connect(port) as s:
            if auth:
                authenticate_plain(s, "bob", USERS["bob"], "v0")
            ids = iter(range(100, 100000))

            def coordinator():
                answer = find_coordinator_v0(s, group, next(ids))
                return answer if answer[0] == NONE else None
            _, node, host, cport = wait_until(
                coordinator, 30, f"FindCoordinator for {group} without error on port {port}",
                interval=0.2)
            assert (node, host, cport) == (NODE_ID, "127.0.0.1", port)


# =================================================================================
# 5. Start-up checks
# =================================================================================


def test_sasl_listener_without_users_file_stops_the_start(sluiced_bin, tmp_path):
    extra = sasl_extra(free_port(), free_port(), users_file=None, mechanisms="PLAIN")
    rc, out, err = run_bad_config(sluiced_bin, tmp_path / "no-users", extra)
    assert rc != 0, f"exit code {rc}; stderr:\n{err}"
    assert "sasl.users.file" in err + out, f"the message does not name sasl.users.file:\n{err}"


def test_frames_pipelined_after_a_failed_authentication_are_not_taken(make_sasl_broker):
    """Everything sent behind a failing SaslAuthenticate is dropped with the
    connection: no request stays counted as in flight (which would hold up a
    clean shutdown), and nothing is answered after the failure. (A broker of its
    own: no other client's requests are in flight.)"""
    sasl = make_sasl_broker("PLAIN")
    b = sasl.broker
    with connect(sasl.sasl_port) as s:
        frames = (request(API_SASL_HANDSHAKE, 1, 1, string("PLAIN"))
                  + request(API_SASL_AUTHENTICATE, 1, 2,
                            wire_bytes(plain_token("alice", "wrong-password")))
                  + b"".join(api_versions_request(10 + i, 0) for i in range(20))
                  + b"".join(request(API_SASL_AUTHENTICATE, 1, 40 + i,
                                     wire_bytes(plain_token("alice", USERS["alice"])))
                             for i in range(20)))
        s.sendall(frames)
        cid, _ = recv_response(s)
        assert cid == 1
        cid, body = recv_response(s)
        assert cid == 2 and Reader(body).i16() == SASL_AUTHENTICATION_FAILED
        assert wait_closed(s) == b"", "the broker answered after a failed authentication"

    wait_until(lambda: b.metric("sluice_requests_in_flight") == 0, 10,
               "sluice_requests_in_flight to return to 0")
