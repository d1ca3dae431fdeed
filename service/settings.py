"""Everything `droidledger serve` can be told, and its defaults (README.md, "Settings")."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from service.domain.limits import Limits
from service.store.locator import StoreLocator, locate

LOOPBACK_HOSTS = ("127.0.0.1", "::1")
DEFAULT_PORT = 50809

PLANS = {"starter": ("Starter", 5), "pro": ("Pro", 20), "team": ("Team", 50), "business": ("Business", 100)}


@dataclass(frozen=True)
class Plan:
    """A vendor plan: its name and how many devices may run tasks at once."""

    name: str
    device_limit: int

    @property
    def api_enabled(self) -> bool:
        """Starter has no API."""
        return self.name != "Starter"


def plan_named(name: str) -> Plan:
    """The plan of a case-insensitive name (ValueError for an unknown one)."""
    try:
        display, limit = PLANS[name.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown plan {name!r}: choose Starter, Pro, Team or Business") from None
    return Plan(display, limit)


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and `localhost` are loopback."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Settings:
    """The server's settings (the CLI's flags)."""

    hosts: tuple[str, ...] = LOOPBACK_HOSTS
    port: int = DEFAULT_PORT
    data_dir: Path = Path("data")
    db: str | None = None  # --db / DROIDLEDGER_DB: a path, sqlite:///path or a postgresql:// URL
    plan: Plan = field(default_factory=lambda: plan_named("pro"))
    device_limit_override: int | None = None
    sync: str = "full"
    tz: ZoneInfo | None = None  # None: the system's zone
    api_key: str | None = None
    material_roots: tuple[Path, ...] = ()
    rest_status: bool = False  # errors answer HTTP 4xx/5xx; by default HTTP 200, as the vendor's clients expect
    adb_host: str = "127.0.0.1"
    adb_port: int = 5037
    adb_start: bool = False
    auto_retry: bool = False
    max_retries: int = 3
    retry_delay_min: float = 5.0
    retry_delay_max: float = 60.0
    random_order: bool = False
    time_scale: float = 1.0
    sim: int = 0
    sim_latency_ms: float = 0.0
    sim_seed: int = 0
    sim_accounts: int = 1  # TikTok accounts per virtual phone
    sim_instagram_accounts: int | None = None  # Instagram's (None: as many as TikTok)
    default_app: str = "tiktok"  # --app: the app of a task that names none (docs/instagram.md)
    sim_faults: str = ""
    default_limits: Limits | None = None  # --limits FILE, parsed
    agents: int = 0  # --agents N: N local agent processes instead of the agent in-process
    run_agent: bool = True  # the agent in-process (off with --no-agent, or with --agents N)
    agent_name: str | None = None  # the in-process agent's name (default: the host's; see composition.py)
    lease_s: float = 20.0  # an agent whose heartbeat is older is lost
    shard: Any = None  # devices.agent.shard.Shard: `droidledger agent --shard i/N`
    access_log: bool = True
    stream_keep_alive_s: float = 15.0  # a comment line on an idle event stream, so proxies keep it open
    run_tasks: bool = True  # discovery, scheduler and phone actors; off for API-only tests

    @property
    def retry_policy(self):
        """The automatic retry policy these settings describe."""
        from service.retry_policy import RetryPolicy

        return RetryPolicy(
            enabled=self.auto_retry,
            max_retries=self.max_retries,
            delay_min_s=self.retry_delay_min,
            delay_max_s=self.retry_delay_max,
            time_scale=self.time_scale,
        )

    @property
    def store(self) -> StoreLocator:
        """Where the event log is: `--db`, or the SQLite file `<data-dir>/droidledger.db`."""
        return locate(self.db if self.db is not None else self.data_dir / "droidledger.db")

    @property
    def device_limit(self) -> int:
        """How many phones may run tasks at once: `--device-limit`, else the plan's."""
        return self.device_limit_override if self.device_limit_override is not None else self.plan.device_limit

    @property
    def loopback_only(self) -> bool:
        """True while every listening address is loopback."""
        return all(is_loopback(host) for host in self.hosts)
