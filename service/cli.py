"""The `droidledger` command: serve, agent, replay, backup, copy, sim."""

from __future__ import annotations

import argparse
import logging
import os
import sqlite3
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from service.domain.apps import APPS
from service.settings import DEFAULT_PORT, LOOPBACK_HOSTS, Settings, plan_named
from service.store.sqlite.connection import SYNC_MODES

log = logging.getLogger("droidledger")


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(
            f"unknown time zone {name!r} (use an IANA name such as Europe/Paris)"
        ) from None


def _limits_file(name: str):
    """The default limits a TOML file sets (the keys of PUT /limits)."""
    import tomllib

    from service.errors import ApiError
    from service.requests.limits import parse_limits

    try:
        with open(name, "rb") as file:
            return parse_limits(tomllib.load(file))
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot read {name}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise argparse.ArgumentTypeError(f"{name} is not valid TOML: {exc}") from None
    except ApiError as exc:
        raise argparse.ArgumentTypeError(f"{name}: {exc.message}") from None


def _plan(name: str):
    try:
        return plan_named(name)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _sim_accounts(text: str) -> tuple[int, int]:
    from devices.sim.farm import parse_accounts

    try:
        return parse_accounts(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _app(text: str) -> str:
    if text not in APPS:
        raise argparse.ArgumentTypeError(f"must be one of {', '.join(APPS)}, got {text!r}")
    return text


def _positive(kind):
    def parse(text: str):
        value = kind(text)
        if value < 0:
            raise argparse.ArgumentTypeError(f"must be ≥ 0, got {text}")
        return value

    return parse


def _add_store_arguments(parser: argparse.ArgumentParser) -> None:
    """Where the store and the files are (serve and agent)."""
    add = parser.add_argument
    add("--data-dir", type=Path, default=Path("data"), help="data directory (default ./data)")
    add(
        "--db",
        default=os.environ.get("DROIDLEDGER_DB"),
        help="the event store: a SQLite file (default <data-dir>/droidledger.db), sqlite:///path, or "
        "postgresql://user@host:port/dbname (or DROIDLEDGER_DB)",
    )
    add("--sync", choices=SYNC_MODES, default="full", help="SQLite synchronous mode (default full)")
    add("--tz", type=_zone, help="time zone of start_time and of accounts' days (default: the system's)")


def _add_phone_arguments(parser: argparse.ArgumentParser) -> None:
    """Where the phones are and how runs go (serve and agent)."""
    phones = parser.add_argument_group("phones")
    add = phones.add_argument
    add("--adb-host", default="127.0.0.1", help="adb server host (default 127.0.0.1)")
    add("--adb-port", type=int, default=5037, help="adb server port (default 5037)")
    add("--adb-start", action="store_true", help="let adbutils start an adb server if none answers (off by default)")
    add(
        "--time-scale",
        type=_positive(float),
        default=1.0,
        help="multiply every wait inside a run (script waits, retry delays, virtual phones) (default 1.0)",
    )
    add(
        "--lease-s",
        type=_positive(float),
        default=20.0,
        help="an agent whose heartbeat is older than this is lost: its tasks fail, its phones are free (default 20)",
    )
    sim = parser.add_argument_group("virtual phones")
    add = sim.add_argument
    add(
        "--sim", type=_positive(int), default=0, metavar="N", help="start N virtual phones in this process and use them"
    )
    add(
        "--sim-latency-ms",
        type=_positive(float),
        default=0.0,
        help="latency per RPC and shell command of the virtual phones",
    )
    add("--sim-seed", type=int, default=0, help="seed of the virtual farm (same seed, same phones)")
    add(
        "--sim-accounts",
        type=_sim_accounts,
        default=(1, 1),
        metavar="N|tiktok=N,instagram=M",
        help="accounts signed in per virtual phone in each app: N in both, or per app (default 1)",
    )
    add("--sim-faults", default="", help="fault switches of the virtual farm (see the README)")


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of `droidledger serve` (README.md, "Settings")."""
    add = parser.add_argument
    add(
        "--host",
        action="append",
        dest="hosts",
        metavar="HOST",
        help="address to listen on, repeatable (default: 127.0.0.1 and ::1); beyond loopback needs --api-key",
    )
    add("--port", type=int, default=DEFAULT_PORT, help=f"TCP port (default {DEFAULT_PORT})")
    _add_store_arguments(parser)
    add("--plan", type=_plan, default=plan_named("pro"), help="Starter, Pro, Team or Business (default Pro)")
    add("--device-limit", type=_positive(int), help="phones that may run tasks at once (default: the plan's)")
    add(
        "--app",
        type=_app,
        default="tiktok",
        dest="default_app",
        help="the app a task runs on when nothing in it says which: tiktok or instagram (default tiktok)",
    )
    add(
        "--limits",
        type=_limits_file,
        metavar="FILE",
        dest="default_limits",
        help="default limits of every account, TOML (daily, working_hours, timezone, cooldown_hours); "
        "recorded at start when the file changed since it was last recorded",
    )
    add(
        "--api-key",
        default=os.environ.get("DROIDLEDGER_API_KEY"),
        help="require this key on every request (or DROIDLEDGER_API_KEY)",
    )
    add(
        "--material-root",
        type=Path,
        action="append",
        default=[],
        dest="material_roots",
        help="folder files may be read from when listening beyond loopback (repeatable)",
    )
    errors = parser.add_mutually_exclusive_group()
    errors.add_argument(
        "--rest-status",
        action="store_true",
        default=os.environ.get("DROIDLEDGER_REST_STATUS") == "1",
        help="answer errors with the HTTP status of their code (400, 401, 403, 404, 405, 409, 413, 500) "
        "instead of 200 (or DROIDLEDGER_REST_STATUS=1)",
    )
    errors.add_argument(
        "--errors-as-200",
        dest="rest_status",
        action="store_false",
        help="answer errors with HTTP 200, the code in the body (the default, as the vendor's clients expect)",
    )
    add("--no-access-log", dest="access_log", action="store_false", help="do not log one line per request")
    add("--auto-retry", action="store_true", help="retry failed tasks automatically (never stopped ones)")
    add("--max-retries", type=_positive(int), default=3, help="automatic retries per task (default 3)")
    add(
        "--retry-delay-min",
        type=_positive(float),
        default=5.0,
        help="seconds before an automatic retry, at least (default 5)",
    )
    add(
        "--retry-delay-max",
        type=_positive(float),
        default=60.0,
        help="seconds before an automatic retry, at most (default 60)",
    )
    add(
        "--random-order", action="store_true", help="run each phone's due tasks in random order instead of due time, id"
    )
    agents = parser.add_mutually_exclusive_group()
    agents.add_argument(
        "--agents",
        type=_positive(int),
        default=0,
        metavar="N",
        help="run the phones' actors in N local agent processes (each a share of the phones) "
        "instead of in this process",
    )
    agents.add_argument(
        "--no-agent",
        dest="run_agent",
        action="store_false",
        help="serve the API and the scheduling only, for agents elsewhere (droidledger agent)",
    )
    _add_phone_arguments(parser)


def add_agent_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of `droidledger agent`."""
    add = parser.add_argument
    add("--name", help="the agent's name, unique in the farm (default: host name and pid)")
    add("--shard", type=_shard, metavar="i/N", help="take only the phones whose serial hashes to i among N")
    _add_store_arguments(parser)
    _add_phone_arguments(parser)


def _shard(text: str):
    from devices.agent.shard import parse_shard

    try:
        return parse_shard(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from parsed `serve` (or `agent`) flags (ValueError for a --db no backend reads)."""
    serve = getattr(args, "command", "serve") == "serve"
    hosts = getattr(args, "hosts", None)
    settings = Settings(
        hosts=tuple(hosts) if hosts else LOOPBACK_HOSTS,
        port=getattr(args, "port", DEFAULT_PORT),
        data_dir=args.data_dir,
        db=args.db,
        sync=args.sync,
        tz=args.tz,
        adb_host=args.adb_host,
        adb_port=args.adb_port,
        adb_start=args.adb_start,
        time_scale=args.time_scale,
        lease_s=args.lease_s,
        sim=args.sim,
        sim_latency_ms=args.sim_latency_ms,
        sim_seed=args.sim_seed,
        sim_accounts=args.sim_accounts[0],
        sim_instagram_accounts=args.sim_accounts[1],
        sim_faults=args.sim_faults,
        shard=getattr(args, "shard", None),
        **(
            {}
            if not serve
            else dict(
                plan=args.plan,
                device_limit_override=args.device_limit,
                api_key=args.api_key or None,
                material_roots=tuple(args.material_roots),
                rest_status=args.rest_status,
                access_log=args.access_log,
                auto_retry=args.auto_retry,
                max_retries=args.max_retries,
                retry_delay_min=args.retry_delay_min,
                retry_delay_max=args.retry_delay_max,
                random_order=args.random_order,
                default_limits=args.default_limits,
                default_app=args.default_app,
                agents=args.agents,
                run_agent=args.run_agent and not args.agents,
            )
        ),
    )
    settings.store  # noqa: B018 - checks --db now
    return settings


def _store_problem(locator, exc: Exception) -> str:
    """One line saying why the store cannot be used."""
    from service.store.records import DatabaseInUse, SchemaTooNew

    if isinstance(exc, (DatabaseInUse, SchemaTooNew)):
        return f"cannot use {locator.display}: {exc}"
    return f"cannot open the database {locator.display}: {exc}"


def run_serve(args: argparse.Namespace) -> int:
    """Serve the API until stopped."""
    from service.server import serve
    from service.store import operations

    try:
        settings = settings_from(args)
    except ValueError as exc:
        log.error("%s", exc)
        return 2
    if settings.retry_delay_max < settings.retry_delay_min:
        log.error(
            "--retry-delay-max (%g) must not be below --retry-delay-min (%g)",
            settings.retry_delay_max,
            settings.retry_delay_min,
        )
        return 2
    if not settings.loopback_only and not settings.api_key:
        log.error(
            "refusing to listen on %s without an API key: set --api-key or DROIDLEDGER_API_KEY",
            ", ".join(settings.hosts),
        )
        return 2
    locator = settings.store
    try:
        # Created or migrated before listening: a failure is one line here, not uvicorn's traceback.
        with operations.hold(locator, "start a server on it", serving=True):
            operations.prepare(locator, settings.sync)
            code = serve(settings)
    except OSError as exc:
        log.error("%s", exc)
        return 2
    except Exception as exc:  # noqa: BLE001 - the store's and its driver's errors, in one line
        if exc.__class__.__module__.startswith(("service.store", "sqlite3", "psycopg")):
            log.error("%s", _store_problem(locator, exc))
            return 2
        raise
    return code


def _locator(args: argparse.Namespace):
    from service.store.locator import locate

    return locate(args.db if args.db is not None else args.data_dir / "droidledger.db")


def run_replay(args: argparse.Namespace) -> int:
    """Rebuild every view from the event log."""
    from service.progress import ProgressLine
    from service.store import operations

    try:
        locator = _locator(args)
    except ValueError as exc:
        log.error("%s", exc)
        return 2
    if not operations.exists(locator):
        log.error("no database at %s", locator.display)
        return 2
    try:
        with operations.hold(locator, "replay it"):
            progress = ProgressLine("replay", unit="events")
            started = time.perf_counter()
            folded = operations.replay(locator, progress=progress.update)
            elapsed = time.perf_counter() - started
            progress.done()
    except Exception as exc:  # noqa: BLE001 - DatabaseInUse, SchemaTooNew, a failed migration, the driver's
        log.error("cannot replay %s: %s", locator.display, exc)
        return 2
    rate = folded / elapsed if elapsed else 0.0
    print(f"rebuilt every view from {folded} events in {elapsed:.2f} s ({rate:,.0f} events/s)")
    return 0


def run_agent(args: argparse.Namespace) -> int:
    """Run one agent until SIGINT/SIGTERM, then stop it cleanly (its phones released)."""
    from devices.agent.agent import default_name
    from service.agent_main import serve_agent
    from service.store import operations

    try:
        settings = settings_from(args)
    except ValueError as exc:
        log.error("%s", exc)
        return 2
    locator = settings.store
    try:
        operations.prepare(locator, settings.sync)
        serve_agent(settings, args.name or default_name())
    except Exception as exc:  # noqa: BLE001 - the store's and its driver's errors, in one line
        if exc.__class__.__module__.startswith(("service.store", "sqlite3", "psycopg")):
            log.error("%s", _store_problem(locator, exc))
            return 2
        raise
    return 0


def run_copy(args: argparse.Namespace) -> int:
    """Copy a whole event log into an empty store; views rebuilt there; counts checked."""
    from service.progress import ProgressLine
    from service.store import operations
    from service.store.copy import copy_log
    from service.store.locator import locate

    try:
        source, destination = locate(args.source), locate(args.destination)
    except ValueError as exc:
        log.error("%s", exc)
        return 2
    if not operations.exists(source):
        log.error("no database at %s", source.display)
        return 2
    try:
        with operations.hold(source, "copy it"), operations.hold(destination, "copy into it"):
            progress = ProgressLine("copy", unit="events")
            started = time.perf_counter()
            counts = copy_log(source, destination, progress=progress.update)
            progress.done()
    except Exception as exc:  # noqa: BLE001 - DatabaseInUse, DestinationNotEmpty, SchemaTooNew, the drivers'
        log.error("cannot copy %s to %s: %s", source.display, destination.display, exc)
        return 2
    print(
        f"copied {counts.events} events (last position {counts.last_position}), {counts.side_rows} secrets and "
        f"idempotency keys from {source.display} to {destination.display} in "
        f"{time.perf_counter() - started:.2f} s; views rebuilt: {counts.tasks} tasks; counts checked"
    )
    return 0


def run_backup(args: argparse.Namespace) -> int:
    """A consistent copy of a (possibly live) SQLite database with SQLite's online backup."""
    from service.store.sqlite import maintenance

    try:
        locator = _locator(args)
    except ValueError as exc:
        log.error("%s", exc)
        return 2
    if locator.backend != "sqlite":
        log.error("backup copies a SQLite file; back up PostgreSQL with pg_dump (see the README)")
        return 2
    target = args.path
    if not locator.path.exists():
        log.error("no database at %s", locator.display)
        return 2
    if target.exists():
        log.error("%s exists: choose a new file name", target)
        return 2
    try:
        ok = maintenance.backup(locator.path, target)
    except sqlite3.Error as exc:
        log.error("cannot back up %s: %s", locator.display, exc)
        return 2
    print(f"backed up {locator.display} to {target} (integrity_check: {ok})")
    return 0 if ok == "ok" else 1


def build_parser() -> argparse.ArgumentParser:
    """The whole command line."""
    parser = argparse.ArgumentParser(
        prog="droidledger", description="Event-sourced task service for Android phone farms"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the Local API")
    add_serve_arguments(serve)
    serve.set_defaults(run=run_serve)

    for name, run, helptext in (
        ("replay", run_replay, "rebuild every view from the event log"),
        ("backup", run_backup, "copy a live database consistently"),
    ):
        sub = commands.add_parser(name, help=helptext)
        if name == "backup":
            sub.add_argument("path", type=Path, help="the new backup file")
        sub.add_argument(
            "--db",
            default=os.environ.get("DROIDLEDGER_DB"),
            help="the event store: a SQLite file, sqlite:///path or a postgresql:// URL (or DROIDLEDGER_DB)",
        )
        sub.add_argument("--data-dir", type=Path, default=Path("data"), help="data directory (default ./data)")
        sub.set_defaults(run=run)

    agent = commands.add_parser("agent", help="run the phones' actors of one adb server against a shared store")
    add_agent_arguments(agent)
    agent.set_defaults(run=run_agent)

    copy = commands.add_parser("copy", help="copy a whole event log into an empty store (SQLite ⇄ PostgreSQL)")
    copy.add_argument("source", help="the store to copy: a SQLite file, sqlite:///path or a postgresql:// URL")
    copy.add_argument("destination", help="an empty store to copy into (created if it is a new SQLite file)")
    copy.set_defaults(run=run_copy)

    from devices.sim import cli as sim_cli

    sim = commands.add_parser("sim", help="run a virtual phone farm (ADB + uiautomator2 + a TikTok-like app)")
    sim_cli.add_arguments(sim)
    sim.set_defaults(run=sim_cli.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `droidledger` console script."""
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # The store says once that the database is away; the pool would say it at every attempt.
    logging.getLogger("psycopg.pool").setLevel(logging.ERROR)
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
