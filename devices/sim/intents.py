"""`am`: activities started by intent (VIEW URLs, SEND from the gallery, MAIN), force-stop, and broadcasts
(the AdbKeyboard IME, the media scanner)."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote, urlparse

from devices.sim.app.instagram.parts import PACKAGE as INSTAGRAM_PACKAGE
from devices.sim.app.instagram.parts import is_instagram_link
from devices.sim.app.links import is_tiktok_link
from devices.sim.app.ui import PACKAGE
from devices.sim.chrome import CHROME_PACKAGE, is_web_address
from devices.sim.phone import ADB_KEYBOARD, Phone
from devices.sim.phone_input import front_app
from devices.sim.shell import Context
from devices.sim.system_ui import LAUNCHER_PACKAGE

_ONE_ARG = {
    "-a": "action",
    "-d": "data",
    "-t": "type",
    "-n": "component",
    "-p": "package",
    "-f": "flags",
    "--user": "user",
}
_EXTRAS = ("--es", "--ei", "--el", "--ez", "--ef", "--eu", "--ecn")
_ARRAY_EXTRAS = ("--esa", "--eia", "--ela", "--eua", "--efa")
_SUBMIT_CODES = {2, 3, 4, 6}
MEDIA_SCAN_ACTIONS = ("android.intent.action.MEDIA_SCANNER_SCAN_FILE", "android.intent.action.MEDIA_MOUNTED")


def parse_intent(args: list[str]) -> dict:
    """The intent an `am start`/`am broadcast` command line describes."""
    intent: dict = {"extras": {}, "categories": [], "options": set()}
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in _ONE_ARG and i + 1 < len(args):
            intent[_ONE_ARG[arg]] = args[i + 1]
            i += 2
        elif arg == "-c" and i + 1 < len(args):
            intent["categories"].append(args[i + 1])
            i += 2
        elif arg in _EXTRAS and i + 2 < len(args):
            intent["extras"][args[i + 1]] = args[i + 2]
            i += 3
        elif arg in _ARRAY_EXTRAS and i + 2 < len(args):
            intent["extras"][args[i + 1]] = args[i + 2].split(",")
            i += 3
        elif arg == "--esn" and i + 1 < len(args):
            intent["extras"][args[i + 1]] = None
            i += 2
        elif arg.startswith("-"):
            intent["options"].add(arg)
            i += 1
        else:
            intent.setdefault("data", arg)
            i += 1
    return intent


def _describe(intent: dict) -> str:
    parts = [f"act={intent['action']}"] if intent.get("action") else []
    parts += [f"cat=[{','.join(intent['categories'])}]"] if intent["categories"] else []
    parts += [f"dat={intent['data']}"] if intent.get("data") else []
    parts += [f"typ={intent['type']}"] if intent.get("type") else []
    parts += [f"cmp={intent['component']}"] if intent.get("component") else []
    return "Intent { " + " ".join(parts + (["(has extras)"] if intent["extras"] else [])) + " }"


def _file_path(uri: str) -> str:
    parsed = urlparse(uri)
    return unquote(parsed.path) if parsed.scheme in ("file", "") else uri


def _viewer(phone: Phone, target: str | None, url: str) -> str | None:
    """The app a VIEW intent opens: TikTok or Instagram for its own links when installed (their verified app links),
    else Chrome for any web address; the target package, if given, must be that app."""
    if target in (None, PACKAGE) and phone.installed(PACKAGE) and is_tiktok_link(url):
        return PACKAGE
    if target in (None, INSTAGRAM_PACKAGE) and phone.installed(INSTAGRAM_PACKAGE) and is_instagram_link(url):
        return INSTAGRAM_PACKAGE
    if target in (None, CHROME_PACKAGE) and is_web_address(url):
        return CHROME_PACKAGE
    return None


def _start(phone: Phone, intent: dict) -> bool:
    action, data = intent.get("action"), intent.get("data")
    target = (intent.get("component") or "").split("/")[0] or intent.get("package")
    if target == LAUNCHER_PACKAGE:
        phone.go_home()
        return True
    if "-S" in intent["options"] and target:
        phone.stop_app(target)
    if action == "android.intent.action.VIEW" and data:
        viewer = _viewer(phone, target, data)
        if viewer is None or not phone.start_app(viewer):
            return False
        if viewer == CHROME_PACKAGE:
            phone.browser.open(data)
        elif viewer == INSTAGRAM_PACKAGE:
            phone.instagram.open_url(data)
        else:
            phone.app.open_url(data)
    elif action in ("android.intent.action.SEND", "android.intent.action.SEND_MULTIPLE"):
        if target not in (None, PACKAGE) or not phone.start_app(PACKAGE):
            return False
        streams = intent["extras"].get("android.intent.extra.STREAM") or []
        phone.app.open_shared_media([_file_path(u) for u in ([streams] if isinstance(streams, str) else streams)])
    elif action in (None, "android.intent.action.MAIN"):
        if not phone.start_app(target or PACKAGE):
            return False
    else:
        return False
    phone.touch()
    return True


def _broadcast(phone: Phone, intent: dict) -> int:
    action, extras, app = intent.get("action"), intent["extras"], front_app(phone)
    keyboard_on = (
        phone.settings["secure"].get("default_input_method") == ADB_KEYBOARD and ADB_KEYBOARD in phone.input.enabled
    )
    if action in MEDIA_SCAN_ACTIONS and intent.get("data"):
        phone.scan_media(_file_path(intent["data"]))
        return 0
    if not (action or "").startswith("ADB_KEYBOARD_") or not keyboard_on:
        return 0
    if app is None:  # the keyboard shows over nothing: no field to type into
        return -1
    if action == "ADB_KEYBOARD_INPUT_TEXT":
        try:
            text = base64.b64decode(extras.get("text", "")).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return 0
        app.edit(lambda current: current + text)
    elif action == "ADB_KEYBOARD_CLEAR_TEXT":
        app.edit(lambda _: "")
    elif action == "ADB_KEYBOARD_SMART_ENTER" or (
        action == "ADB_KEYBOARD_EDITOR_CODE"
        and str(extras.get("code", "")).isdigit()
        and int(extras["code"]) in _SUBMIT_CODES
    ):
        app.submit()
    phone.touch()
    return -1


async def am(ctx: Context, args: list[str]) -> int:
    """am start | force-stop | broadcast."""
    phone, verb = ctx.phone, (args[0] if args else "")
    if verb == "force-stop" and len(args) > 1:
        phone.stop_app(args[-1])
        return 0
    intent = parse_intent(args[1:])
    if verb in ("start", "start-activity"):
        ctx.print(f"Starting: {_describe(intent)}")
        if not _start(phone, intent):
            ctx.error(f"Error: Activity not started, unable to resolve {_describe(intent)}")
            return 1
        if "-W" in intent["options"]:
            activity = "/".join(phone.front_component())
            ctx.print(f"Status: ok\nLaunchState: WARM\nActivity: {activity}\nTotalTime: 312\nWaitTime: 318\nComplete")
        return 0
    if verb == "broadcast":
        ctx.print(f"Broadcasting: {_describe(intent)}")
        ctx.print(f"Broadcast completed: result={_broadcast(phone, intent)}")
        return 0
    ctx.error("usage: am [start|force-stop|broadcast] ...")
    return 1
