"""Hostile input, generated: schemathesis draws requests for every operation of the served
OpenAPI schema (`/schema/openapi.json`), valid ones and schema-violating ones, and every
response must be no 5xx and in the `{code, message, data}` envelope.

The envelope's exceptions (docs/api.md): 304 Not Modified (no body), HEAD (no body), a task's
artifact download (the file itself), /metrics (Prometheus text), and the docs under /schema
(HTML). `envelope_failure` encodes them; `envelope` is the same rule as a schemathesis check,
usable with `schemathesis run` too (SCHEMATHESIS_HOOKS=tests.support.harness.fuzz).
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

EXTRA_METHODS = ("PUT", "PATCH", "OPTIONS", "HEAD", "TRACE", "POST", "GET", "DELETE")
# Path segments as a client may send them: NUL, an unpaired surrogate and invalid UTF-8 (percent-encoded),
# a name the file system refuses for its length, encoded separators and dot-dot, numbers out of range.
HOSTILE_SEGMENTS = (
    "%00",
    "a%00b",
    "%ED%A0%80",
    "%FF%FE",
    "x" * 5000,
    "%2F",
    "..%2F..%2Fetc%2Fpasswd",
    "%2E%2E",
    "%5C..%5Cwin.ini",
    "-1",
    str(2**64),
    "%20",
    "%0A",
    "1e3",
    "%25",
)
STACK_TRACE = re.compile(r'Traceback \(most recent call last\)|File "[^"]+", line \d+')


def envelope_failure(method: str, path: str, status: int, content_type: str, body: bytes) -> str | None:
    """Why a response breaks the envelope rule of docs/api.md (None when it keeps it)."""
    if status == 304 or method == "HEAD":
        return None if not body else f"HTTP {status} to {method} has a body"
    if STACK_TRACE.search(body.decode("utf-8", "replace")):
        return "a stack trace in the response"
    if status == 200 and (re.fullmatch(r"/api/v1/task/[^/]+/artifacts/[^/]+", path) or path == "/metrics"):
        return None  # the file itself; Prometheus text
    if path == "/schema" or (path.startswith("/schema/") and path != "/schema/openapi.json"):
        return None  # the docs pages
    if path == "/schema/openapi.json" and status == 200:
        return None
    if not content_type.startswith("application/json"):
        return f"HTTP {status} with Content-Type {content_type!r}, not the JSON envelope"
    try:
        envelope = json.loads(body)
    except ValueError:
        return f"HTTP {status}: the body is not JSON: {body[:120]!r}"
    if not isinstance(envelope, dict) or set(envelope) != {"code", "message", "data"}:
        return f"HTTP {status}: not {{code, message, data}}: {body[:160]!r}"
    code, message = envelope["code"], envelope["message"]
    if not isinstance(code, int) or isinstance(code, bool) or not isinstance(message, str) or not message:
        return f"HTTP {status}: code or message of the wrong type: {body[:160]!r}"
    if (code == 0) != (status == 200) or (code and status != code // 100):
        return f"HTTP {status} does not match code {code}"
    if code == 0 and message != "success":
        return f"code 0 with message {message!r}"
    return None


@schemathesis.check
def envelope(ctx, response, case):
    """Every response is the envelope, but for the exceptions of docs/api.md."""
    content_type = ", ".join(response.headers.get("content-type", []))
    problem = envelope_failure(
        case.method.upper(), case.formatted_path, response.status_code, content_type, response.content
    )
    if problem:
        raise AssertionError(problem)
    return None


@dataclass
class FuzzReport:
    """What was sent and what came back."""

    cases: int = 0
    by_operation: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    envelope_failures: list[str] = field(default_factory=list)
    schema_failures: list[str] = field(default_factory=list)  # response_schema / content_type conformance
    transport_errors: list[str] = field(default_factory=list)
    not_generated: list[str] = field(default_factory=list)  # (operation, mode) schemathesis could not draw
    operations: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not (self.server_errors or self.envelope_failures or self.schema_failures or self.transport_errors)

    def summary(self) -> dict:
        return {
            "ok": self.ok,
            "cases": self.cases,
            "operations": len(self.operations),
            "errors_5xx": len(self.server_errors),
            "envelope_failures": len(self.envelope_failures),
            "schema_failures": len(self.schema_failures),
            "transport_errors": len(self.transport_errors),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "seconds": round(self.seconds, 1),
        }

    def failures(self) -> list[str]:
        return (
            self.server_errors[:10]
            + self.envelope_failures[:10]
            + self.schema_failures[:10]
            + self.transport_errors[:10]
        )


def _describe(method: str, url: str, body: bytes | None) -> str:
    shown = (body or b"")[:200]
    return f"{method} {url} {shown!r}" if shown else f"{method} {url}"


def _record(
    report: FuzzReport,
    label: str,
    method: str,
    path: str,
    url: str,
    sent: bytes | None,
    status: int,
    content_type: str,
    body: bytes,
) -> None:
    report.cases += 1
    report.by_operation[label] += 1
    report.statuses[status] += 1
    request = _describe(method, url, sent)
    if status >= 500:
        report.server_errors.append(f"{request} -> {status} {body[:200]!r}")
    problem = envelope_failure(method, path, status, content_type, body)
    if problem:
        report.envelope_failures.append(f"{request} -> {problem}")


STREAM_PATH = "/events/stream"
LONGEST_WAIT_S = 1  # a long-poll case waits at most this long (the API allows 60 s)


def _bound_the_wait(case) -> None:
    """A long-poll's `wait` as generated could hold each case for up to a minute: cap the whole numbers."""
    query = case.query or {}
    wait = query.get("wait")
    if isinstance(wait, int) and not isinstance(wait, bool) and wait > LONGEST_WAIT_S:
        query["wait"] = LONGEST_WAIT_S


STREAM_QUERIES = (
    {},
    {"after": "0"},
    {"types": "created,failed", "serial": "P1"},
    {"task_id": "1"},
    {"after": "-1"},
    {"after": "x"},
    {"types": "nope"},
    {"task_id": "0"},
    {"serial": "\x00"},
    {"after": "99999999999999999999999"},
    {"types": ""},
)


def _stream_cases(origin: str, headers: dict[str, str], label: str, report: FuzzReport) -> None:
    """The event stream with good and bad queries and Last-Event-ID values: a 200 opens an event
    stream (its first line read, then closed), anything else is a whole envelope."""
    cases = [(query, {}) for query in STREAM_QUERIES] + [
        ({}, {"Last-Event-ID": value}) for value in ("3", "-2", "abc", "1e9", "")
    ]
    with httpx.Client(base_url=origin, headers=headers, timeout=30) as client:
        for query, extra in cases:
            with client.stream("GET", f"/api/v1{STREAM_PATH}", params=query, headers=extra) as response:
                content_type = response.headers.get("content-type", "")
                if response.status_code == 200:
                    opening = next(response.iter_raw(), b"")
                    report.cases += 1
                    report.by_operation[label] += 1
                    report.statuses[200] += 1
                    if not content_type.startswith("text/event-stream") or not opening.startswith(b": "):
                        report.schema_failures.append(
                            f"{label} {query} {extra}: a 200 that is not an event "
                            f"stream: {content_type} {opening[:80]!r}"
                        )
                    continue
                body = response.read()
            _record(
                report,
                label,
                "GET",
                STREAM_PATH,
                str(response.request.url),
                None,
                response.status_code,
                content_type,
                body,
            )


def run_fuzz(
    origin: str,
    *,
    per_operation: int,
    seed: int = 0,
    headers: dict[str, str] | None = None,
    task_ids: list[int] | None = None,
    progress: Callable[[str], None] = print,
) -> FuzzReport:
    """`per_operation` positive and `per_operation` negative cases for every operation, then every
    other method on every path. `task_ids` are ids that exist, drawn for half the {task_id} cases."""
    started = time.monotonic()
    report = FuzzReport()
    headers = dict(headers or {})
    schema = schemathesis.openapi.from_url(f"{origin}/schema/openapi.json", headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    report.operations = [f"{op.method.upper()} {op.path}" for op in operations]
    checks = [not_a_server_error, response_schema_conformance, content_type_conformance]
    for op in operations:
        label = f"{op.method.upper()} {op.path}"
        if op.path.endswith(STREAM_PATH):  # its answer never ends: sent by hand, its head read
            _stream_cases(origin, headers, label, report)
            progress(f"  {label:45} by hand  {report.by_operation[label]:4} cases")
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = op.as_strategy(generation_mode=mode)
            if task_ids and "{task_id}" in op.path:
                existing = st.sampled_from(task_ids).flatmap(
                    lambda task_id, op=op, mode=mode: op.as_strategy(
                        generation_mode=mode, path_parameters={"task_id": str(task_id)}
                    )
                )
                strategy = st.one_of(strategy, existing)

            @hypothesis_seed(seed)
            @settings(
                max_examples=per_operation,
                database=None,
                deadline=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
                verbosity=Verbosity.quiet,
            )
            @given(case=strategy)
            def send(case) -> None:
                _bound_the_wait(case)
                try:
                    response = case.call(base_url=origin, headers=headers, timeout=30)
                except Exception as exc:  # noqa: BLE001 - a refused or reset connection is a finding
                    report.transport_errors.append(f"{label}: {exc.__class__.__name__}: {exc}"[:300])
                    return
                sent = response.request.body
                sent = sent.encode() if isinstance(sent, str) else sent
                content_type = ", ".join(response.headers.get("content-type", []))
                _record(
                    report,
                    label,
                    case.method.upper(),
                    case.formatted_path,
                    response.request.url,
                    sent,
                    response.status_code,
                    content_type,
                    response.content,
                )
                try:
                    case.validate_response(response, checks=checks)
                except AssertionError as failure:  # schemathesis' FailureGroup is one
                    text = str(failure).strip().splitlines()
                    if response.status_code < 500:  # 5xx are reported above
                        report.schema_failures.append(f"{label}: {' / '.join(text[:3])[:300]}")

            before = report.cases
            try:
                send()
            except Exception as exc:  # noqa: BLE001 - e.g. nothing to negate in an operation without input
                report.not_generated.append(f"{label} {mode.value}: {exc.__class__.__name__}")
            progress(f"  {label:45} {mode.value:8} {report.cases - before:4} cases")
    _other_methods(origin, headers, operations, report)
    _hostile_path_parameters(origin, headers, operations, report)
    report.seconds = time.monotonic() - started
    return report


def _concrete(path: str) -> str:
    return path.replace("{task_id}", "1").replace("{username}", "bob").replace("{name}", "screen.png")


def _hostile_path_parameters(origin: str, headers: dict[str, str], operations: list, report: FuzzReport) -> None:
    """Every path parameter of every operation, given each of HOSTILE_SEGMENTS (the others concrete)."""
    with httpx.Client(timeout=30, headers=headers) as http:
        for op in operations:
            names = re.findall(r"{(\w+)}", op.path)
            for name, segment in ((name, segment) for name in names for segment in HOSTILE_SEGMENTS):
                path = _concrete(op.path.replace("{" + name + "}", segment))
                method = op.method.upper()
                response = http.request(method, f"{origin}{path}")
                _record(
                    report,
                    f"{method} {op.path} (hostile {{{name}}})",
                    method,
                    path,
                    f"{origin}{path}"[:200],
                    None,
                    response.status_code,
                    response.headers.get("content-type", ""),
                    response.content,
                )


def _other_methods(origin: str, headers: dict[str, str], operations: list, report: FuzzReport) -> None:
    """Every method on every path: the undocumented ones must be 40501 in the envelope."""
    documented: dict[str, set[str]] = {}
    for op in operations:
        documented.setdefault(op.path, set()).add(op.method.upper())
    with httpx.Client(timeout=30, headers=headers) as http:
        for path, methods in sorted(documented.items()):
            for method in EXTRA_METHODS:
                if method in methods:
                    continue
                url = f"{origin}{_concrete(path)}"
                response = http.request(method, url)
                _record(
                    report,
                    f"{method} {path} (not documented)",
                    method,
                    _concrete(path),
                    url,
                    None,
                    response.status_code,
                    response.headers.get("content-type", ""),
                    response.content,
                )
                if response.status_code != 405:
                    report.envelope_failures.append(f"{method} {url} -> {response.status_code}, not 405")
                allow = {m.strip() for m in response.headers.get("allow", "").split(",") if m.strip()}
                if allow != methods:
                    report.envelope_failures.append(
                        f"{method} {url}: Allow {sorted(allow)}, documented {sorted(methods)}"
                    )
