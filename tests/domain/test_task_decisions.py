"""The task aggregate: given its events, a command decides exactly these events (or a refusal)."""

from __future__ import annotations

import pytest

from service.domain.errors import TaskNotFound, TransitionRefused
from service.domain.task import (
    STOPPED,
    CompleteStep,
    CompleteTask,
    CreateTask,
    DeleteTask,
    FailTask,
    RequestStop,
    RetryTask,
    StartTask,
    TaskStatus,
    decide,
    fold,
)
from service.events import (
    StepCompleted,
    StopRequested,
    TaskCompleted,
    TaskCreated,
    TaskDeleted,
    TaskFailed,
    TaskRetried,
    TaskStarted,
)

TASK_ID = 7

CREATED = TaskCreated(
    serial="emulator-5554",
    username="alice",
    script_name="post",
    script_config={"video": "a.mp4"},
    start_time="2026-11-27T14:30:00+00:00",
)
STARTED = TaskStarted(attempt=1, serial="emulator-5554", username="alice", seed=42, steps=3)
STEP_1 = StepCompleted(attempt=1, index=1, name="open-app", duration_ms=120)
COMPLETED = TaskCompleted(attempt=1, steps=3, duration_ms=900)
FAILED = TaskFailed(attempt=1, step="open-app", reason="app crashed")
STOP = StopRequested()
STOPPED_FAILURE = TaskFailed(attempt=1, reason=STOPPED)
RETRIED = TaskRetried(attempt=2)
STARTED_AGAIN = TaskStarted(attempt=2, serial="emulator-5556", seed=43, steps=3)
DELETED = TaskDeleted()

PENDING = (CREATED,)
RUNNING = (CREATED, STARTED, STEP_1)
STOPPING = (CREATED, STARTED, STOP)
COMPLETE = (CREATED, STARTED, COMPLETED)
FAILURE = (CREATED, STARTED, FAILED)
STOPPED_WHILE_PENDING = (CREATED, STOP, STOPPED_FAILURE)
STOPPED_WHILE_RUNNING = (CREATED, STARTED, STOP, STOPPED_FAILURE)
PENDING_AGAIN = (*FAILURE, RETRIED)
RUNNING_AGAIN = (*FAILURE, RETRIED, STARTED_AGAIN)
DELETED_PENDING = (CREATED, DELETED)
DELETED_RUNNING = (CREATED, STARTED, STOP, DELETED)
DELETED_COMPLETE = (*COMPLETE, DELETED)


def decide_after(history, command):
    """Fold the history of task 7, then decide the command."""
    return decide(fold(TASK_ID, history), command)


# --- create --------------------------------------------------------------------------------


def test_creating_a_task_records_what_the_client_asked_for():
    command = CreateTask(
        serial="emulator-5554",
        script_name="post",
        script_config={"video": "a.mp4"},
        username="alice",
        start_time="2026-11-27T14:30:00+00:00",
    )
    assert decide_after((), command) == [CREATED]


def test_creating_a_task_defaults_to_the_api_as_source_and_no_due_time():
    command = CreateTask(serial="s1", script_name="follow", script_config={})
    assert decide_after((), command) == [
        TaskCreated(serial="s1", username=None, script_name="follow", script_config={}, source="api", start_time=None)
    ]


@pytest.mark.parametrize("history", [PENDING, COMPLETE, DELETED_PENDING], ids=["pending", "completed", "deleted"])
def test_creating_a_task_whose_stream_exists_is_refused(history):
    with pytest.raises(TransitionRefused, match="task 7 already exists"):
        decide_after(history, CreateTask(serial="s1", script_name="post", script_config={}))


# --- commands on a task that does not exist ------------------------------------------------

ALL_COMMANDS_BUT_CREATE = [
    StartTask(serial="s1", seed=1),
    CompleteStep(index=1, name="x", duration_ms=1),
    CompleteTask(steps=1, duration_ms=1),
    FailTask(reason="boom"),
    RequestStop(),
    RetryTask(),
    DeleteTask(),
]


@pytest.mark.parametrize("command", ALL_COMMANDS_BUT_CREATE, ids=lambda c: type(c).__name__)
def test_every_command_on_a_task_never_created_is_refused_as_not_found(command):
    with pytest.raises(TaskNotFound, match="task 7 not found") as refused:
        decide_after((), command)
    assert refused.value.task_id == TASK_ID


# --- start ---------------------------------------------------------------------------------


def test_starting_a_pending_task_starts_its_first_attempt():
    command = StartTask(serial="emulator-5554", seed=42, username="alice", steps=3)
    assert decide_after(PENDING, command) == [STARTED]


def test_starting_a_retried_task_starts_its_next_attempt_on_the_given_phone():
    command = StartTask(serial="emulator-5556", seed=43, steps=3)
    assert decide_after(PENDING_AGAIN, command) == [STARTED_AGAIN]


@pytest.mark.parametrize(
    "history, status",
    [
        (RUNNING, "running"),
        (COMPLETE, "completed"),
        (FAILURE, "failed"),
        (STOPPED_WHILE_PENDING, "failed"),
    ],
    ids=["running", "completed", "failed", "stopped"],
)
def test_only_a_pending_task_can_be_started(history, status):
    with pytest.raises(TransitionRefused, match=f"cannot start task 7: it is {status}"):
        decide_after(history, StartTask(serial="s1", seed=1))


def test_a_pending_task_with_a_stop_requested_is_not_started():
    with pytest.raises(TransitionRefused, match="task 7 has a stop requested"):
        decide_after((CREATED, STOP), StartTask(serial="s1", seed=1))


@pytest.mark.parametrize(
    "history", [DELETED_PENDING, DELETED_RUNNING, DELETED_COMPLETE], ids=["pending", "running", "completed"]
)
def test_a_deleted_task_is_not_started(history):
    with pytest.raises(TaskNotFound):
        decide_after(history, StartTask(serial="s1", seed=1))


# --- steps and completion ------------------------------------------------------------------


def test_a_running_task_records_a_completed_step_of_its_attempt():
    command = CompleteStep(index=2, name="upload", duration_ms=300, detail="a.mp4")
    assert decide_after(RUNNING, command) == [
        StepCompleted(attempt=1, index=2, name="upload", detail="a.mp4", duration_ms=300)
    ]


def test_steps_of_a_second_attempt_carry_attempt_two():
    command = CompleteStep(index=1, name="open-app", duration_ms=50)
    assert decide_after(RUNNING_AGAIN, command) == [StepCompleted(attempt=2, index=1, name="open-app", duration_ms=50)]


def test_completing_a_running_task_records_its_steps_and_duration():
    assert decide_after(RUNNING, CompleteTask(steps=3, duration_ms=900)) == [COMPLETED]


def test_a_running_task_with_a_stop_requested_may_still_complete():
    assert decide_after(STOPPING, CompleteTask(steps=3, duration_ms=900)) == [COMPLETED]


NOT_RUNNING = [
    (PENDING, "pending"),
    (PENDING_AGAIN, "pending"),
    (COMPLETE, "completed"),
    (FAILURE, "failed"),
    (STOPPED_WHILE_RUNNING, "failed"),
]
NOT_RUNNING_IDS = ["pending", "pending-again", "completed", "failed", "stopped"]


@pytest.mark.parametrize("history, status", NOT_RUNNING, ids=NOT_RUNNING_IDS)
def test_only_a_running_task_records_steps(history, status):
    with pytest.raises(TransitionRefused, match=f"cannot record a step of task 7: it is {status}"):
        decide_after(history, CompleteStep(index=1, name="x", duration_ms=1))


@pytest.mark.parametrize("history, status", NOT_RUNNING, ids=NOT_RUNNING_IDS)
def test_only_a_running_task_can_complete(history, status):
    with pytest.raises(TransitionRefused, match=f"cannot complete task 7: it is {status}"):
        decide_after(history, CompleteTask(steps=1, duration_ms=1))


def test_the_script_of_a_deleted_running_task_still_records_its_steps_and_completion():
    assert decide_after(DELETED_RUNNING, CompleteStep(index=2, name="upload", duration_ms=5)) == [
        StepCompleted(attempt=1, index=2, name="upload", duration_ms=5)
    ]
    assert decide_after(DELETED_RUNNING, CompleteTask(steps=3, duration_ms=900)) == [COMPLETED]


@pytest.mark.parametrize(
    "command",
    [CompleteStep(index=1, name="x", duration_ms=1), CompleteTask(steps=1, duration_ms=1)],
    ids=["step", "complete"],
)
@pytest.mark.parametrize("history", [DELETED_PENDING, DELETED_COMPLETE], ids=["pending", "completed"])
def test_a_deleted_task_that_was_not_running_records_no_progress(history, command):
    with pytest.raises(TaskNotFound):
        decide_after(history, command)


# --- fail ----------------------------------------------------------------------------------


def test_a_running_task_fails_with_its_step_reason_and_artifacts():
    command = FailTask(reason="app crashed", step="open-app", artifacts=("ui.xml", "screen.png"))
    assert decide_after(RUNNING, command) == [
        TaskFailed(attempt=1, step="open-app", reason="app crashed", artifacts=["ui.xml", "screen.png"])
    ]


def test_a_pending_task_can_fail_before_it_starts():
    assert decide_after(PENDING, FailTask(reason="interrupted by a restart")) == [
        TaskFailed(attempt=1, step=None, reason="interrupted by a restart", artifacts=[])
    ]


def test_a_failure_of_a_second_attempt_carries_attempt_two():
    assert decide_after(RUNNING_AGAIN, FailTask(reason="timeout")) == [TaskFailed(attempt=2, reason="timeout")]


def test_the_halted_script_of_a_stopped_running_task_fails_it_as_stopped():
    assert decide_after(STOPPING, FailTask(reason=STOPPED)) == [STOPPED_FAILURE]


def test_the_halted_script_of_a_deleted_running_task_still_records_its_failure():
    assert decide_after(DELETED_RUNNING, FailTask(reason=STOPPED)) == [STOPPED_FAILURE]


@pytest.mark.parametrize(
    "history, status",
    [(COMPLETE, "completed"), (FAILURE, "failed"), (STOPPED_WHILE_PENDING, "failed")],
    ids=["completed", "failed", "stopped"],
)
def test_a_finished_task_cannot_fail_again(history, status):
    with pytest.raises(TransitionRefused, match=f"cannot fail task 7: it is {status}"):
        decide_after(history, FailTask(reason="late"))


@pytest.mark.parametrize(
    "history",
    [DELETED_PENDING, DELETED_COMPLETE, (*DELETED_RUNNING, STOPPED_FAILURE)],
    ids=["pending", "completed", "running-then-halted"],
)
def test_a_deleted_task_that_no_script_is_running_cannot_fail(history):
    with pytest.raises(TaskNotFound):
        decide_after(history, FailTask(reason="interrupted by a restart"))


# --- stop ----------------------------------------------------------------------------------


def test_stopping_a_pending_task_fails_it_at_once():
    assert decide_after(PENDING, RequestStop()) == [StopRequested(), TaskFailed(attempt=1, reason="stopped")]


def test_stopping_a_retried_pending_task_fails_its_next_attempt():
    assert decide_after(PENDING_AGAIN, RequestStop()) == [StopRequested(), TaskFailed(attempt=2, reason="stopped")]


def test_stopping_a_running_task_only_requests_the_stop():
    assert decide_after(RUNNING, RequestStop()) == [StopRequested()]


def test_stopping_a_task_whose_stop_is_already_requested_records_nothing():
    assert decide_after(STOPPING, RequestStop()) == []


@pytest.mark.parametrize(
    "history, status",
    [
        (COMPLETE, "completed"),
        (FAILURE, "failed"),
        (STOPPED_WHILE_PENDING, "failed"),
        (STOPPED_WHILE_RUNNING, "failed"),
    ],
    ids=["completed", "failed", "stopped-pending", "stopped-running"],
)
def test_stopping_a_finished_task_is_refused(history, status):
    with pytest.raises(TransitionRefused, match=f"task 7 is {status}: only a pending or running task can be stopped"):
        decide_after(history, RequestStop())


@pytest.mark.parametrize("history", [DELETED_PENDING, DELETED_RUNNING], ids=["pending", "running"])
def test_stopping_a_deleted_task_is_refused_as_not_found(history):
    with pytest.raises(TaskNotFound):
        decide_after(history, RequestStop())


# --- retry ---------------------------------------------------------------------------------


def test_retrying_a_failed_task_makes_its_next_attempt_due_now():
    assert decide_after(FAILURE, RetryTask()) == [TaskRetried(attempt=2, automatic=False, due_at=None)]


def test_an_automatic_retry_records_when_it_is_due():
    command = RetryTask(automatic=True, due_at="2026-11-27T14:31:00+00:00")
    assert decide_after(FAILURE, command) == [
        TaskRetried(attempt=2, automatic=True, due_at="2026-11-27T14:31:00+00:00")
    ]


def test_a_third_attempt_follows_a_second_failure():
    history = (*RUNNING_AGAIN, TaskFailed(attempt=2, reason="timeout"))
    assert decide_after(history, RetryTask()) == [TaskRetried(attempt=3)]


@pytest.mark.parametrize("history", [STOPPED_WHILE_PENDING, STOPPED_WHILE_RUNNING], ids=["pending", "running"])
def test_a_stopped_task_can_be_retried_by_hand(history):
    assert decide_after(history, RetryTask()) == [TaskRetried(attempt=2)]


@pytest.mark.parametrize("history", [STOPPED_WHILE_PENDING, STOPPED_WHILE_RUNNING], ids=["pending", "running"])
def test_a_stopped_task_is_never_retried_automatically(history):
    with pytest.raises(TransitionRefused, match="task 7 was stopped: it is never retried automatically"):
        decide_after(history, RetryTask(automatic=True))


def test_a_stopped_task_retried_by_hand_that_fails_again_may_be_retried_automatically():
    history = (*STOPPED_WHILE_RUNNING, TaskRetried(attempt=2), STARTED_AGAIN, TaskFailed(attempt=2, reason="timeout"))
    assert decide_after(history, RetryTask(automatic=True)) == [TaskRetried(attempt=3, automatic=True)]


@pytest.mark.parametrize(
    "history, status",
    [
        (PENDING, "pending"),
        (PENDING_AGAIN, "pending"),
        (RUNNING, "running"),
        (STOPPING, "running"),
        (COMPLETE, "completed"),
    ],
    ids=["pending", "pending-again", "running", "stopping", "completed"],
)
def test_only_a_failed_task_can_be_retried(history, status):
    with pytest.raises(TransitionRefused, match=f"task 7 is {status}: only a failed task can be retried"):
        decide_after(history, RetryTask())


def test_a_deleted_failed_task_cannot_be_retried():
    with pytest.raises(TaskNotFound):
        decide_after((*FAILURE, DELETED), RetryTask())


# --- delete --------------------------------------------------------------------------------


def test_deleting_a_running_task_requests_its_stop_and_deletes_it():
    assert decide_after(RUNNING, DeleteTask()) == [StopRequested(), TaskDeleted()]


def test_deleting_a_running_task_whose_stop_is_requested_only_deletes_it():
    assert decide_after(STOPPING, DeleteTask()) == [TaskDeleted()]


@pytest.mark.parametrize(
    "history",
    [PENDING, PENDING_AGAIN, COMPLETE, FAILURE, STOPPED_WHILE_PENDING],
    ids=["pending", "pending-again", "completed", "failed", "stopped"],
)
def test_deleting_a_task_that_is_not_running_deletes_it(history):
    assert decide_after(history, DeleteTask()) == [TaskDeleted()]


@pytest.mark.parametrize(
    "history",
    [DELETED_PENDING, DELETED_RUNNING, (*DELETED_RUNNING, STOPPED_FAILURE)],
    ids=["pending", "running", "running-then-halted"],
)
def test_deleting_a_deleted_task_is_refused_as_not_found(history):
    with pytest.raises(TaskNotFound, match="task 7 not found"):
        decide_after(history, DeleteTask())


# --- the state the events fold to ----------------------------------------------------------


def test_the_folded_state_counts_versions_attempts_and_automatic_retries():
    history = (
        *FAILURE,
        TaskRetried(attempt=2, automatic=True),
        STARTED_AGAIN,
        TaskFailed(attempt=2, reason="timeout"),
        TaskRetried(attempt=3, automatic=True),
    )
    state = fold(TASK_ID, history)
    assert (state.version, state.status, state.attempt, state.automatic_retries, state.serial) == (
        7,
        TaskStatus.PENDING,
        3,
        2,
        "emulator-5556",
    )


def test_a_manual_retry_resets_the_automatic_retry_count():
    history = (
        *FAILURE,
        TaskRetried(attempt=2, automatic=True),
        STARTED_AGAIN,
        TaskFailed(attempt=2, reason="timeout"),
        TaskRetried(attempt=3),
    )
    assert fold(TASK_ID, history).automatic_retries == 0


def test_a_stop_is_remembered_on_the_failure_it_caused_and_forgotten_on_retry():
    stopped = fold(TASK_ID, STOPPED_WHILE_RUNNING)
    assert (stopped.stop_requested, stopped.stopped) == (True, True)
    retried = fold(TASK_ID, (*STOPPED_WHILE_RUNNING, TaskRetried(attempt=2)))
    assert (retried.stop_requested, retried.stopped, retried.status) == (False, False, TaskStatus.PENDING)
