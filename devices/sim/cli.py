"""`droidledger sim`: run a virtual phone farm until stopped, printing its adb port and serials."""

from __future__ import annotations

import argparse
import importlib.util
import signal
import sys

import anyio

from devices.sim.control import serve_control
from devices.sim.farm import FarmConfig, VirtualFarm, parse_accounts
from devices.sim.faults import FaultSpecError


def _accounts(text: str) -> tuple[int, int]:
    try:
        return parse_accounts(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The farm's flags (see ARCHITECTURE.md, command line)."""
    parser.add_argument("--devices", type=int, default=4, help="number of phones (default 4)")
    parser.add_argument(
        "--port",
        type=int,
        default=5038,
        help="adb server port to listen on (default 5038; 5037 is a real adb's; 0 picks a free port)",
    )
    parser.add_argument("--latency-ms", type=float, default=0.0, help="latency per RPC and shell command (default 0)")
    parser.add_argument("--seed", type=int, default=0, help="seed of serials, accounts and faults (default 0)")
    parser.add_argument(
        "--accounts-per-device",
        type=_accounts,
        default=(1, 1),
        help="signed-in accounts per phone in each app: N, or tiktok=N,instagram=M (default 1)",
    )
    parser.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        help="multiplies in-app delays and latency (default 1.0; 0.1 is ten times faster)",
    )
    parser.add_argument("--faults", default="", help="fault spec, e.g. 'disconnect=0.01,dialog=0.05,ratelimit=10'")
    parser.add_argument(
        "--control-port",
        type=int,
        default=None,
        help="serve GET /state and POST /faults on this port (0 picks one; default: none)",
    )


def _banner(farm: VirtualFarm, control_port: int | None) -> str:
    host = farm.config.host
    lines = [f"droidledger sim: {len(farm.serials)} phones on {host}:{farm.port} (seed {farm.config.seed})"]
    for serial, phone in farm.phones.items():
        names = ", ".join(a.username for a in phone.app.accounts)
        instagram = ", ".join(a.username for a in phone.instagram.accounts)
        lines.append(f"  {serial:<16} {phone.model.model:<14} {names}  (Instagram: {instagram})")
    if control_port is not None:
        lines.append(f"control: http://{host}:{control_port}/state  (POST /faults)")
    lines.append(f"try: adb -P {farm.port} devices -l")
    return "\n".join(lines)


async def _main(config: FarmConfig, control_port: int | None) -> None:
    farm = VirtualFarm(config)
    async with anyio.create_task_group() as tg:
        await tg.start(farm.serve)
        bound = await tg.start(serve_control, farm, config.host, control_port) if control_port is not None else None
        print(_banner(farm, bound), flush=True)
        try:
            with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
                async for _ in signals:
                    break
        except NotImplementedError:  # no signal receiver on this platform: Ctrl-C raises KeyboardInterrupt
            await anyio.sleep_forever()
        tg.cancel_scope.cancel()


def run(args: argparse.Namespace) -> int:
    """Run the farm until SIGINT/SIGTERM; 0 on a clean stop, 2 on bad settings."""
    try:
        config = FarmConfig(
            devices=args.devices,
            port=args.port,
            latency_ms=args.latency_ms,
            seed=args.seed,
            accounts_per_device=args.accounts_per_device[0],
            instagram_accounts=args.accounts_per_device[1],
            time_scale=args.time_scale,
            faults=args.faults,
        )
    except (ValueError, FaultSpecError) as exc:
        print(f"droidledger sim: {exc}", file=sys.stderr)
        return 2
    try:
        anyio.run(
            _main,
            config,
            args.control_port,
            backend="asyncio",
            backend_options={"use_uvloop": importlib.util.find_spec("uvloop") is not None},
        )
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"droidledger sim: cannot listen: {exc}", file=sys.stderr)
        return 1
    return 0
