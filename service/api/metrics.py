"""GET /metrics in the Prometheus text format."""

from __future__ import annotations

from datetime import datetime

from projections.safety_view import RESTRICTIONS
from service.domain.admission import HOLD_KINDS
from service.domain.task import TaskStatus
from service.store.write_stats import Histogram


def _histogram(lines: list[str], name: str, help_text: str, histogram: Histogram) -> None:
    lines += [f"# HELP {name} {help_text}", f"# TYPE {name} histogram"]
    lines += [f'{name}_bucket{{le="{le}"}} {count}' for le, count in histogram.cumulative()]
    lines += [f"{name}_sum {histogram.total:.6f}", f"{name}_count {histogram.count}"]


def _account_safety(lines: list[str], counters: dict[str, int], waiting: dict[str, int], resting: int) -> None:
    lines += [
        "# HELP droidledger_task_waits_total Times a pending task was held for its account, by why.",
        "# TYPE droidledger_task_waits_total counter",
    ]
    lines += [
        f'droidledger_task_waits_total{{reason="{kind}"}} {counters.get(f"held:{kind}", 0)}' for kind in HOLD_KINDS
    ]
    lines += [
        "# HELP droidledger_tasks_waiting Pending tasks held for their account now, by why.",
        "# TYPE droidledger_tasks_waiting gauge",
    ]
    lines += [f'droidledger_tasks_waiting{{reason="{kind}"}} {waiting.get(kind, 0)}' for kind in HOLD_KINDS]
    lines += [
        "# HELP droidledger_account_restrictions_total Rests the platform's warnings earned accounts.",
        "# TYPE droidledger_account_restrictions_total counter",
        f"droidledger_account_restrictions_total {counters.get(RESTRICTIONS, 0)}",
        "# HELP droidledger_accounts_restricted Accounts resting now.",
        "# TYPE droidledger_accounts_restricted gauge",
        f"droidledger_accounts_restricted {resting}",
    ]


def _event_feed(lines: list[str], feed) -> None:
    lines += [
        "# HELP droidledger_event_streams_open Clients following GET /events/stream now.",
        "# TYPE droidledger_event_streams_open gauge",
        f"droidledger_event_streams_open {feed.streams_open}",
        "# HELP droidledger_event_long_polls_open Long-polls of GET /events (wait > 0) waiting now.",
        "# TYPE droidledger_event_long_polls_open gauge",
        f"droidledger_event_long_polls_open {feed.polls_waiting}",
        "# HELP droidledger_events_sent_total Events pushed to clients: over the stream, or answering a long-poll.",
        "# TYPE droidledger_events_sent_total counter",
    ]
    lines += [f'droidledger_events_sent_total{{via="{via}"}} {n}' for via, n in feed.sent.items()]


async def render_metrics(rt) -> str:
    """Tasks by status, events appended, commit batches, append latency, account safety, phones."""
    counts = await rt.store.views.task_counts()
    stats = rt.store.stats
    lines = [
        "# HELP droidledger_store_info The event store's backend.",
        "# TYPE droidledger_store_info gauge",
        f'droidledger_store_info{{backend="{rt.store.backend}"}} 1',
        "# HELP droidledger_tasks Tasks by status (deleted tasks excluded).",
        "# TYPE droidledger_tasks gauge",
    ]
    lines += [f'droidledger_tasks{{status="{s.text}"}} {counts.get(int(s), 0)}' for s in TaskStatus]
    lines += [
        "# HELP droidledger_events_appended_total Events appended since the server started.",
        "# TYPE droidledger_events_appended_total counter",
        f"droidledger_events_appended_total {stats.events}",
        "# HELP droidledger_commits_total Write transactions (group commits) since start.",
        "# TYPE droidledger_commits_total counter",
        f"droidledger_commits_total {stats.commits}",
        "# HELP droidledger_log_position Position of the last committed event.",
        "# TYPE droidledger_log_position gauge",
        f"droidledger_log_position {rt.store.position}",
    ]
    _histogram(
        lines, "droidledger_commit_batch_appends", "Appends committed together in one transaction.", stats.batch_appends
    )
    _histogram(lines, "droidledger_commit_seconds", "Time to write and commit one batch.", stats.commit_seconds)
    _histogram(
        lines, "droidledger_append_seconds", "Time from append() to durable, as a caller sees it.", stats.append_seconds
    )
    lines += [
        "# HELP droidledger_poll_cache_hits_total Polling responses served from the cache or as 304.",
        "# TYPE droidledger_poll_cache_hits_total counter",
        f"droidledger_poll_cache_hits_total {rt.cache.hits}",
    ]
    lines += [
        "# HELP droidledger_responses_total Responses by envelope code (0: success); the HTTP status is 200 "
        "for every code unless --rest-status.",
        "# TYPE droidledger_responses_total counter",
    ]
    lines += [f'droidledger_responses_total{{code="{code}"}} {n}' for code, n in sorted(rt.response_codes.items())]
    _event_feed(lines, rt.feed)
    now = rt.clock.now()
    resting = sum(
        1 for rest in (await rt.store.views.restrictions()).values() if datetime.fromisoformat(rest.until) > now
    )
    _account_safety(lines, await rt.store.views.safety_counters(), await rt.store.views.waiting_counts(), resting)
    devices = await rt.store.views.devices()
    lines += [
        "# HELP droidledger_phones_online Phones adb reports as ready.",
        "# TYPE droidledger_phones_online gauge",
        f"droidledger_phones_online {sum(1 for d in devices if d.online)}",
    ]
    lines += [
        "# HELP droidledger_phones_paused Phones paused by an operator.",
        "# TYPE droidledger_phones_paused gauge",
        f"droidledger_phones_paused {sum(1 for d in devices if d.paused)}",
    ]
    if rt.scheduler is not None:
        lines += rt.scheduler.metrics_lines()
    if rt.agent is not None and rt.agent.crew is not None:
        lines += rt.agent.crew.metrics_lines()
    return "\n".join(lines) + "\n"
