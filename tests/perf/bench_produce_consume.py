#!/usr/bin/python3
"""Produce/consume throughput of a real sluiced, next to a raw loopback TCP baseline.

A program, not a test: it prints figures and never judges them.

    /usr/bin/python3 tests/perf/bench_produce_consume.py [--mib 256] [--bin build/broker/sluiced]

For each partition count (1 and 64 by default) it produces --mib MiB of 1 KiB
records with confluent-kafka (librdkafka from Python; acks=1, linger.ms=5, batch.size 1 MiB) and
with kcat (librdkafka without Python in the loop),
then consumes them back with assign() from the beginning. With --tls the kcat phases
are repeated over an SSL listener of the same broker (certificates made with openssl),
so the cost of TLS shows next to plaintext. In the same run it times
a plain TCP transfer of the same number of bytes over loopback (1 MiB writes, a
Python sender thread to a receiver thread) and prints sluice / raw for each phase.
"""

import argparse
import os
import socket
import sys
import tempfile
import threading
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, Producer, TopicPartition  # noqa: E402

from sluice_clients import create_topic  # noqa: E402
from sluice_harness import Broker, free_port  # noqa: E402

MB = 1_000_000
MIB = 1 << 20


def raw_tcp_baseline(total_bytes, chunk=MIB):
    """Seconds to push total_bytes through a loopback TCP connection, 1 MiB writes."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    received = [0]

    def receive():
        conn, _ = listener.accept()
        with conn:
            buf = bytearray(chunk)
            view = memoryview(buf)
            while received[0] < total_bytes:
                n = conn.recv_into(view)
                if n == 0:
                    break
                received[0] += n

    t = threading.Thread(target=receive, daemon=True)
    t.start()
    payload = b"\xab" * chunk
    start = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port)) as s:
        sent = 0
        while sent < total_bytes:
            n = min(chunk, total_bytes - sent)
            s.sendall(payload[:n] if n < chunk else payload)
            sent += n
        t.join(600)
    elapsed = time.perf_counter() - start
    listener.close()
    if received[0] != total_bytes:
        raise RuntimeError(f"raw baseline received {received[0]} of {total_bytes} bytes")
    return elapsed


def produce(bootstrap, topic, count, record_size):
    p = Producer({
        "bootstrap.servers": bootstrap,
        "acks": 1,
        "linger.ms": 5,
        "batch.size": MIB,
        "queue.buffering.max.kbytes": 512 * 1024,
        "queue.buffering.max.messages": 1_000_000,
    })
    errors = []
    delivered = [0]

    def on_delivery(err, _msg):
        if err is not None:
            errors.append(err)
        else:
            delivered[0] += 1

    value = bytes((i * 7) & 0xFF for i in range(record_size))
    start = time.perf_counter()
    for _ in range(count):
        while True:
            try:
                p.produce(topic, value, on_delivery=on_delivery)
                break
            except BufferError:
                p.poll(0.01)
    left = p.flush(300)
    elapsed = time.perf_counter() - start
    if left or errors or delivered[0] != count:
        raise RuntimeError(f"produce: {left} undelivered, {len(errors)} errors "
                           f"(first: {errors[:1]}), {delivered[0]}/{count} delivered")
    return elapsed


def consume(bootstrap, topic, partitions, count, record_size):
    c = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": "sluice-bench",
        "enable.auto.commit": False,
        "enable.partition.eof": False,
        "fetch.wait.max.ms": 100,
    })
    got = 0
    nbytes = 0
    start = time.perf_counter()
    deadline = time.monotonic() + 600
    c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
    while got < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"consume: only {got}/{count} records after 600s")
        for m in c.consume(num_messages=10000, timeout=1.0):
            if m.error() is not None:
                if m.error().code() == KafkaError._PARTITION_EOF:
                    continue
                raise RuntimeError(f"consume: {m.error()}")
            got += 1
            nbytes += len(m.value())
    elapsed = time.perf_counter() - start
    c.close()
    if nbytes != count * record_size:
        raise RuntimeError(f"consume: {nbytes} bytes, expected {count * record_size}")
    return elapsed


def kcat_produce(bootstrap, topic, count, record_size, tmp, extra=()):
    """kcat reads one record per line: a file of `count` lines of record_size bytes."""
    path = os.path.join(tmp, f"records_{record_size}")
    if not os.path.exists(path):
        line = (b"x" * (record_size - 1)) + b"\n"
        with open(path, "wb") as f:
            for _ in range(count):
                f.write(line)
    start = time.perf_counter()
    subprocess.run(["kcat", "-b", bootstrap, "-t", topic, "-P", "-l", "-z", "none",
                    "-X", "linger.ms=5", "-X", "batch.size=1048576", "-X", "acks=1", *extra,
                    path],
                   check=True, timeout=600, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def kcat_consume(bootstrap, topic, count, record_size, extra=()):
    start = time.perf_counter()
    out = subprocess.run(["kcat", "-b", bootstrap, "-t", topic, "-C", "-e", "-q",
                          "-o", "beginning", "-f", "%S\n", *extra],
                         check=True, timeout=600, capture_output=True).stdout
    elapsed = time.perf_counter() - start
    sizes = out.split()
    got = sum(int(x) for x in sizes)
    if len(sizes) != count or got != count * (record_size - 1):
        raise RuntimeError(f"kcat consume: {len(sizes)} records, {got} bytes")
    return elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mib", type=int, default=256, help="MiB of records per phase (256)")
    ap.add_argument("--bin", default=None, help="sluiced binary (default $SLUICE_BIN or "
                                                "build/broker/sluiced)")
    ap.add_argument("--partitions", default="1,64", help="comma-separated partition counts")
    ap.add_argument("--record-size", type=int, default=1024, help="bytes per record (1024)")
    ap.add_argument("--tls", action="store_true", help="also run the kcat phases over TLS")
    args = ap.parse_args()

    total = args.mib * MIB
    count = total // args.record_size
    total = count * args.record_size

    rows = []
    with tempfile.TemporaryDirectory(prefix="sluice-bench-") as tmp:
        extra, tls_bootstrap, tls_args = {}, None, ()
        if args.tls:
            from tls_certs import make_certs  # tests/integration, needs openssl
            certs = make_certs(os.path.join(tmp, "certs"))
            port, tls_port = free_port(), free_port()
            extra = {"listeners": f"PLAINTEXT://127.0.0.1:{port},SSL://127.0.0.1:{tls_port}",
                     "advertised.listeners":
                         f"PLAINTEXT://127.0.0.1:{port},SSL://127.0.0.1:{tls_port}",
                     "ssl.keystore.location": str(certs.keystore_key_first)}
            tls_bootstrap = f"127.0.0.1:{tls_port}"
            tls_args = ("-X", "security.protocol=SSL", "-X", f"ssl.ca.location={certs.ca}")
        broker = Broker(os.path.join(tmp, "broker"), binary=args.bin, extra=extra,
                        port=port if args.tls else None)
        broker.start()
        try:
            for parts in [int(x) for x in args.partitions.split(",")]:
                topic = f"bench_{parts}p_{os.getpid()}"
                create_topic(broker.bootstrap, topic, parts, timeout=60)
                secs = produce(broker.bootstrap, topic, count, args.record_size)
                rows.append(("produce", parts, secs))
                secs = consume(broker.bootstrap, topic, parts, count, args.record_size)
                rows.append(("consume", parts, secs))
                ktopic = topic + "_kcat"
                create_topic(broker.bootstrap, ktopic, parts, timeout=60)
                secs = kcat_produce(broker.bootstrap, ktopic, count, args.record_size, tmp)
                rows.append(("kcat -P", parts, secs))
                secs = kcat_consume(broker.bootstrap, ktopic, count, args.record_size)
                rows.append(("kcat -C", parts, secs))
                if tls_bootstrap:
                    ttopic = topic + "_tls"
                    create_topic(broker.bootstrap, ttopic, parts, timeout=60)
                    secs = kcat_produce(tls_bootstrap, ttopic, count, args.record_size, tmp,
                                        tls_args)
                    rows.append(("kcat -P tls", parts, secs))
                    secs = kcat_consume(tls_bootstrap, ttopic, count, args.record_size,
                                        tls_args)
                    rows.append(("kcat -C tls", parts, secs))
        finally:
            if broker.running():
                broker.stop()
            broker.cleanup()
        raw = raw_tcp_baseline(total)

    raw_rate = total / raw / MB
    print(f"\n{count} records of {args.record_size} B = {total / MIB:.0f} MiB per phase; "
          f"MB/s = 10^6 bytes of record values per second")
    print(f"{'phase':<12}{'partitions':>11}{'seconds':>10}{'MB/s':>10}{'records/s':>12}"
          f"{'vs raw':>9}")
    for phase, parts, secs in rows:
        rate = total / secs / MB
        print(f"{phase:<12}{parts:>11}{secs:>10.2f}{rate:>10.1f}{count / secs:>12.0f}"
              f"{rate / raw_rate:>9.3f}")
    print(f"{'raw tcp':<12}{'-':>11}{raw:>10.2f}{raw_rate:>10.1f}{'-':>12}{1.0:>9.3f}")


if __name__ == "__main__":
    main()
