"""The agent aggregate's decisions, and why a task on a lost agent's phone failed."""

import pytest

from service.domain.agent import AgentNotAlive, AgentState, decide_lost, decide_start, decide_stop, fold, lost_reason
from service.events import AgentLost, AgentStarted, AgentStopped


def started(incarnation="a1"):
    return AgentStarted(incarnation=incarnation, host="pc", pid=7, lease_s=20.0)


def test_a_first_start_records_only_the_start():
    assert decide_start(AgentState("pc1"), "a1", "pc", 7, 20.0, "0/2") == [
        AgentStarted(incarnation="a1", host="pc", pid=7, lease_s=20.0, shard="0/2")
    ]


def test_a_start_over_a_live_predecessor_ends_it_first():
    events = decide_start(fold("pc1", [started("a1")]), "a2", "pc", 8, 20.0)
    assert [type(e) for e in events] == [AgentStopped, AgentStarted]
    assert events[0].incarnation == "a1" and "ended without stopping" in events[0].reason


def test_lost_is_recorded_once_and_only_for_the_live_incarnation():
    live = fold("pc1", [started("a1")])
    assert decide_lost(live, "a1", 21.26) == [AgentLost(incarnation="a1", silent_s=21.3)]
    assert decide_lost(live, "a0", 30) == []
    assert decide_lost(fold("pc1", [started("a1"), AgentLost(incarnation="a1", silent_s=21)]), "a1", 40) == []


def test_only_the_live_incarnation_stops():
    assert decide_stop(fold("pc1", [started("a1")]), "a1") == [AgentStopped(incarnation="a1", reason="stopped")]
    with pytest.raises(AgentNotAlive, match="agent pc1 \\(a0\\) is not alive"):
        decide_stop(fold("pc1", [started("a1")]), "a0")


@pytest.mark.parametrize(
    "script, last_step, unknown",
    [
        ("post", "caption", True),  # publishing when lost
        ("post", "publish", True),  # uploading when lost
        ("post", "open-editor", False),
        ("comment", "open-post", True),
        ("comment", "push-image", True),
        ("follow", "open-profile", False),
        ("post", None, False),
    ],
)
def test_a_post_or_comment_lost_while_publishing_says_its_outcome_is_unknown(script, last_step, unknown):
    reason = lost_reason("pc1", 21.4, script, last_step)
    assert reason.startswith("agent pc1 lost (no heartbeat for 21 s)")
    assert ("its outcome on the phone is unknown" in reason) is unknown
