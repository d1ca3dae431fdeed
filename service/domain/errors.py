"""Why the domain refuses a command.

DomainError
├── TaskNotFound        the task never existed, or was deleted
└── TransitionRefused   the task's state does not allow the command (409)
"""


class DomainError(Exception):
    """A command the current state does not allow."""


class TaskNotFound(DomainError):
    """No such task (never created, or deleted)."""

    def __init__(self, task_id: int) -> None:
        super().__init__(f"task {task_id} not found")
        self.task_id = task_id


class TransitionRefused(DomainError):
    """The task's status forbids the command, e.g. stopping a completed task."""
