"""Consumer groups with kafka-python 2.0.2: subscribe, commit, resume, spread, admin.

kafka-python uses GroupCoordinator v0, JoinGroup v2, SyncGroup/Heartbeat/LeaveGroup
v1, OffsetCommit v2 and OffsetFetch v1 (admin: DescribeGroups <= 3, ListGroups <= 2,
OffsetFetch <= 3). Consumers run on their own threads (see test_groups_support.py).
"""

import pytest
from kafka import KafkaAdminClient, TopicPartition

from sluice_clients import create_topic
from sluice_harness import wait_until
from test_groups_support import (  # noqa: F401 - gbroker is a fixture
    GROUP_EXTRA, KPDriver, KPMember, Ledger, gbroker, _group_brokers, new_group, produce,
    raise_member_errors, run_spread, wait_kp_ready)


def pairs(records):
    return {(r.partition, r.offset) for r in records}


def wait_records(member, n, timeout=30, what="records"):
    def enough():
        raise_member_errors([member])
        return len(member.snapshot()) >= n
    wait_until(enough, timeout, f"{n} {what} at member {member.name} "
                                f"(have {len(member.snapshot())})")
    return member.snapshot()


def test_group_reads_all_then_second_run_reads_none(gbroker, topic, closer):
    create_topic(gbroker.bootstrap, topic, 3)
    produced = produce(gbroker.bootstrap, topic, 3, 10)
    group = new_group("kp_all")

    # First run: plain KafkaConsumer defaults (auto commit, committed again on close).
    first = KPMember(gbroker.bootstrap, topic, group, "first", commit_each_poll=False,
                     enable_auto_commit=True)
    closer(lambda: first.stop())
    got = wait_records(first, 30, what="records of the first run")
    assert pairs(got) == produced
    assert len(got) == 30, f"duplicates in the first run: {sorted(pairs(got))}"
    first.stop(autocommit=True)

    # Second run of the same group: starts at the committed end, reads nothing old.
    second = KPMember(gbroker.bootstrap, topic, group, "second", commit_each_poll=False)
    closer(lambda: second.stop())
    positions = wait_kp_ready(second)
    assert positions == {0: 10, 1: 10, 2: 10}, \
        f"second run of group {group} should resume at the committed end offsets"
    assert second.snapshot() == [], "the second run re-read committed records"
    later = produce(gbroker.bootstrap, topic, 3, 1, tag="later")
    got2 = wait_records(second, 3, what="records produced after the second run joined")
    assert pairs(got2) == later, f"second run read {sorted(pairs(got2))}, expected only {later}"


def test_latest_group_reads_only_new(gbroker, topic, closer):
    create_topic(gbroker.bootstrap, topic, 2)
    produce(gbroker.bootstrap, topic, 2, 5, tag="old")
    m = KPMember(gbroker.bootstrap, topic, new_group("kp_latest"), "latest",
                 auto_offset_reset="latest")
    closer(lambda: m.stop())
    positions = wait_kp_ready(m)
    assert m.assignment == {0, 1}
    assert positions == {0: 5, 1: 5}, "a new group with 'latest' must start at the end"
    new = produce(gbroker.bootstrap, topic, 2, 3, tag="new")
    got = wait_records(m, 6, what="records produced after the 'latest' group joined")
    assert pairs(got) == new, f"read {sorted(pairs(got))}, expected only the new {sorted(new)}"


@pytest.mark.timeout(150)
def test_committed_offset_survives_kill9(make_broker, topic, closer):
    b = make_broker(extra=GROUP_EXTRA)
    create_topic(b.bootstrap, topic, 2)
    produce(b.bootstrap, topic, 2, 5, tag="before")
    group = new_group("kp_kill9")

    m = KPMember(b.bootstrap, topic, group, "before-kill")
    closer(lambda: m.stop())
    got = wait_records(m, 10, what="records before the kill")
    assert len(pairs(got)) == 10
    # Each poll's records are committed synchronously before they are published, so
    # all 10 are committed now. Check that through the broker too.
    committed = m.call(lambda c: {p: c.committed(TopicPartition(topic, p)) for p in (0, 1)},
                       what="committed() for both partitions")
    assert committed == {0: 5, 1: 5}
    m.stop()

    b.kill9()
    b.start()

    m2 = KPMember(b.bootstrap, topic, group, "after-restart")
    closer(lambda: m2.stop())
    positions = wait_kp_ready(m2, timeout=45)
    assert positions == {0: 5, 1: 5}, \
        "after kill -9 and restart the group should resume at its committed offsets"
    assert m2.snapshot() == [], "the group re-read committed records after the restart"
    after = produce(b.bootstrap, topic, 2, 3, tag="after")
    got2 = wait_records(m2, 6, what="records produced after the restart")
    assert pairs(got2) == after, \
        f"after restart read {sorted(pairs(got2))}, expected only {sorted(after)}"


@pytest.mark.timeout(240)
def test_partition_spread_kafka_python(gbroker, topic):
    create_topic(gbroker.bootstrap, topic, 10)
    driver = KPDriver(gbroker.bootstrap, topic, new_group("kp_spread"), Ledger())
    try:
        run_spread(driver, gbroker.bootstrap, topic)
    finally:
        driver.close_all()


def test_admin_list_describe_offsets(gbroker, topic, closer):
    create_topic(gbroker.bootstrap, topic, 3)
    produce(gbroker.bootstrap, topic, 3, 4)
    group = new_group("kp_admin")
    m = KPMember(gbroker.bootstrap, topic, group, "admin-member")
    closer(lambda: m.stop())
    wait_records(m, 12, what="records before inspecting the group")

    admin = KafkaAdminClient(bootstrap_servers=gbroker.bootstrap, client_id="groups-admin",
                             api_version_auto_timeout_ms=10000, request_timeout_ms=15000)
    closer(admin.close)

    listed = admin.list_consumer_groups()
    assert (group, "consumer") in listed, f"{group} missing from list_consumer_groups(): {listed}"

    (desc,) = admin.describe_consumer_groups([group])
    assert desc.error_code == 0
    assert desc.group == group
    assert desc.state == "Stable"
    assert desc.protocol_type == "consumer"
    assert desc.protocol in ("range", "roundrobin")
    assert len(desc.members) == 1, desc.members
    member = desc.members[0]
    assert member.client_id == "admin-member"
    assert member.member_id
    assert member.member_metadata.subscription == [topic]
    assert [(t, sorted(ps)) for t, ps in member.member_assignment.assignment] == \
        [(topic, [0, 1, 2])]

    offsets = admin.list_consumer_group_offsets(group)
    assert {tp: om.offset for tp, om in offsets.items()} == \
        {TopicPartition(topic, p): 4 for p in range(3)}

    m.stop()
    states = []

    def empty():
        (d,) = admin.describe_consumer_groups([group])
        states.append(d.state)
        return d if d.state == "Empty" else None
    # Kafka answers Empty right after the last LeaveGroup; allow a short transition.
    after = wait_until(empty, 10, f"group {group} to be Empty after its only member left "
                                  f"(states seen: {states[-5:]})", interval=0.1)
    assert after.members == []
    # Offsets of an empty group are kept.
    offsets = admin.list_consumer_group_offsets(group)
    assert {tp: om.offset for tp, om in offsets.items()} == \
        {TopicPartition(topic, p): 4 for p in range(3)}
