"""Shared fixtures and helpers for the consumer-group tests (test_groups_*.py).

This module holds no tests; it is named test_groups_* only because the group tests
own that file pattern. The test modules import its fixtures (`gbroker`) and helpers.

- `gbroker`: a broker per test module started with group.initial.rebalance.delay.ms=0
  (the shared session broker keeps the 3 s default, which would slow every join).
- `KPMember`: one kafka-python KafkaConsumer in a group, driven by its own thread.
  kafka-python 2.0.2 blocks without a time limit inside poll() while it looks for a
  coordinator or joins, so the consumer never runs on the test's thread: the test
  thread only waits (bounded, with a message) on what the member thread reports.
- `CFMember`: one confluent_kafka.Consumer in a group; several are polled in one loop
  by `cf_poll_until`.
- `wait_spread` / `Ledger`: the "every message exactly once across the group" checks.

Every wait is bounded and names what it waited for; nothing sleeps to synchronise.
"""

import collections
import queue
import secrets
import threading
import time
import traceback

import pytest
from confluent_kafka import Consumer, KafkaError, TopicPartition
from kafka import ConsumerRebalanceListener

from sluice_clients import kp_consumer, kp_producer
from sluice_harness import Broker, wait_until

SESSION_MS = 6000       # the broker's default group.min.session.timeout.ms
HEARTBEAT_MS = 500
GROUP_EXTRA = {"group.initial.rebalance.delay.ms": 0}


def new_group(tag):
    return f"g_{tag}_{secrets.token_hex(4)}"


# ---- brokers -------------------------------------------------------------------
class _GroupBrokers:
    def __init__(self, binary, tmp_path_factory):
        self.binary = binary
        self.tmp_path_factory = tmp_path_factory
        self.all = []

    def current(self):
        b = self.all[-1] if self.all else None
        if b is None or not b.running():
            # First use, or an earlier test killed it (and failed for that).
            b = Broker(self.tmp_path_factory.mktemp("groups-broker"), binary=self.binary,
                       extra=GROUP_EXTRA)
            self.all.append(b)
            b.start()
        return b


@pytest.fixture(scope="module")
def _group_brokers(sluiced_bin, tmp_path_factory):
    brokers = _GroupBrokers(sluiced_bin, tmp_path_factory)
    try:
        yield brokers
        if brokers.all and brokers.all[-1].running():
            brokers.all[-1].stop()  # asserts a clean exit (code 0)
    finally:
        for b in brokers.all:
            b.cleanup()


@pytest.fixture
def gbroker(_group_brokers):
    """A broker shared by the tests of one module, with no initial rebalance delay."""
    b = _group_brokers.current()
    yield b
    if not b.running():
        pytest.fail(f"the group broker (pid {b.pid}) died during this test with code "
                    f"{b.proc.returncode}; log {b.log_path}, tail:\n{b.log_tail()}",
                    pytrace=False)


# ---- producing -------------------------------------------------------------------
def produce(bootstrap, topic, partitions, per_partition, tag="m"):
    """`per_partition` keyed records into each of `partitions` partitions (explicitly).

    Returns the set of (partition, offset) the broker acknowledged.
    """
    p = kp_producer(bootstrap, acks="all")
    try:
        futures = []
        for part in range(partitions):
            for i in range(per_partition):
                futures.append(p.send(topic, key=f"k{part}-{i}".encode(),
                                      value=f"{tag}-{part}-{i}".encode(), partition=part))
        p.flush(timeout=20)
        out = set()
        for f in futures:
            md = f.get(timeout=20)
            out.add((md.partition, md.offset))
        return out
    finally:
        p.close(timeout=10)


# ---- exactly-once bookkeeping ------------------------------------------------------
class Ledger:
    """Every (partition, offset) received by any member, with who received it."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received = []  # (partition, offset, member name)
        self.produced = set()

    def add(self, name, pairs):
        with self.lock:
            self.received.extend((p, o, name) for p, o in pairs)

    def got(self):
        with self.lock:
            return {(p, o) for p, o, _ in self.received}

    def check_no_duplicates(self):
        with self.lock:
            counts = collections.Counter((p, o) for p, o, _ in self.received)
            dups = {k: [n for p, o, n in self.received if (p, o) == k]
                    for k, c in counts.items() if c > 1}
        assert not dups, f"records received more than once (partition, offset) -> members: {dups}"

    def wait_all_received(self, members, timeout, what):
        def done():
            for m in members:  # confluent members are polled here; kafka-python ones poll
                if hasattr(m, "poll_once"):  # on their own threads
                    m.poll_once()
            raise_member_errors(members)
            return self.produced <= self.got()
        try:
            wait_until(done, timeout, what, interval=0.05)
        except AssertionError as e:
            missing = sorted(self.produced - self.got())
            raise AssertionError(f"{e}; missing (partition, offset): {missing[:30]} "
                                 f"({len(missing)} in all); assignments: "
                                 f"{describe_members(members)}") from None
        self.check_no_duplicates()
        unexpected = self.got() - self.produced
        assert not unexpected, f"received records that were never produced: {sorted(unexpected)}"


def raise_member_errors(members):
    for m in members:
        if m.errors:
            raise AssertionError(f"member {m.name} failed: {m.errors[0]}")


def describe_members(members):
    return {m.name: (None if m.assignment is None else sorted(m.assignment)) for m in members}


def spread_ok(members, partitions, expected_counts):
    """Every member has been assigned at least once, the assignments are disjoint,
    cover partitions 0..partitions-1 and their sizes are `expected_counts`."""
    seen = []
    for m in members:
        a = m.assignment
        if a is None or m.assign_events == 0:
            return False
        seen.append(set(a))
    union = set().union(*seen)
    if union != set(range(partitions)) or sum(len(s) for s in seen) != partitions:
        return False
    return sorted((len(s) for s in seen), reverse=True) == sorted(expected_counts, reverse=True)


# ---- kafka-python member (own thread) ------------------------------------------------
class KPMember:
    """A kafka-python KafkaConsumer subscribed to `topic` in `group`, in its own thread.

    commit_each_poll: commit (synchronously) what each poll returned before the
    records are published to the test, so anything the test has seen is committed.
    """

    def __init__(self, bootstrap, topic, group, name, ledger=None, commit_each_poll=True,
                 **kw):
        self.name = name
        self.topic = topic
        self.ledger = ledger
        self.commit_each_poll = commit_each_poll
        self.kw = dict(kw)
        self.kw.setdefault("session_timeout_ms", SESSION_MS)
        self.kw.setdefault("heartbeat_interval_ms", HEARTBEAT_MS)
        self.kw.setdefault("auto_offset_reset", "earliest")
        self.kw.setdefault("client_id", name)
        self.bootstrap = bootstrap
        self.group = group
        self.lock = threading.Lock()
        self.records = []          # ConsumerRecord, in arrival order
        self.assignment = None     # set of partitions, None before the first assignment
        self.assign_events = 0
        self.revoke_events = 0
        self.positions = None      # {partition: position} once all positions are known
        self.errors = []
        self._stop = threading.Event()
        self._close_autocommit = False
        self._commands = queue.Queue()
        self.closed = threading.Event()
        self.consumer = None
        self.thread = threading.Thread(target=self._run, name=f"kp-{name}", daemon=True)
        self.thread.start()

    def _listener(self):
        member = self

        class Listener(ConsumerRebalanceListener):
            def on_partitions_revoked(self, revoked):
                member.revoke_events += 1
                member.assignment = set()

            def on_partitions_assigned(self, assigned):
                member.assign_events += 1
                member.assignment = {tp.partition for tp in assigned}

        return Listener()

    def _run(self):
        c = None
        try:
            c = kp_consumer(self.bootstrap, group_id=self.group, **self.kw)
            self.consumer = c
            c.subscribe([self.topic], listener=self._listener())
            while not self._stop.is_set():
                while True:
                    try:
                        fn, box, done = self._commands.get_nowait()
                    except queue.Empty:
                        break
                    try:
                        box.append(("ok", fn(c)))
                    except Exception as e:  # noqa: BLE001 - handed to the caller
                        box.append(("error", e))
                    done.set()
                recs = [r for rs in c.poll(timeout_ms=100).values() for r in rs]
                if recs and self.commit_each_poll:
                    try:
                        c.commit()
                    except Exception:  # noqa: BLE001 - reported to the test
                        self.errors.append(f"commit after poll failed: {traceback.format_exc()}")
                st = c._subscription  # kafka-python 2.0.2 (pinned): no public "position known"
                if st.assignment and st.has_all_fetch_positions():
                    self.positions = {tp.partition: s.position for tp, s in st.assignment.items()}
                if recs:
                    with self.lock:
                        self.records.extend(recs)
                    if self.ledger is not None:
                        self.ledger.add(self.name, [(r.partition, r.offset) for r in recs])
        except Exception:  # noqa: BLE001 - reported to the test
            self.errors.append(traceback.format_exc())
        finally:
            if c is not None:
                try:
                    c.close(autocommit=self._close_autocommit)
                except Exception:  # noqa: BLE001
                    self.errors.append(f"close failed: {traceback.format_exc()}")
            self.closed.set()

    def call(self, fn, timeout=20, what="a call on the consumer thread"):
        """Run fn(consumer) on the member's thread and return its result."""
        box, done = [], threading.Event()
        self._commands.put((fn, box, done))
        wait_until(lambda: done.is_set() or self.errors or self.closed.is_set(), timeout,
                   f"{what} (member {self.name})")
        raise_member_errors([self])
        assert box, f"member {self.name} stopped before running {what}"
        kind, value = box[0]
        if kind == "error":
            raise value
        return value

    def snapshot(self):
        with self.lock:
            return list(self.records)

    def request_stop(self, autocommit=False):
        self._close_autocommit = autocommit
        self._stop.set()

    def stop(self, autocommit=False, timeout=10):
        """Stop polling and close() the consumer (LeaveGroup), bounded."""
        self.request_stop(autocommit)
        self.wait_closed(timeout)

    def wait_closed(self, timeout=20):
        wait_until(self.closed.is_set, timeout, f"kafka-python member {self.name} to close()")
        self.thread.join(5)


def wait_kp_ready(member, timeout=30):
    """Until the member has an assignment and a known position for every partition."""
    def ready():
        raise_member_errors([member])
        return member.assign_events > 0 and member.assignment and member.positions
    wait_until(ready, timeout, f"member {member.name} to be assigned partitions and know "
                               f"its positions (assignment {member.assignment})")
    return dict(member.positions)


def stop_all(members, timeout=30):
    """Close several kafka-python members at once (each closes on its own thread)."""
    for m in members:
        m.request_stop()
    for m in members:
        m.wait_closed(timeout)


# ---- confluent-kafka member (polled by the test thread) ------------------------------
class CFMember:
    """A confluent_kafka.Consumer subscribed to `topic`; poll it with cf_poll_until.

    commit_each_poll: synchronously commit the offsets following what each consume()
    returned before publishing the records to the ledger.
    """

    def __init__(self, bootstrap, topic, group, name, ledger=None, commit_each_poll=True,
                 **conf):
        self.name = name
        self.topic = topic
        self.ledger = ledger
        self.commit_each_poll = commit_each_poll
        full = {
            "bootstrap.servers": bootstrap,
            "group.id": group,
            "client.id": name,
            "session.timeout.ms": SESSION_MS,
            "heartbeat.interval.ms": HEARTBEAT_MS,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
        full.update(conf)
        self.records = []
        self.assignment = None
        self.assign_events = 0
        self.revoke_events = 0
        self.events = []        # ("assign" | "revoke", [partitions]) in order
        self.errors = []
        self.closed = False
        self.c = Consumer(full)
        self.c.subscribe([topic], on_assign=self._on_assign, on_revoke=self._on_revoke)

    def _on_assign(self, c, parts):
        self.assign_events += 1
        ps = sorted(p.partition for p in parts)
        self.events.append(("assign", ps))
        self.assignment = (self.assignment or set()) | set(ps)

    def _on_revoke(self, c, parts):
        self.revoke_events += 1
        ps = sorted(p.partition for p in parts)
        self.events.append(("revoke", ps))
        self.assignment = (self.assignment or set()) - set(ps)

    def poll_once(self, timeout=0.02):
        if self.closed:
            return []
        msgs = self.c.consume(num_messages=500, timeout=timeout)
        good = []
        for m in msgs:
            err = m.error()
            if err is not None:
                if err.code() != KafkaError._PARTITION_EOF:
                    self.errors.append(f"consume error: {err}")
                continue
            good.append(m)
        if good and self.commit_each_poll:
            nxt = {}
            for m in good:
                nxt[m.partition()] = max(nxt.get(m.partition(), 0), m.offset() + 1)
            try:
                self.c.commit(offsets=[TopicPartition(self.topic, p, o) for p, o in nxt.items()],
                              asynchronous=False)
            except Exception as e:  # noqa: BLE001 - reported to the test
                self.errors.append(f"commit failed: {e!r}")
        self.records.extend(good)
        if self.ledger is not None and good:
            self.ledger.add(self.name, [(m.partition(), m.offset()) for m in good])
        return good

    def close(self):
        if not self.closed:
            self.closed = True
            self.c.close()


def cf_poll_until(members, predicate, timeout, what):
    """Poll every open member in turn until predicate() is true (bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        for m in members:
            m.poll_once()
        raise_member_errors(members)
        if predicate():
            return
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}; "
                                 f"assignments {describe_members(members)}")


# ---- the partition-spread scenario, for either client ------------------------------
class KPDriver:
    client = "kafka-python"

    def __init__(self, bootstrap, topic, group, ledger):
        self.args = (bootstrap, topic, group)
        self.ledger = ledger
        self.members = []

    def add(self, name):
        m = KPMember(*self.args, name, ledger=self.ledger)
        self.members.append(m)
        return m

    def wait(self, members, predicate, timeout, what):
        def ok():
            raise_member_errors(members)
            return predicate()
        try:
            wait_until(ok, timeout, what)
        except AssertionError as e:
            raise AssertionError(f"{e}; assignments {describe_members(members)}") from None

    def begin_close(self, leavers):
        for m in leavers:
            m.request_stop()

        def finish():
            for m in leavers:
                m.wait_closed(20)
        return finish

    def close_all(self):
        for m in self.members:
            m.request_stop()
        for m in self.members:
            try:
                m.wait_closed(10)
            except AssertionError:
                pass


class CFDriver:
    client = "confluent-kafka"

    def __init__(self, bootstrap, topic, group, ledger):
        self.args = (bootstrap, topic, group)
        self.ledger = ledger
        self.members = []

    def add(self, name):
        m = CFMember(*self.args, name, ledger=self.ledger)
        self.members.append(m)
        return m

    def wait(self, members, predicate, timeout, what):
        cf_poll_until(members, predicate, timeout, what)

    def begin_close(self, leavers):
        """close() every leaver at once, each on its own thread (one thread per consumer)."""
        threads = [threading.Thread(target=m.close, name=f"close-{m.name}", daemon=True)
                   for m in leavers]
        for t in threads:
            t.start()

        def finish():
            deadline = time.monotonic() + 20
            for t in threads:
                t.join(max(0.0, deadline - time.monotonic()))
            stuck = [t.name for t in threads if t.is_alive()]
            assert not stuck, f"confluent-kafka close() did not return within 20s: {stuck}"
        return finish

    def close_all(self):
        for m in self.members:
            try:
                m.close()
            except Exception:  # noqa: BLE001 - teardown
                pass


SPREAD_STEPS = [(1, [10]), (2, [5, 5]), (3, [4, 3, 3]), (11, [1] * 10 + [0])]


def run_spread(driver, bootstrap, topic, partitions=10, step_timeout=45):
    ledger = driver.ledger
    active = []

    def produce_and_check(label):
        ledger.produced |= produce(bootstrap, topic, partitions, 2, tag=label)
        driver.wait(active, lambda: ledger.produced <= ledger.got(), 30,
                    f"{driver.client}: every record produced so far to be received by the "
                    f"group ({label})")
        ledger.check_no_duplicates()
        unexpected = ledger.got() - ledger.produced
        assert not unexpected, f"received records never produced: {sorted(unexpected)}"

    for n, expected in SPREAD_STEPS:
        while len(active) < n:
            active.append(driver.add(f"m{len(active) + 1}"))
        driver.wait(active, lambda: spread_ok(active, partitions, expected), step_timeout,
                    f"{driver.client}: {n} member(s) to own {expected} partitions of "
                    f"{partitions}")
        if n == 11:
            owners = [m.name for m in active if m.assignment]
            assert len(owners) == 10, f"with 11 members exactly one must own nothing: " \
                                      f"{describe_members(active)}"
        produce_and_check(f"step{n}")

    # Ten members leave with close(): the survivor must own everything well within the
    # session timeout (a broker that ignored LeaveGroup would need the timeout to
    # expire before even starting the rebalance).
    survivor, leavers = active[0], active[1:]
    t0 = time.monotonic()
    finish_close = driver.begin_close(leavers)
    active[:] = [survivor]
    driver.wait(active, lambda: spread_ok(active, partitions, [partitions]), SESSION_MS / 1000,
                f"{driver.client}: the remaining member to own all {partitions} partitions "
                f"within the {SESSION_MS} ms session timeout after 10 members close()d")
    handover = time.monotonic() - t0
    finish_close()
    produce_and_check("after-leave")

    # No gaps and no duplicates over the whole run.
    ledger.check_no_duplicates()
    by_part = collections.defaultdict(list)
    for p, o in ledger.got():
        by_part[p].append(o)
    for p in range(partitions):
        assert sorted(by_part[p]) == list(range(len(by_part[p]))), \
            f"partition {p}: received offsets {sorted(by_part[p])} are not 0..n-1"
    return handover
