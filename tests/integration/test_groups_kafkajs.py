"""Consumer groups with kafkajs 2.2.4 (node scripts node/groups_*.js).

kafkajs uses FindCoordinator v2, JoinGroup v5, SyncGroup v3, Heartbeat v3,
LeaveGroup v3, OffsetCommit v5, OffsetFetch v4; admin DescribeGroups v2,
ListGroups v2, DeleteGroups v1. Each script prints one JSON object as its last line.
"""

import collections
import json
import subprocess
from pathlib import Path

import pytest

from sluice_clients import create_topic
from test_groups_support import (  # noqa: F401 - gbroker is a fixture
    _group_brokers, gbroker, new_group, produce)

NODE_DIR = Path(__file__).resolve().parent / "node"
NODE_TIMEOUT_S = 75  # the scripts' own watchdog (common.js) is 60 s


def run_node(script, broker, topic, *args):
    cmd = ["node", str(NODE_DIR / script), broker.bootstrap, topic, *map(str, args)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=NODE_DIR)
    try:
        out, err = proc.communicate(timeout=NODE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()  # by PID (Popen.kill)
        out, err = proc.communicate(timeout=10)
        raise AssertionError(f"{script} {args} did not finish within {NODE_TIMEOUT_S}s; "
                             f"stderr:\n{err[-3000:]}") from None
    assert proc.returncode == 0, f"{script} {args} exited {proc.returncode}; stderr:\n{err[-3000:]}"
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines, f"{script} printed nothing; stderr:\n{err[-3000:]}"
    return json.loads(lines[-1])


@pytest.mark.timeout(100)
def test_two_members_each_message_once(kafkajs_installed, gbroker, topic):
    create_topic(gbroker.bootstrap, topic, 4)
    group = new_group("js_two")
    out = run_node("groups_two_members.js", gbroker, topic, group, 4, 40)

    a0, a1 = out["assignments"]
    assert sorted(a0 + a1) == [0, 1, 2, 3] and a0 and a1, out["assignments"]
    assert out["described"] == [{"groupId": group, "state": "Stable", "protocolType": "consumer",
                                 "protocol": "RoundRobinAssigner", "members": 2}]
    got = [(r["partition"], r["offset"]) for r in out["received"]]
    dups = [k for k, c in collections.Counter(got).items() if c > 1]
    assert not dups, f"records received twice: {dups}"
    assert sorted(got) == sorted((p, o) for p in range(4) for o in range(10))
    for r in out["received"]:
        assert r["partition"] in out["assignments"][r["member"]], \
            f"member {r['member']} received partition {r['partition']} it does not own"
    assert {r["member"] for r in out["received"]} == {0, 1}


@pytest.mark.timeout(240)
def test_commit_resume_and_admin(kafkajs_installed, gbroker, topic):
    create_topic(gbroker.bootstrap, topic, 2)
    group = new_group("js_resume")
    first = produce(gbroker.bootstrap, topic, 2, 3, tag="first")

    # Read everything, commit 3/3.
    out = run_node("groups_resume.js", gbroker, topic, group, 6, "commit")
    assert {(r["partition"], r["offset"]) for r in out["received"]} == first
    assert sorted((c["partition"], c["offset"]) for c in out["committed"]) == [(0, "3"), (1, "3")]

    # A restarted consumer of the group continues after the committed offsets.
    second = produce(gbroker.bootstrap, topic, 2, 2, tag="second")
    out = run_node("groups_resume.js", gbroker, topic, group, 4, "commit")
    got = [(r["partition"], r["offset"]) for r in out["received"]]
    assert sorted(got) == sorted(second), \
        f"restarted consumer read {sorted(got)}, expected only {sorted(second)}"

    # Admin on the (now empty) group.
    out = run_node("groups_admin.js", gbroker, topic, group, "inspect")
    assert {"groupId": group, "protocolType": "consumer"} in out["listed"], out["listed"]
    assert out["described"] == [{"groupId": group, "errorCode": 0, "state": "Empty",
                                 "protocolType": "consumer", "members": 0}]
    assert out["before"] == [{"topic": topic, "partitions": [
        {"partition": 0, "offset": "5"}, {"partition": 1, "offset": "5"}]}]
    # kafkajs commits the "earliest" sentinel (-2) itself; a broker that resolved it
    # to the log start offset (0) would be fine too. Anything else is a lost reset.
    after = {p["partition"]: p["offset"] for p in out["after"][0]["partitions"]}
    assert set(after) == {0, 1} and set(after.values()) <= {"-2", "0"}, out["after"]

    # After the reset the group reads everything again from the start.
    out = run_node("groups_resume.js", gbroker, topic, group, 10, "commit")
    assert sorted((r["partition"], r["offset"]) for r in out["received"]) == \
        sorted(first | second)

    # deleteGroups: gone from listGroups, and its offsets with it.
    out = run_node("groups_admin.js", gbroker, topic, group, "delete")
    assert out["deleted"] == [{"groupId": group, "errorCode": 0}]
    assert group not in [g["groupId"] for g in out["listed"]]
    assert out["fetched"] == [{"topic": topic, "partitions": [
        {"partition": 0, "offset": "-1"}, {"partition": 1, "offset": "-1"}]}]
