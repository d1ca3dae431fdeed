"""The request-parsing layer: raw bodies and query strings to checked, normalised values.

Pure apart from looking at files on disk for the material rules; every problem is an
`ApiError` (service.errors) naming the offending field.

    parse_create_task(body, files)  -> CreateTaskRequest      POST /task
    fan_out(request, ...)           -> list[TaskSpec]          its tasks, due times, targets
    parse_task_list_query(params)   -> TaskListQuery           GET /task
    parse_events_query(params)      -> EventsQuery             GET /events
    parse_task_filter_query(params) -> TaskFilterQuery         GET /task/ids
    parse_task_batch(body)          -> tuple[int, ...]         DELETE /task/batch, POST /task/batch/stop|retry
    parse_task_id(raw)              -> int                     /task/{id}
    parse_account(body)             -> AccountBody             POST /account
    account_key(username)           -> str                     usernames as compared
    resolve_spintax(text, rng)      -> str                     at run time
    pick_comment(config, rng)       -> str                     a comment task's comment, at run time
"""

from service.domain.account import account_key
from service.requests.accounts import AccountBody, parse_account
from service.requests.create_task import CreateTaskRequest, parse_create_task
from service.requests.fan_out import TaskSpec, fan_out, next_occurrence
from service.requests.files import FilePolicy
from service.requests.post_urls import is_instagram, is_post_url
from service.requests.queries import (
    EventsQuery,
    TaskFilterQuery,
    TaskListQuery,
    parse_events_query,
    parse_task_filter_query,
    parse_task_list_query,
)
from service.requests.scripts.comment import comment_lines, pick_comment
from service.requests.spintax import resolve_spintax
from service.requests.task_ids import parse_task_batch, parse_task_id

__all__ = [
    "AccountBody",
    "CreateTaskRequest",
    "EventsQuery",
    "FilePolicy",
    "TaskFilterQuery",
    "TaskListQuery",
    "TaskSpec",
    "account_key",
    "comment_lines",
    "fan_out",
    "is_instagram",
    "is_post_url",
    "next_occurrence",
    "parse_account",
    "parse_create_task",
    "parse_events_query",
    "parse_task_batch",
    "parse_task_filter_query",
    "parse_task_id",
    "parse_task_list_query",
    "pick_comment",
    "resolve_spintax",
]
