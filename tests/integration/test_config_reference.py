"""The configuration reference in config/REFERENCE.md is what the broker itself
prints from its declarations table, so a key added in code but not in the
committed reference fails here (regenerate with `sluiced --print-config-reference`)."""
import pathlib
import re
import subprocess

from sluice_harness import sluiced_path

REPO = pathlib.Path(__file__).resolve().parents[2]


def test_reference_matches_the_binary():
    printed = subprocess.run([str(sluiced_path()), "--print-config-reference"],
                             check=True, capture_output=True, text=True, timeout=30).stdout
    committed = (REPO / "config" / "REFERENCE.md").read_text()
    printed_keys = set(re.findall(r"^\| `([a-z0-9.]+)` \|", printed, re.M))
    committed_keys = set(re.findall(r"^\| `([a-z0-9.]+)` \|", committed, re.M))
    assert printed_keys, "the broker printed no keys"
    missing = sorted(printed_keys - committed_keys)
    assert not missing, f"keys in code but not in config/REFERENCE.md: {missing}"
    assert printed == committed, "config/REFERENCE.md is stale: regenerate it with " \
                                 "`sluiced --print-config-reference > config/REFERENCE.md`"


def test_every_key_the_broker_accepts_is_in_the_reference():
    committed = (REPO / "config" / "REFERENCE.md").read_text()
    for key in ["listeners", "log.dirs", "num.partitions", "log.retention.hours",
                "auto.create.topics.enable", "message.max.bytes", "admin.listeners",
                "retention.ms", "cleanup.policy"]:
        assert f"| `{key}` |" in committed, key
