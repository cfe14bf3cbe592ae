"""kcat 1.7.1 (librdkafka 2.0.2) against a real sluiced."""

import json
import subprocess

from sluice_clients import NODE_ID, create_topic

KCAT_TIMEOUT_S = 30


def kcat(broker, *args, stdin=None):
    """Run kcat with a bounded time; return stdout (text), failing on a non-zero exit."""
    cmd = ["kcat", "-b", broker.bootstrap, *args]
    try:
        r = subprocess.run(cmd, input=stdin, capture_output=True, text=True,
                           timeout=KCAT_TIMEOUT_S)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"{' '.join(cmd)} did not finish within {KCAT_TIMEOUT_S}s; "
                             f"stderr: {e.stderr!r}") from None
    assert r.returncode == 0, f"{' '.join(cmd)} exited {r.returncode}; stderr: {r.stderr}"
    return r.stdout


def consume_json(broker, topic, *args):
    out = kcat(broker, "-C", "-t", topic, "-e", "-J", *args)
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_produce_consume_with_keys_and_headers(broker, topic):
    create_topic(broker.bootstrap, topic, 1)
    lines = [f"key{i}:value {i}" for i in range(20)]
    kcat(broker, "-P", "-t", topic, "-p", "0", "-K:", "-H", "h1=one", "-H", "h2=two",
         stdin="\n".join(lines) + "\n")
    msgs = consume_json(broker, topic, "-o", "beginning")
    assert [(m["partition"], m["offset"]) for m in msgs] == [(0, i) for i in range(20)]
    assert [(m["key"], m["payload"]) for m in msgs] == [(f"key{i}", f"value {i}")
                                                        for i in range(20)]
    assert all(m["headers"] == ["h1", "one", "h2", "two"] for m in msgs), msgs[0]
    assert all(m["topic"] == topic for m in msgs)


def test_metadata_list_shows_topic_and_partitions(broker, topic):
    create_topic(broker.bootstrap, topic, 3)
    md = json.loads(kcat(broker, "-L", "-t", topic, "-J"))
    assert [(b["id"], b["name"]) for b in md["brokers"]] == [(NODE_ID, broker.bootstrap)]
    assert [t["topic"] for t in md["topics"]] == [topic]
    parts = sorted(md["topics"][0]["partitions"], key=lambda p: p["partition"])
    assert [p["partition"] for p in parts] == [0, 1, 2]
    for p in parts:
        assert p["leader"] == NODE_ID
        assert [r["id"] for r in p["replicas"]] == [NODE_ID]
        assert [r["id"] for r in p["isrs"]] == [NODE_ID]

    text = kcat(broker, "-L")  # the human-readable listing of all topics
    assert f'topic "{topic}" with 3 partitions:' in text


def test_offsets_beginning_end_and_relative(broker, topic):
    create_topic(broker.bootstrap, topic, 1)
    kcat(broker, "-P", "-t", topic, "-p", "0", stdin="a\nb\nc\nd\n")
    assert [m["payload"] for m in consume_json(broker, topic, "-o", "beginning")] == [
        "a", "b", "c", "d"]
    assert consume_json(broker, topic, "-o", "end") == []
    assert [(m["offset"], m["payload"]) for m in consume_json(broker, topic, "-o", "-2")] == [
        (2, "c"), (3, "d")]
    assert [m["payload"] for m in consume_json(broker, topic, "-o", "1", "-c", "2")] == ["b", "c"]
    kcat(broker, "-P", "-t", topic, "-p", "0", stdin="e\n")
    assert [m["payload"] for m in consume_json(broker, topic, "-o", "beginning")] == [
        "a", "b", "c", "d", "e"]
