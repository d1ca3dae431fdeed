"""Clients of the Local API that create, list, get, stop, retry and delete tasks, and remember
what the server acknowledged — so that afterwards nothing acknowledged can go missing unseen.

Every create carries an Idempotency-Key. A create that got no answer (the server was killed,
the request timed out) is "in doubt"; `resolve_in_doubt` sends it again with the same key,
as a client script retrying after a timeout does, so that in the end every task in the log
was acknowledged to someone exactly once.
"""

from __future__ import annotations

import random
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import anyio
import httpx
import msgspec

HTTP_TIMEOUT_S = 30.0

# operation -> weight
CRASH_MIX = {
    "create": 30,
    "resend": 3,
    "stop": 15,
    "retry": 15,
    "delete": 8,
    "list": 10,
    "get": 10,
    "events": 6,
    "stats": 6,
}
LOAD_MIX = {
    "create": 25,
    "resend": 2,
    "list": 20,
    "get": 20,
    "stats": 5,
    "events": 5,
    "stop": 10,
    "retry": 8,
    "delete": 7,
}

ENDPOINT = {
    "create": "POST /task",
    "list": "GET /task",
    "get": "GET /task/{id}",
    "stats": "GET /task/stats",
    "events": "GET /task/{id}/events",
    "stop": "POST /task/{id}/stop",
    "retry": "POST /task/{id}/retry",
    "delete": "DELETE /task/{id}",
    "resend": "POST /task (same key again)",
}


@dataclass
class Ledger:
    """What the clients were told, and how the server answered."""

    acknowledged: dict[int, str] = field(default_factory=dict)  # task id -> key of the create that answered it
    answers: dict[str, list[int]] = field(default_factory=dict)  # key -> the ids answered for it
    bodies: dict[str, bytes] = field(default_factory=dict)  # key -> the body sent with it
    in_doubt: dict[str, bytes] = field(default_factory=dict)  # key -> body: sent, no answer
    deleted: set[int] = field(default_factory=set)  # a delete answered 200 (or 404)
    maybe_deleted: set[int] = field(default_factory=set)  # a delete sent, no answer
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter = field(default_factory=Counter)  # (endpoint, HTTP status)
    codes: Counter = field(default_factory=Counter)  # (endpoint, envelope code)
    server_errors: list[str] = field(default_factory=list)  # 5xx, with the body
    bad_envelopes: list[str] = field(default_factory=list)
    transport_errors: Counter = field(default_factory=Counter)  # endpoint -> count
    duplicates: list[str] = field(
        default_factory=list
    )  # an id answered to two keys, or a key answered twice differently

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    def note_created(self, key: str, ids: list[int]) -> None:
        """A create answered 200: its ids are acknowledged (checking they are new, or the same as before)."""
        previous = self.answers.get(key)
        if previous is not None and previous != ids:
            self.duplicates.append(f"key {key} answered {previous} then {ids}")
        self.answers[key] = ids
        for task_id in ids:
            owner = self.acknowledged.get(task_id)
            if owner is not None and owner != key:
                self.duplicates.append(f"task {task_id} acknowledged to key {owner} and to key {key}")
            self.acknowledged[task_id] = key


def percentile(sorted_values: list[float], fraction: float) -> float:
    """The value below which `fraction` of the sorted values lie (nearest rank)."""
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, int(round(fraction * len(sorted_values) + 0.5)) - 1))
    return sorted_values[index]


def latency_table(ledger: Ledger) -> dict[str, dict[str, float]]:
    """Per endpoint: count, p50 and p99 in milliseconds."""
    table = {}
    for endpoint, values in sorted(ledger.latencies.items()):
        values = sorted(values)
        table[endpoint] = {
            "count": len(values),
            "p50_ms": round(percentile(values, 0.50) * 1000, 2),
            "p99_ms": round(percentile(values, 0.99) * 1000, 2),
        }
    return table


class Client:
    """One simulated API client with its own connection pool and random stream."""

    def __init__(
        self,
        base_url: str,
        ledger: Ledger,
        serials: list[str],
        rng: random.Random,
        headers: dict[str, str] | None = None,
        warmup_s: float = 2.0,
    ) -> None:
        self.http = httpx.AsyncClient(
            base_url=base_url,
            timeout=HTTP_TIMEOUT_S,
            headers=headers or {},
            limits=httpx.Limits(max_connections=2, max_keepalive_connections=2),
        )
        self.ledger = ledger
        self.serials = serials
        self.rng = rng
        self.warmup_s = warmup_s

    async def aclose(self) -> None:
        await self.http.aclose()

    # --- one request ------------------------------------------------------------------------

    async def call(self, operation: str, method: str, url: str, **kwargs) -> httpx.Response | None:
        """Send, time and check one request; None when no answer came."""
        endpoint = ENDPOINT[operation]
        started = time.perf_counter()
        try:
            response = await self.http.request(method, url, **kwargs)
        except httpx.HTTPError as exc:  # refused, reset, timed out: the outcome is unknown
            self.ledger.transport_errors[f"{endpoint}: {exc.__class__.__name__}"] += 1
            return None
        self.ledger.latencies[endpoint].append(time.perf_counter() - started)
        self.ledger.statuses[(endpoint, response.status_code)] += 1
        problem = envelope_problem(response)
        if problem:
            self.ledger.bad_envelopes.append(f"{method} {url}: {problem}")
        else:
            self.ledger.codes[(endpoint, response.json()["code"])] += 1
        if response.status_code >= 500:
            self.ledger.server_errors.append(f"{method} {url} -> {response.status_code} {response.text[:300]}")
        return response

    # --- operations -------------------------------------------------------------------------

    def _known_id(self) -> int | None:
        ids = self.ledger.acknowledged
        if not ids:
            return None
        # Mostly recent tasks (those still pending or running), sometimes any.
        newest = max(ids)
        if self.rng.random() < 0.7:
            return self.rng.randint(max(1, newest - 40), newest)
        return self.rng.randint(1, newest)

    def create_body(self) -> dict:
        rng = self.rng
        serials = rng.sample(self.serials, k=min(len(self.serials), rng.choice((1, 1, 2, 3))))
        if rng.random() < 0.05:
            serials.append("offline-phone-1")  # created, waits pending for a phone that never comes
        script = rng.choice(("follow", "follow", "account_warmup", "post", "comment"))
        if script == "follow":
            config = {"target_users": [f"user{rng.randint(1, 999)}" for _ in range(rng.choice((1, 2)))]}
        elif script == "account_warmup":
            config = {
                "task_duration": rng.choice((30, 60, 120)),
                "min_duration": 5,
                "max_duration": 10,
                "like_probable": 30,
            }
        elif script == "comment":
            config = {
                "target_post_url": f"https://www.tiktok.com/@u/video/{rng.randint(1, 10**9)}",
                "comment_content": "nice\ngreat",
            }
        else:
            config = {"captions": "{hello|hi} from the load test"}
        return {"serials": serials, "script_name": script, "script_config": config}

    async def create(self, key: str | None = None, body: bytes | None = None) -> None:
        key = key or uuid.uuid4().hex
        body = body or msgspec.json.encode(self.create_body())
        self.ledger.bodies[key] = body
        self.ledger.in_doubt[key] = body
        response = await self.call(
            "create" if key not in self.ledger.answers else "resend",
            "POST",
            "/task",
            content=body,
            headers={"Idempotency-Key": key, "Content-Type": "application/json"},
        )
        if response is None:
            return
        self.ledger.in_doubt.pop(key, None)
        if response.status_code == 200:
            self.ledger.note_created(key, response.json()["data"]["task_ids"])

    async def resend(self) -> None:
        """A client retrying a create it had an answer for: the same ids must come back."""
        if self.ledger.answers:
            key = self.rng.choice(list(self.ledger.answers)[-50:])
            await self.create(key, self.ledger.bodies[key])

    async def on_task(self, operation: str) -> None:
        task_id = self._known_id()
        if task_id is None:
            return
        if operation == "stop":
            await self.call("stop", "POST", f"/task/{task_id}/stop")
        elif operation == "retry":
            await self.call("retry", "POST", f"/task/{task_id}/retry")
        elif operation == "get":
            await self.call("get", "GET", f"/task/{task_id}")
        elif operation == "events":
            await self.call("events", "GET", f"/task/{task_id}/events")
        elif operation == "delete":
            self.ledger.maybe_deleted.add(task_id)
            response = await self.call("delete", "DELETE", f"/task/{task_id}")
            if response is not None:
                self.ledger.maybe_deleted.discard(task_id)
                if response.status_code in (200, 404):
                    self.ledger.deleted.add(task_id)

    async def list_tasks(self) -> None:
        params = {"page": self.rng.choice((1, 1, 1, 2, 5)), "page_size": self.rng.choice((20, 50, 100))}
        if self.rng.random() < 0.5:
            params["status"] = self.rng.randint(0, 3)
        if self.rng.random() < 0.3:
            params["serial"] = self.rng.choice(self.serials)
        await self.call("list", "GET", "/task", params=params)

    async def one(self, operation: str) -> None:
        if operation == "create":
            await self.create()
        elif operation == "resend":
            await self.resend()
        elif operation == "list":
            await self.list_tasks()
        elif operation == "stats":
            await self.call("stats", "GET", "/task/stats")
        else:
            await self.on_task(operation)

    async def run(self, mix: dict[str, int], stop: anyio.Event, think_s: float = 0.0) -> None:
        """Operations drawn from `mix` until `stop` is set."""
        operations, weights = list(mix), list(mix.values())
        while not stop.is_set():
            await self.one(self.rng.choices(operations, weights)[0])
            if think_s:
                await anyio.sleep(self.rng.uniform(0, 2 * think_s))


def envelope_problem(response: httpx.Response) -> str | None:
    """Why a response is not a proper `{code, message, data}` envelope (None when it is)."""
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}, body is not JSON: {response.text[:120]!r}"
    if not isinstance(body, dict) or set(body) != {"code", "message", "data"}:
        return f"HTTP {response.status_code}, not an envelope: {response.text[:120]!r}"
    code, message = body["code"], body["message"]
    if not isinstance(code, int) or not isinstance(message, str):
        return f"HTTP {response.status_code}, code or message of the wrong type: {response.text[:120]!r}"
    expected = 200 if code == 0 else code // 100
    if response.status_code != expected:
        return f"HTTP {response.status_code} for code {code}"
    if "Traceback" in response.text or 'File "/' in response.text:
        return "a stack trace in the response"
    return None


async def phone_serials(base_url: str, headers: dict[str, str] | None = None) -> list[str]:
    """The serials of the phones the server has seen online."""
    async with httpx.AsyncClient(base_url=base_url, timeout=10, headers=headers or {}) as http:
        devices = (await http.get("/device")).json()["data"]["devices"]
    return [d["serial"] for d in devices if d["online"]]


async def run_clients(
    base_url: str,
    ledger: Ledger,
    serials: list[str],
    *,
    clients: int,
    mix: dict[str, int],
    stop: anyio.Event,
    seed: int,
    headers: dict[str, str] | None = None,
    think_s: float = 0.0,
) -> None:
    """`clients` concurrent clients until `stop` is set (or the caller cancels them)."""
    rng = random.Random(seed)
    pool = [Client(base_url, ledger, serials, random.Random(rng.random()), headers) for _ in range(clients)]
    try:
        async with anyio.create_task_group() as tg:
            for client in pool:
                tg.start_soon(client.run, mix, stop, think_s)
    finally:
        with anyio.CancelScope(shield=True):
            for client in pool:
                await client.aclose()


async def resolve_in_doubt(base_url: str, ledger: Ledger, headers: dict[str, str] | None = None) -> int:
    """Send every unanswered create again with its key; returns how many were resolved."""
    resolved = 0
    client = Client(base_url, ledger, [], random.Random(0), headers)
    try:
        for key, body in list(ledger.in_doubt.items()):
            await client.create(key, body)
            if key not in ledger.in_doubt:
                resolved += 1
    finally:
        await client.aclose()
    return resolved
