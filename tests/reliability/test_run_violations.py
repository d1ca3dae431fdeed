"""The cluster checks find what they look for: a double run, a late write, a lost incarnation's write."""

from tests.support.cluster import run_violations


def _log(*events):
    return [
        {"position": n, "stream": stream, "type": kind, "data": data}
        for n, (stream, kind, data) in enumerate(events, start=1)
    ]


A1 = {"incarnation": "a1", "agent": "pc-a", "serial": "P1"}


def test_a_clean_history_with_a_loss_and_a_second_run_has_no_violation():
    log = _log(
        ("task-1", "created", {}),
        ("task-1", "dispatched", A1),
        ("task-1", "started", {}),
        ("task-1", "step-completed", {}),
        ("device-P1", "device-agent-lost", A1),
        ("task-1", "failed", {}),
        ("task-1", "retried", {}),
        ("task-1", "dispatched", A1),
        ("task-1", "started", {}),
        ("task-1", "completed", {}),
    )
    assert run_violations(log) == []


def test_a_step_after_the_run_ended_is_a_late_write():
    log = _log(
        ("task-1", "dispatched", A1),
        ("task-1", "started", {}),
        ("task-1", "failed", {}),
        ("task-1", "step-completed", {}),
    )
    assert run_violations(log) == ["4: step-completed on task-1 outside any run (a late write)"]


def test_a_second_start_during_a_run_is_a_double_run():
    log = _log(
        ("task-1", "dispatched", A1), ("task-1", "started", {}), ("task-1", "dispatched", A1), ("task-1", "started", {})
    )
    assert run_violations(log) == ["3: task-1 dispatched while a run of it was going on"]


def test_a_start_without_a_dispatch_is_named():
    assert run_violations(_log(("task-1", "started", {}))) == [
        "1: task-1 started while idle (ran twice, or without a dispatch)"
    ]


def test_a_lost_incarnation_writing_on_its_phone_is_named():
    log = _log(("device-P1", "device-agent-lost", A1), ("device-P1", "device-released", A1))
    assert run_violations(log) == ["2: device-released on device-P1 from incarnation a1, declared lost before"]
