"""A deliberately small Kafka wire encoder/decoder for raw-socket tests.

Written from the protocol description in ../shared/kafka-protocol (not from any
client), so the protocol tests do not trust the broker's own codec or a client's.
"""

import socket
import struct
import time

# ---- encoding --------------------------------------------------------------------


def i8(v):
    return struct.pack(">b", v)


def i16(v):
    return struct.pack(">h", v)


def i32(v):
    return struct.pack(">i", v)


def i64(v):
    return struct.pack(">q", v)


def string(s):
    """STRING / NULLABLE_STRING (int16 length, -1 for null)."""
    if s is None:
        return i16(-1)
    b = s.encode()
    return i16(len(b)) + b


def uvarint(v):
    out = bytearray()
    while True:
        byte = v & 0x7F
        v >>= 7
        if v:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def compact_string(s):
    if s is None:
        return uvarint(0)
    b = s.encode()
    return uvarint(len(b) + 1) + b


def array(items):
    """ARRAY of already-encoded items; None for a null array."""
    if items is None:
        return i32(-1)
    return i32(len(items)) + b"".join(items)


def frame(payload):
    return i32(len(payload)) + payload


def request(api_key, api_version, correlation_id, body=b"", client_id="sluice-it",
            header_version=1):
    """A length-prefixed request with header v1 (or v2: plus empty tagged fields)."""
    header = i16(api_key) + i16(api_version) + i32(correlation_id)
    if header_version >= 1:
        header += string(client_id)
    if header_version >= 2:
        header += uvarint(0)  # no tagged fields
    return frame(header + body)


def api_versions_request(correlation_id, version=0):
    if version >= 3:
        body = compact_string("sluice-it") + compact_string("0.1") + uvarint(0)
        return request(18, version, correlation_id, body, header_version=2)
    return request(18, version, correlation_id)


def metadata_request(correlation_id, version=1, topics=None, allow_auto_create=False):
    """Metadata v0-7: v0 with no topics means all; v1+ with None (null) means all."""
    assert 0 <= version <= 7, "this encoder knows the non-flexible versions only"
    if version == 0:
        body = array([string(t) for t in (topics or [])])
    else:
        body = array(None if topics is None else [string(t) for t in topics])
    if version >= 4:
        body += i8(1 if allow_auto_create else 0)
    return request(3, version, correlation_id, body)


def produce_request_v3(correlation_id, topic, partition, record_batch, acks=1,
                       timeout_ms=10000):
    body = (string(None) + i16(acks) + i32(timeout_ms)
            + array([string(topic) + array([i32(partition) + i32(len(record_batch))
                                            + bytes(record_batch)])]))
    return request(0, 3, correlation_id, body)


def fetch_request_v4(correlation_id, topic, partition, offset, max_bytes, max_wait_ms=500,
                     min_bytes=1):
    """Fetch v4, one partition, read_uncommitted."""
    body = (i32(-1) + i32(max_wait_ms) + i32(min_bytes) + i32(max_bytes) + i8(0)
            + array([string(topic) + array([i32(partition) + i64(offset) + i32(max_bytes)])]))
    return request(1, 4, correlation_id, body)


# ---- decoding --------------------------------------------------------------------


class Reader:
    def __init__(self, data):
        self.data = bytes(data)
        self.pos = 0

    def take(self, n):
        if self.pos + n > len(self.data):
            raise ValueError(f"need {n} bytes at {self.pos}, have {len(self.data) - self.pos}")
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def i8(self):
        return struct.unpack(">b", self.take(1))[0]

    def i16(self):
        return struct.unpack(">h", self.take(2))[0]

    def i32(self):
        return struct.unpack(">i", self.take(4))[0]

    def i64(self):
        return struct.unpack(">q", self.take(8))[0]

    def uvarint(self):
        shift = value = 0
        while True:
            b = self.take(1)[0]
            value |= (b & 0x7F) << shift
            if not b & 0x80:
                return value
            shift += 7
            if shift > 35:
                raise ValueError("uvarint too long")

    def string(self):
        n = self.i16()
        return None if n < 0 else self.take(n).decode()

    def compact_string(self):
        n = self.uvarint()
        return None if n == 0 else self.take(n - 1).decode()

    def tagged_fields(self):
        for _ in range(self.uvarint()):
            self.uvarint()  # tag
            self.take(self.uvarint())

    def remaining(self):
        return len(self.data) - self.pos


def parse_api_versions(payload, version):
    """Body of an ApiVersions response (after the correlation id) -> dict.

    Raises ValueError if the bytes do not parse exactly (nothing left over).
    """
    r = Reader(payload)
    out = {"error_code": r.i16(), "api_keys": {}}
    if version >= 3:
        n = r.uvarint() - 1
        for _ in range(max(n, 0)):
            key, lo, hi = r.i16(), r.i16(), r.i16()
            r.tagged_fields()
            out["api_keys"][key] = (lo, hi)
        out["throttle_time_ms"] = r.i32()
        r.tagged_fields()
    else:
        for _ in range(r.i32()):
            key, lo, hi = r.i16(), r.i16(), r.i16()
            out["api_keys"][key] = (lo, hi)
        if version >= 1:
            out["throttle_time_ms"] = r.i32()
    if r.remaining():
        raise ValueError(f"{r.remaining()} bytes left over after an ApiVersions v{version} body")
    return out


# ---- sockets ---------------------------------------------------------------------


def connect(port, timeout=10.0):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def recv_exact(sock, n, timeout=10.0):
    sock.settimeout(timeout)
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError(f"connection closed after {len(buf)} of {n} bytes")
        buf += chunk
    return bytes(buf)


def recv_response(sock, timeout=10.0):
    """One response frame -> (correlation_id, rest of the frame after it)."""
    size = struct.unpack(">i", recv_exact(sock, 4, timeout))[0]
    assert 4 <= size <= 100 * 1024 * 1024, f"implausible response size {size}"
    data = recv_exact(sock, size, timeout)
    return struct.unpack(">i", data[:4])[0], data[4:]


def wait_closed(sock, timeout=10.0, closed_by=(ConnectionResetError, BrokenPipeError)):
    """Read until the peer closes; returns the bytes received before the close.
    `closed_by`: the exceptions that also mean the peer ended the connection.

    Raises AssertionError if the connection is still open after `timeout` seconds.
    """
    deadline = time.monotonic() + timeout
    received = bytearray()
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"connection still open after {timeout}s "
                                 f"(received {len(received)} bytes: {bytes(received[:64])!r})")
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        except closed_by:
            return bytes(received)
        if not chunk:
            return bytes(received)
        received += chunk
