"""The phone's processes as `ps`, `pidof` and `kill` see them. The shell runs as the user `shell`: it may signal
its own processes (the uiautomator2 server, its shell), not the apps' or the system's."""

from __future__ import annotations

from dataclasses import dataclass

from devices.sim import packages
from devices.sim.log_buffer import SYSTEM_SERVER_PID
from devices.sim.shell import Command, Context, ShellExit
from devices.sim.system_ui import LAUNCHER_PACKAGE, LAUNCHER_PID, SYSTEMUI_PACKAGE, SYSTEMUI_PID

U2_SERVER_NAME = "app_process"
_SIGNALS = {"HUP": 1, "INT": 2, "QUIT": 3, "KILL": 9, "USR1": 10, "USR2": 12, "TERM": 15, "STOP": 19, "CONT": 18}
_ADBD_PID = 1102


@dataclass(frozen=True, slots=True)
class Process:
    """One row of `ps`."""

    user: str
    pid: int
    ppid: int
    name: str


def _app_user(uid: int) -> str:
    return f"u0_a{uid - 10000}"


def table(ctx: Context) -> list[Process]:
    """The processes running now, the calling shell among them."""
    phone, installed = ctx.phone, packages.installed(ctx.phone)
    rows = [
        Process("root", 1, 0, "init"),
        Process("system", SYSTEM_SERVER_PID, 1, "system_server"),
        Process(_app_user(installed[SYSTEMUI_PACKAGE].uid), SYSTEMUI_PID, SYSTEM_SERVER_PID, SYSTEMUI_PACKAGE),
        Process(_app_user(installed[LAUNCHER_PACKAGE].uid), LAUNCHER_PID, SYSTEM_SERVER_PID, LAUNCHER_PACKAGE),
    ]
    rows += [
        Process(_app_user(installed[package].uid), phone.app_pid(package), SYSTEM_SERVER_PID, package)
        for package, app in phone.tasks.apps.items()
        if app.running
    ]
    if phone.u2.up:
        rows.append(Process("shell", phone.u2.pid, _ADBD_PID, U2_SERVER_NAME))
    rows.append(Process("shell", ctx.session.pid, _ADBD_PID, "sh"))
    return rows


async def ps(ctx: Context, args: list[str]) -> int:
    """ps [-A|-e] [-u USER,…] [-p PID,…] [NAME…]: without -A only the calling shell's processes."""
    rows = [*table(ctx), Process("shell", ctx.phone.new_pid(), ctx.session.pid, "ps")]
    everyone, users, pids, names, i = False, set(), set(), set(), 0
    while i < len(args):
        arg = args[i]
        if arg in ("-A", "-e", "-a"):
            everyone = True
        elif arg in ("-u", "-U", "-p") and i + 1 < len(args):
            (users if arg != "-p" else pids).update(args[i + 1].split(","))
            i += 1
        elif not arg.startswith("-"):
            names.add(arg)
        i += 1
    if not (everyone or users or pids or names):
        rows = [r for r in rows if r.pid == ctx.session.pid or r.ppid == ctx.session.pid]
    rows = [
        r
        for r in rows
        if (not users or r.user in users) and (not pids or str(r.pid) in pids) and (not names or r.name in names)
    ]
    ctx.print("USER           PID  PPID     VSZ    RSS WCHAN            ADDR S NAME")
    for row in rows:
        ctx.print(f"{row.user:<12} {row.pid:>5} {row.ppid:>5} 14681064 121460 do_epoll_wait 0 S {row.name}")
    return 0


async def pidof(ctx: Context, args: list[str]) -> int:
    """pidof NAME…: their process ids, exit 1 when none runs."""
    found = [str(r.pid) for r in table(ctx) if r.name in args]
    if found:
        ctx.print(" ".join(found))
    return 0 if found else 1


def _signal(spec: str) -> int | None:
    name = spec.upper().removeprefix("SIG")
    if name.isdigit():
        return int(name) if int(name) < 65 else None
    return _SIGNALS.get(name)


async def kill(ctx: Context, args: list[str]) -> int:
    """kill [-SIGNAL | -s SIGNAL] PID…, as the shell user (the shell's builtin, so its messages)."""
    signal = 15
    if args[:1] == ["-l"]:
        ctx.print(" ".join(sorted(_SIGNALS, key=_SIGNALS.__getitem__)))
        return 0
    spec = None
    if args[:1] == ["-s"] and len(args) > 1:
        spec, args = args[1], args[2:]
    elif args and args[0].startswith("-") and len(args[0]) > 1:
        spec, args = args[0][1:], args[1:]
    if spec is not None:
        number = _signal(spec)
        if number is None:
            ctx.error(f"/system/bin/sh: kill: {spec}: bad signal")
            return 1
        signal = number
    if not args:
        ctx.error("/system/bin/sh: kill: usage: kill [-s signame | -signum | -signame] { job | pid | pgrp } ...")
        return 1
    rows, status = {str(r.pid): r for r in table(ctx)}, 0
    for pid in args:
        row = rows.get(pid)
        if row is None or row.user != "shell":
            ctx.error(f"/system/bin/sh: kill: {pid}: {'No such process' if row is None else 'Operation not permitted'}")
            status = 1
        elif signal and row.name == U2_SERVER_NAME:
            ctx.phone.kill_u2()
        elif signal and row.name == "sh":
            raise ShellExit(128 + signal)
    return status


PROCESS_COMMANDS: dict[str, Command] = {"ps": ps, "pidof": pidof, "kill": kill}
