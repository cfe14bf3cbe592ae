"""Consumer groups with confluent-kafka 1.7.0 (librdkafka 2.0.2).

librdkafka uses FindCoordinator v2, JoinGroup v5, SyncGroup v3, Heartbeat v3,
LeaveGroup v1, OffsetCommit v7 and OffsetFetch v7. All consumers of a test are
polled in one loop on the test thread (librdkafka heartbeats on its own threads),
except the SIGSTOP test, whose victim runs in a subprocess.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from confluent_kafka import TopicPartition

from sluice_clients import create_topic
from sluice_harness import wait_until
from test_groups_support import (  # noqa: F401 - gbroker is a fixture
    HEARTBEAT_MS, SESSION_MS, CFDriver, CFMember, Ledger, gbroker, _group_brokers,
    cf_poll_until, new_group, produce, run_spread, spread_ok)


def offsets_of(tps):
    return {tp.partition: tp.offset for tp in tps}


@pytest.mark.timeout(240)
def test_partition_spread_confluent(gbroker, topic):
    create_topic(gbroker.bootstrap, topic, 10)
    driver = CFDriver(gbroker.bootstrap, topic, new_group("cf_spread"), Ledger())
    try:
        run_spread(driver, gbroker.bootstrap, topic)
    finally:
        driver.close_all()


def test_commit_committed_position_callbacks(gbroker, topic, closer):
    create_topic(gbroker.bootstrap, topic, 2)
    produce(gbroker.bootstrap, topic, 2, 5, tag="a")
    group = new_group("cf_commit")
    commits = []
    m = CFMember(gbroker.bootstrap, topic, group, "committer", commit_each_poll=False,
                 on_commit=lambda err, parts: commits.append(
                     (err, offsets_of(parts or []))))
    closer(m.close)
    cf_poll_until([m], lambda: len(m.records) >= 10, 30, "10 records through subscribe()")
    assert m.events[0] == ("assign", [0, 1]), m.events
    assert sorted((r.partition(), r.offset()) for r in m.records) == \
        [(p, o) for p in (0, 1) for o in range(5)]
    tps = [TopicPartition(topic, 0), TopicPartition(topic, 1)]

    # Synchronous commit of the stored (consumed) offsets.
    result = m.c.commit(asynchronous=False)
    assert offsets_of(result) == {0: 5, 1: 5}
    assert offsets_of(m.c.committed(tps, timeout=10)) == {0: 5, 1: 5}
    assert offsets_of(m.c.position(tps)) == {0: 5, 1: 5}

    # Asynchronous commit: the result arrives through on_commit during a later poll.
    produce(gbroker.bootstrap, topic, 2, 2, tag="b")
    cf_poll_until([m], lambda: len(m.records) >= 14, 30, "4 more records")
    assert m.c.commit(asynchronous=True) is None
    cf_poll_until([m], lambda: any(c == {0: 7, 1: 7} for _, c in commits), 20,
                  f"the on_commit callback of an async commit of 7/7 (seen {commits})")
    errs = [e for e, c in commits if c == {0: 7, 1: 7}]
    assert errs == [None], f"async commit failed: {errs}"
    assert offsets_of(m.c.committed(tps, timeout=10)) == {0: 7, 1: 7}
    assert offsets_of(m.c.position(tps)) == {0: 7, 1: 7}

    # close(): the revoke callback runs; a new member of the group resumes at 7.
    m.close()
    assert m.events[-1] == ("revoke", [0, 1]), m.events
    later = produce(gbroker.bootstrap, topic, 2, 1, tag="c")
    m2 = CFMember(gbroker.bootstrap, topic, group, "resumer")
    closer(m2.close)
    cf_poll_until([m2], lambda: len(m2.records) >= 2, 30, "the records produced after close")
    assert {(r.partition(), r.offset()) for r in m2.records} == later == {(0, 7), (1, 7)}


def test_cooperative_sticky_incremental(gbroker, topic, closer):
    create_topic(gbroker.bootstrap, topic, 10)
    group = new_group("cf_coop")
    ledger = Ledger()
    conf = {"partition.assignment.strategy": "cooperative-sticky"}
    c1 = CFMember(gbroker.bootstrap, topic, group, "coop1", ledger=ledger, **conf)
    closer(c1.close)
    cf_poll_until([c1], lambda: spread_ok([c1], 10, [10]), 30,
                  "the first cooperative member to own all 10 partitions")
    ledger.produced |= produce(gbroker.bootstrap, topic, 10, 1, tag="one")
    ledger.wait_all_received([c1], 30, "records with one member")
    c1_before = list(c1.events)

    c2 = CFMember(gbroker.bootstrap, topic, group, "coop2", ledger=ledger, **conf)
    closer(c2.close)
    cf_poll_until([c1, c2], lambda: spread_ok([c1, c2], 10, [5, 5]), 45,
                  "two cooperative members to own 5 partitions each")

    c1_new = [e for e in c1.events[len(c1_before):] if e[1]]  # ignore empty increments
    c1_revoked = [p for kind, ps in c1_new if kind == "revoke" for p in ps]
    assert all(kind == "revoke" for kind, _ in c1_new), \
        f"the first member should only lose partitions incrementally: {c1_new}"
    assert len(c1_revoked) == 5 and not set(c1_revoked) & c1.assignment, \
        f"cooperative rebalance should revoke exactly the 5 moved partitions: {c1_new}"
    c2_events = [e for e in c2.events if e[1]]
    assert all(kind == "assign" for kind, _ in c2_events), c2_events
    assert sorted(p for _, ps in c2_events for p in ps) == sorted(c1_revoked)

    ledger.produced |= produce(gbroker.bootstrap, topic, 10, 2, tag="two")
    ledger.wait_all_received([c1, c2], 30, "records with two cooperative members")


def test_static_member_restart_keeps_assignment(gbroker, topic, closer):
    create_topic(gbroker.bootstrap, topic, 4)
    group = new_group("cf_static")
    ledger = Ledger()
    # The dynamic member joins first and so leads the group; the static one follows.
    d = CFMember(gbroker.bootstrap, topic, group, "dynamic", ledger=ledger)
    closer(d.close)
    cf_poll_until([d], lambda: spread_ok([d], 4, [4]), 30,
                  "the dynamic member to own all 4 partitions")
    s = CFMember(gbroker.bootstrap, topic, group, "static", ledger=ledger,
                 **{"group.instance.id": "static-1"})
    closer(s.close)
    cf_poll_until([s, d], lambda: spread_ok([s, d], 4, [2, 2]), 45,
                  "a static and a dynamic member to own 2 partitions each")
    ledger.produced |= produce(gbroker.bootstrap, topic, 4, 2, tag="before")
    ledger.wait_all_received([s, d], 30, "records before the restart")
    static_parts = set(s.assignment)
    d_events = list(d.events)

    # Restart the static member well within the session timeout. A static member's
    # close() sends no LeaveGroup, so the broker must hand the same assignment to the
    # new instance without a rebalance.
    t0 = time.monotonic()
    s.close()
    s2 = CFMember(gbroker.bootstrap, topic, group, "static-again", ledger=ledger,
                  **{"group.instance.id": "static-1"})
    closer(s2.close)
    cf_poll_until([s2, d], lambda: s2.assignment, SESSION_MS / 1000,
                  "the restarted static member to get an assignment within the session "
                  "timeout")
    assert time.monotonic() - t0 < SESSION_MS / 1000
    assert s2.assignment == static_parts, \
        f"restarted static member got {sorted(s2.assignment)}, had {sorted(static_parts)}"

    ledger.produced |= produce(gbroker.bootstrap, topic, 4, 2, tag="after")
    ledger.wait_all_received([s2, d], 30, "records after the static member restarted")
    assert d.events == d_events, \
        f"the other member saw rebalance callbacks during the static restart: " \
        f"{d.events[len(d_events):]}"


VICTIM = r"""
import json, os, sys, time
from confluent_kafka import Consumer
bootstrap, topic, group, session_ms, heartbeat_ms = sys.argv[1:6]
def out(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()
c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "client.id": "victim",
              "session.timeout.ms": int(session_ms), "heartbeat.interval.ms": int(heartbeat_ms),
              "auto.offset.reset": "earliest", "enable.auto.commit": False})
c.subscribe([topic],
            on_assign=lambda c, ps: out({"assign": sorted(p.partition for p in ps)}),
            on_revoke=lambda c, ps: out({"revoke": sorted(p.partition for p in ps)}))
out({"pid": os.getpid()})
deadline = time.monotonic() + 150  # never outlive the test by much if orphaned
while time.monotonic() < deadline:
    c.poll(0.1)
"""


def test_member_that_stops_heartbeating_is_removed(gbroker, topic, closer):
    create_topic(gbroker.bootstrap, topic, 4)
    group = new_group("cf_stopped")
    proc = subprocess.Popen(
        [sys.executable, "-c", VICTIM, gbroker.bootstrap, topic, group, str(SESSION_MS),
         str(HEARTBEAT_MS)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        text=True)

    def kill_victim():
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    closer(kill_victim)

    lines = []

    def reader():
        for line in proc.stdout:
            lines.append(json.loads(line))
    threading.Thread(target=reader, daemon=True).start()

    def victim_assignment():
        a = None
        for ev in lines:
            if "assign" in ev:
                a = set(ev["assign"])
            elif "revoke" in ev:
                a = set()
        return a

    wait_until(lambda: victim_assignment() == {0, 1, 2, 3}, 45,
               "the subprocess consumer to own all 4 partitions")

    other = CFMember(gbroker.bootstrap, topic, group, "survivor")
    closer(other.close)

    def split():
        va = victim_assignment()
        return (other.assignment is not None and len(other.assignment) == 2 and va
                and len(va) == 2 and not va & other.assignment)
    cf_poll_until([other], split, 45, "the subprocess consumer and the survivor to own 2 "
                                      "partitions each")

    os.kill(proc.pid, signal.SIGSTOP)
    t0 = time.monotonic()
    limit = SESSION_MS / 1000 + 6
    cf_poll_until([other], lambda: other.assignment == {0, 1, 2, 3}, limit,
                  f"the survivor to get all 4 partitions after the other member was "
                  f"SIGSTOPped (session timeout {SESSION_MS} ms)")
    elapsed = time.monotonic() - t0
    # The stopped member's last heartbeat was at most one interval before SIGSTOP.
    assert elapsed >= SESSION_MS / 1000 - HEARTBEAT_MS / 1000 - 0.5, \
        f"the stopped member lost its partitions after {elapsed:.1f}s, before its " \
        f"{SESSION_MS} ms session timeout"
    kill_victim()
