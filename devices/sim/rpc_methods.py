"""The JSON-RPC methods of the uiautomator2 on-device server, over one phone."""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from typing import Any

import anyio

from devices.sim import phone_input, screenshot
from devices.sim.phone import Phone
from devices.sim.selector import describe, find

OBJECT_NOT_FOUND = -32002
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
_POLL_S = 0.1


class RpcError(Exception):
    """A JSON-RPC error reply; uiautomator2 classifies it by the text of `message`."""

    def __init__(self, code: int, message: str, data: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.data = code, message, data


def _first(phone: Phone, selector: dict[str, Any]) -> int:
    found = find(phone.snapshot(), selector)
    if not found:
        raise RpcError(OBJECT_NOT_FOUND, f"uiautomator.UiObjectNotFoundException: {describe(selector)}")
    return found[0]


async def _wait(phone: Phone, selector: dict[str, Any], timeout_ms: float, present: bool) -> bool:
    deadline = time.monotonic() + max(float(timeout_ms), 0.0) / 1000
    while True:
        if bool(find(phone.snapshot(), selector)) == present:
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        await phone.wait_change(min(remaining, _POLL_S))


async def wait_for_exists(phone: Phone, selector: dict[str, Any], timeout_ms: float = 0) -> bool:
    """waitForExists: true as soon as the selector matches, false after the timeout."""
    return await _wait(phone, selector, timeout_ms, True)


async def wait_until_gone(phone: Phone, selector: dict[str, Any], timeout_ms: float = 0) -> bool:
    """waitUntilGone: true as soon as nothing matches, false after the timeout."""
    return await _wait(phone, selector, timeout_ms, False)


def device_info(phone: Phone) -> dict[str, Any]:
    """deviceInfo."""
    m = phone.model
    return {
        "currentPackageName": phone.current_package(),
        "displayWidth": m.width,
        "displayHeight": m.height,
        "displayRotation": 0,
        "displaySizeDpX": round(m.width * 160 / m.density),
        "displaySizeDpY": round(m.height * 160 / m.density),
        "productName": m.product,
        "naturalOrientation": True,
        "screenOn": phone.display_on,
        "sdkInt": m.sdk,
    }


def dump_window_hierarchy(phone: Phone, compressed: bool = False, max_depth: int | None = 50, *_: Any) -> str:
    """dumpWindowHierarchy: the XML (never an empty hierarchy)."""
    return phone.snapshot().xml(int(max_depth or 50))


def obj_info(phone: Phone, selector: dict[str, Any]) -> dict[str, Any]:
    """objInfo of the first match."""
    return phone.snapshot().info(_first(phone, selector))


def obj_info_all(phone: Phone, selector: dict[str, Any]) -> list[dict[str, Any]]:
    """objInfoOfAllInstances."""
    snapshot = phone.snapshot()
    return [snapshot.info(p) for p in find(snapshot, selector)]


def count(phone: Phone, selector: dict[str, Any]) -> int:
    """count: matches, whatever the instance."""
    return len(find(phone.snapshot(), {k: v for k, v in selector.items() if k != "instance"}))


def get_text(phone: Phone, selector: dict[str, Any]) -> str:
    """getText (an empty field reads its hint, as on Android)."""
    return phone.snapshot().nodes[_first(phone, selector)].text


def set_text(phone: Phone, selector: dict[str, Any], text: str | None = "") -> bool:
    """setText: only editable fields accept it."""
    node = phone.snapshot().nodes[_first(phone, selector)]
    if node.field is None:
        return False
    phone_input.set_field_text(phone, node.field, text or "")
    return True


async def click(phone: Phone, x: float, y: float, duration_ms: float = 0) -> bool:
    """click at a point; with a duration, a long click held that long (which the app treats as a tap)."""
    await phone_input.hold(phone, float(duration_ms) / 1000)
    phone_input.tap(phone, float(x), float(y))
    return True


async def swipe(phone: Phone, fx: float, fy: float, tx: float, ty: float, steps: int = 55) -> bool:
    """swipe: `steps` moves 5 ms apart, then the finger lifts."""
    await phone_input.hold(phone, int(steps) * phone_input.STEP_S)
    phone_input.swipe(phone, float(fx), float(fy), float(tx), float(ty))
    return True


def _drag_s(steps: int) -> float:
    return phone_input.LONG_PRESS_S + int(steps) * phone_input.STEP_S + phone_input.DRAG_RELEASE_S


async def drag(phone: Phone, fx: float, fy: float, tx: float, ty: float, steps: int = 55) -> bool:
    """drag: a long press, the moves, a pause, then the finger lifts."""
    await phone_input.hold(phone, _drag_s(steps))
    phone_input.swipe(phone, float(fx), float(fy), float(tx), float(ty))
    return True


async def drag_to(phone: Phone, selector: dict[str, Any], x: Any, y: Any = None, steps: int | None = None) -> bool:
    """dragTo: from the centre of an element to a point or to the centre of another element."""
    snapshot = phone.snapshot()
    left, top, right, bottom = snapshot.rects[_first(phone, selector)]
    if isinstance(x, dict):  # dragTo(selector, other selector, steps)
        steps = y
        tl, tt, tr, tb = snapshot.rects[_first(phone, x)]
        x, y = (tl + tr) / 2, (tt + tb) / 2
    await phone_input.hold(phone, _drag_s(steps if steps is not None else 55))
    phone_input.swipe(phone, (left + right) / 2, (top + bottom) / 2, float(x), float(y))
    return True


async def swipe_points(phone: Phone, points: list[float], steps: int = 55) -> bool:
    """swipePoints: through each point in turn, `steps` moves 5 ms apart per segment; acts from the first to the last."""
    if len(points) < 4:
        raise RpcError(INVALID_PARAMS, "java.lang.IllegalArgumentException: at least two points are needed")
    await phone_input.hold(phone, (len(points) // 2 - 1) * int(steps) * phone_input.STEP_S)
    phone_input.swipe(phone, points[0], points[1], points[-2], points[-1])
    return True


def press_key(phone: Phone, key: str, *_: Any) -> bool:
    """pressKey by name: false for an unknown name."""
    code = phone_input.key_code(key)
    if code is None:
        return False
    phone_input.press_key(phone, code)
    return True


def press_key_code(phone: Phone, code: int, meta: int = 0) -> bool:
    """pressKeyCode."""
    phone_input.press_key(phone, int(code))
    return True


def inject_input_event(phone: Phone, action: int, x: float, y: float, meta: int = 0) -> bool:
    """Raw touch events: a down then an up at about the same place is a tap, elsewhere a swipe."""
    if action == 0:
        phone.touch_down = (float(x), float(y))
    elif action == 1 and phone.touch_down is not None:
        (fx, fy), phone.touch_down = phone.touch_down, None
        if abs(fx - x) < 20 and abs(fy - y) < 20:
            phone_input.tap(phone, fx, fy)
        else:
            phone_input.swipe(phone, fx, fy, float(x), float(y))
    return True


def set_clipboard(phone: Phone, label: str | None, text: str) -> None:
    """setClipboard."""
    phone.input.clipboard = text


def paste_clipboard(phone: Phone) -> None:
    """pasteClipboard into the focused field."""
    phone_input.type_text(phone, phone.input.clipboard)


def clear_input_text(phone: Phone) -> None:
    """clearInputText: empty the focused field."""
    app = phone_input.front_app(phone)
    if app is not None and app.edit(lambda _: ""):
        phone.touch()


async def take_screenshot(phone: Phone, scale: float = 1.0, quality: int = 80) -> str:
    """takeScreenshot: a base64 JPEG (drawn in a worker thread: it takes tens of milliseconds)."""
    return await anyio.to_thread.run_sync(
        screenshot.jpeg_base64, phone.snapshot(), phone.display_on, float(scale), int(quality)
    )


def make_toast(phone: Phone, text: str, duration_ms: float = 1000) -> bool:
    """makeToast: getLastToast reads it back."""
    phone.app.last_toast = text
    return True


def _clear_toast(phone: Phone) -> None:
    phone.app.last_toast = None


METHODS: dict[str, Callable[..., Any]] = {
    "deviceInfo": device_info,
    "dumpWindowHierarchy": dump_window_hierarchy,
    "waitForExists": wait_for_exists,
    "waitUntilGone": wait_until_gone,
    "exist": lambda p, s: bool(find(p.snapshot(), s)),
    "objInfo": obj_info,
    "objInfoOfAllInstances": obj_info_all,
    "count": count,
    "getText": get_text,
    "setText": set_text,
    "clearTextField": lambda p, s: set_text(p, s, "") and None,
    "click": click,
    "swipe": swipe,
    "drag": drag,
    "dragTo": drag_to,
    "swipePoints": swipe_points,
    "pressKey": press_key,
    "pressKeyCode": press_key_code,
    "injectInputEvent": inject_input_event,
    "setClipboard": set_clipboard,
    "getClipboard": lambda p: p.input.clipboard,
    "pasteClipboard": paste_clipboard,
    "clearInputText": clear_input_text,
    "takeScreenshot": take_screenshot,
    "wakeUp": lambda p: p.wake(),
    "sleep": lambda p: p.sleep(),
    "setOrientation": lambda p, value: None,
    "freezeRotation": lambda p, freeze=True: None,
    "openNotification": lambda p: True,
    "openQuickSettings": lambda p: True,
    "getLastToast": lambda p, *_: p.app.last_toast,
    "clearLastToast": _clear_toast,
    "makeToast": make_toast,
    "getLastTraversedText": lambda p: None,
    "clearLastTraversedText": lambda p: None,
}
_ASYNC = {name for name, fn in METHODS.items() if inspect.iscoroutinefunction(fn)}


async def call(phone: Phone, method: str, params: Any) -> Any:
    """Run one method; raises RpcError for the error replies."""
    handler = METHODS.get(method)
    if handler is None:
        raise RpcError(METHOD_NOT_FOUND, f"java.lang.NoSuchMethodException: {method}")
    args = params if isinstance(params, list) else []
    try:
        result = handler(phone, *args)
        return await result if method in _ASYNC else result
    except (TypeError, ValueError, KeyError, IndexError) as exc:
        raise RpcError(INVALID_PARAMS, f"java.lang.IllegalArgumentException: {method}: {exc}") from exc
