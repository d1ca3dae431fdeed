"""The Android side of the phone's shell: getprop, settings, ime, input, am, monkey, pm, wm, uiautomator, screencap,
app_process (the uiautomator2 server launch)."""

from __future__ import annotations

import io
import time
import zipfile

import anyio

from devices.sim import packages, phone_input, screenshot
from devices.sim.app.ui import PACKAGE
from devices.sim.dumpsys import package_dump
from devices.sim.intents import am
from devices.sim.packages import IME_PACKAGE
from devices.sim.phone import ADB_KEYBOARD, LATIN_IME, Phone
from devices.sim.posix_commands import POSIX_COMMANDS
from devices.sim.shell import Command, Context

U2_MAIN = "com.wetest.uia2.Main"
_SETTINGS_DEFAULTS = {
    "system": {"screen_brightness": "128", "screen_brightness_mode": "0", "screen_off_timeout": "60000"},
    "global": {"airplane_mode_on": "0", "adb_enabled": "1", "stay_on_while_plugged_in": "0"},
    "secure": {"android_id": ""},
}


def properties(phone: Phone) -> dict[str, str]:
    """The system properties `getprop` shows."""
    m = phone.model
    locale = {"en": "en-US", "fr": "fr-FR"}[phone.language]
    return {
        "ro.serialno": phone.serial,
        "ro.boot.serialno": phone.serial,
        "ro.product.model": m.model,
        "ro.product.brand": m.brand,
        "ro.product.manufacturer": m.manufacturer,
        "ro.product.name": m.product,
        "ro.product.device": m.device,
        "ro.product.cpu.abi": "arm64-v8a",
        "ro.build.version.sdk": str(m.sdk),
        "ro.build.version.release": m.release,
        "ro.build.characteristics": "phone",
        "sys.boot_completed": "1",
        "persist.sys.locale": locale,
        "ro.product.locale": locale,
        "ro.sf.lcd_density": str(m.density),
        "ro.build.fingerprint": f"{m.brand}/{m.product}/{m.device}:{m.release}/SP1A.210812.016/{m.sdk}00:user/release-keys",
    }


async def getprop(ctx: Context, args: list[str]) -> int:
    """getprop [NAME]."""
    props = properties(ctx.phone)
    if args:
        ctx.print(props.get(args[0], ""))
    else:
        for key in sorted(props):
            ctx.print(f"[{key}]: [{props[key]}]")
    return 0


async def settings(ctx: Context, args: list[str]) -> int:
    """settings get|put|delete|list NAMESPACE [KEY [VALUE]]."""
    if len(args) < 2 or args[1] not in ("system", "secure", "global"):
        ctx.error("usage: settings [get|put|delete|list] NAMESPACE [KEY [VALUE]]")
        return 1
    verb, table = args[0], ctx.phone.settings[args[1]]
    defaults = _SETTINGS_DEFAULTS[args[1]]
    if verb == "get" and len(args) >= 3:
        ctx.print(table.get(args[2], defaults.get(args[2], "null")) or "null")
    elif verb == "put" and len(args) >= 4:
        table[args[2]] = args[3]
    elif verb == "delete" and len(args) >= 3:
        table.pop(args[2], None)
    elif verb == "list":
        for key, value in sorted({**defaults, **table}.items()):
            ctx.print(f"{key}={value}")
    else:
        ctx.error(f"settings: bad arguments {' '.join(args)}")
        return 1
    return 0


async def ime(ctx: Context, args: list[str]) -> int:
    """ime list [-s] [-a] | enable ID | disable ID | set ID | reset."""
    state, secure = ctx.phone.input, ctx.phone.settings["secure"]
    verb, ident = (args[0] if args else ""), (args[-1] if len(args) > 1 else "")
    if verb == "list":
        for name in state.imes if "-a" in args else [i for i in state.imes if i in state.enabled]:
            ctx.print(name if "-s" in args else f"{name}:\n  mId={name}")
    elif verb in ("enable", "disable", "set") and ident not in state.imes:
        ctx.print(f"Unknown input method {ident} cannot be {verb}d for user #0")
        return 1
    elif verb == "enable":
        ctx.print(f"Input method {ident}: {'already' if ident in state.enabled else 'now'} enabled for user #0")
        state.enabled.add(ident)
    elif verb == "disable":
        state.enabled.discard(ident)
        if secure.get("default_input_method") == ident:
            secure["default_input_method"] = LATIN_IME
        ctx.print(f"Input method {ident}: now disabled for user #0")
    elif verb == "set":
        secure["default_input_method"] = ident
        ctx.print(f"Input method {ident} selected for user #0")
    elif verb == "reset":
        state.enabled, secure["default_input_method"] = {LATIN_IME}, LATIN_IME
    else:
        ctx.error("usage: ime list|enable|disable|set|reset")
        return 1
    return 0


async def input_(ctx: Context, args: list[str]) -> int:
    """input [source] [-d DISPLAY] keyevent|tap|swipe|draganddrop|text ..."""
    while args and (args[0] in ("touchscreen", "keyboard", "mouse", "touchpad", "dpad") or args[0] == "-d"):
        args = args[2:] if args[0] == "-d" else args[1:]
    verb, rest = (args[0] if args else ""), args[1:]
    phone = ctx.phone
    try:
        if verb == "keyevent":
            for key in (k for k in rest if not k.startswith("--")):
                code = phone_input.key_code(key)
                if code is None:
                    ctx.error(f"Error: Unknown keycode {key}")
                    return 1
                phone_input.press_key(phone, code)
        elif verb == "tap" and len(rest) >= 2:
            phone_input.tap(phone, float(rest[0]), float(rest[1]))
        elif verb in ("swipe", "draganddrop") and len(rest) >= 4:
            points = [float(v) for v in rest[:4]]
            seconds = float(rest[4]) / 1000 if len(rest) > 4 else phone_input.INPUT_SWIPE_S
            await phone_input.hold(phone, seconds + (phone_input.LONG_PRESS_S if verb == "draganddrop" else 0))
            phone_input.swipe(phone, *points)
        elif verb == "text" and rest:
            phone_input.type_text(phone, " ".join(rest).replace("%s", " "))
        else:
            ctx.error("Usage: input [<source>] <command> [<arg>...]")
            return 1
    except ValueError:
        ctx.error(f"Error: bad number in: input {' '.join(args)}")
        return 1
    return 0


async def monkey(ctx: Context, args: list[str]) -> int:
    """monkey -p PACKAGE -c android.intent.category.LAUNCHER 1: start the app (one the farm models)."""
    package = args[args.index("-p") + 1] if "-p" in args and args.index("-p") + 1 < len(args) else None
    if package is None or not ctx.phone.start_app(package):
        ctx.print("** No activities found to run, monkey aborted.")
        return 252
    ctx.print(
        "  bash arg: -p\n  bash arg: "
        + package
        + "\nEvents injected: 1\n## Network stats: elapsed time=16ms (0ms mobile, 0ms wifi, 16ms not connected)"
    )
    return 0


def _list_packages(ctx: Context, installed: dict[str, packages.Package], args: list[str]) -> None:
    """pm list packages [-f] [-s|-3] [-e|-d] [-U] [-i] [--user N] [FILTER]."""
    flags, words, skip = set(), [], False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--user":
            skip = True
        elif arg.startswith("-"):
            flags.update(arg[1:])
        else:
            words.append(arg)
    for package in installed.values():
        if (
            (words and words[0] not in package.name)
            or "d" in flags
            or ("s" in flags and not package.system)
            or ("3" in flags and package.system)
        ):
            continue
        line = f"package:{package.apk}={package.name}" if "f" in flags else f"package:{package.name}"
        line += f" installer={'null' if package.system else 'com.android.vending'}" if "i" in flags else ""
        ctx.print(line + (f" uid:{package.uid}" if "U" in flags else ""))


def _apk_package(data: bytes) -> str | None:
    try:
        manifest = zipfile.ZipFile(io.BytesIO(data)).read("AndroidManifest.xml")
    except (zipfile.BadZipFile, KeyError):
        return None
    for package in (IME_PACKAGE, PACKAGE):
        if package.encode("utf-16-le") in manifest:
            return package
    return None


async def pm(ctx: Context, args: list[str]) -> int:
    """pm list packages | path | dump | install | uninstall | clear | grant."""
    phone, verb = ctx.phone, (args[0] if args else "")
    installed = packages.installed(phone)
    if verb == "list" and args[1:2] == ["packages"]:
        _list_packages(ctx, installed, args[2:])
    elif verb == "path" and len(args) > 1:
        if args[-1] not in installed:
            return 1
        ctx.print(f"package:{installed[args[-1]].apk}")
    elif verb == "dump" and len(args) > 1:
        ctx.print(package_dump(phone, args[-1]) or f"Unable to find package: {args[-1]}")
    elif verb == "install" and len(args) > 1:
        path = ctx.path(args[-1])
        if not phone.file_exists(path):
            ctx.print(f"Failure [INSTALL_FAILED_INVALID_URI: file {args[-1]} not found]")
            return 1
        package = _apk_package(phone.fs.read(path))
        if package is None:
            ctx.print(
                "Failure [INSTALL_PARSE_FAILED_NOT_APK: the farm installs only the AdbKeyboard IME and the TikTok app]"
            )
            return 1
        phone.install_times.setdefault(package, time.strftime("%Y-%m-%d %H:%M:%S"))
        if package == IME_PACKAGE and ADB_KEYBOARD not in phone.input.imes:
            phone.input.imes.append(ADB_KEYBOARD)
        if package == PACKAGE:
            phone.apply_setting("app", "installed")
        ctx.print("Success")
    elif verb == "uninstall" and len(args) > 1:
        if args[-1] == PACKAGE and phone.app_installed:
            phone.apply_setting("app", "missing")
        elif args[-1] == IME_PACKAGE and ADB_KEYBOARD in phone.input.imes:
            await ime(ctx, ["disable", ADB_KEYBOARD])
            phone.input.imes.remove(ADB_KEYBOARD)
        else:
            ctx.print("Failure [DELETE_FAILED_INTERNAL_ERROR]")
            return 1
        phone.install_times.pop(args[-1], None)
        ctx.print("Success")
    elif verb == "clear" and len(args) > 1:
        if args[-1] not in installed:
            ctx.print("Failed")
            return 1
        phone.stop_app(args[-1])
        ctx.print("Success")
    elif verb == "grant":
        return 0
    else:
        ctx.error("usage: pm list packages | path | dump | install | uninstall | clear | grant")
        return 1
    return 0


async def wm(ctx: Context, args: list[str]) -> int:
    """wm size | density | dismiss-keyguard."""
    m = ctx.phone.model
    if args[:1] == ["size"]:
        ctx.print(f"Physical size: {m.width}x{m.height}")
    elif args[:1] == ["density"]:
        ctx.print(f"Physical density: {m.density}")
    elif args[:1] == ["dismiss-keyguard"]:
        ctx.phone.unlock()
    else:
        ctx.error("usage: wm size|density|dismiss-keyguard")
        return 1
    return 0


async def uiautomator(ctx: Context, args: list[str]) -> int:
    """uiautomator dump [FILE]."""
    if args[:1] != ["dump"]:
        ctx.error("Usage: uiautomator dump [--compressed] [FILE]")
        return 1
    target = ctx.path(next((a for a in args[1:] if not a.startswith("--")), "/sdcard/window_dump.xml"))
    ctx.phone.fs.write(target, ctx.phone.snapshot().xml().encode())
    ctx.print(f"UI hierchary dumped to: {target}")
    return 0


async def screencap(ctx: Context, args: list[str]) -> int:
    """screencap [-p] [FILE]: PNG bytes."""
    data = await anyio.to_thread.run_sync(screenshot.png_bytes, ctx.phone.snapshot(), ctx.phone.display_on)
    files = [a for a in args if not a.startswith("-")]
    if files:
        ctx.phone.fs.write(ctx.path(files[0]), data)
    else:
        ctx.out(data)
    return 0


async def app_process(ctx: Context, args: list[str]) -> int:
    """CLASSPATH=/data/local/tmp/u2.jar app_process / com.wetest.uia2.Main: the server runs while the stream is held."""
    phone, jar = ctx.phone, ctx.env.get("CLASSPATH", "")
    if U2_MAIN not in args or not jar or not phone.file_exists(ctx.path(jar)):
        ctx.error(f"Error: Could not find or load main class {args[-1] if args else ''}")
        return 1
    if phone.u2.up:
        ctx.print(
            "java.lang.IllegalStateException: UiAutomationService android.accessibilityservice."
            "IAccessibilityServiceClient$Stub$Proxy@5deffd5already registered!"
        )
        return 1
    phone.u2.up, phone.u2.stream, phone.u2.pid = True, ctx.session.stream, ctx.session.pid
    phone.u2.launches += 1
    ctx.print("[server] INFO: [UiAutomator2Server] Starting Server")
    try:
        await ctx.session.wait_closed()
    finally:
        if phone.u2.stream is ctx.session.stream:
            phone.u2.up, phone.u2.stream = False, None
    return 0


async def toybox(ctx: Context, args: list[str]) -> int:
    """toybox COMMAND ...: the toybox applets."""
    command = POSIX_COMMANDS.get(args[0]) if args else None
    if command is None:
        ctx.error(f"toybox: Unknown command {args[0] if args else ''}")
        return 1
    ctx.args = args
    return await command(ctx, args[1:])


ANDROID_COMMANDS: dict[str, Command] = {
    "getprop": getprop,
    "settings": settings,
    "ime": ime,
    "input": input_,
    "am": am,
    "monkey": monkey,
    "pm": pm,
    "wm": wm,
    "uiautomator": uiautomator,
    "screencap": screencap,
    "app_process": app_process,
    "toybox": toybox,
}
