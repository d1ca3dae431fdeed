"""Touches, swipes, keys and text reaching a phone: what each does to the lock screen, the launcher and the app."""

from __future__ import annotations

import asyncio

from devices.sim.app_process import AppProcess
from devices.sim.phone import Phone

SEEK_BAR = "android.widget.SeekBar"

KEYCODES = {
    "home": 3,
    "back": 4,
    "call": 5,
    "endcall": 6,
    "dpad_up": 19,
    "dpad_down": 20,
    "dpad_left": 21,
    "dpad_right": 22,
    "dpad_center": 23,
    "volume_up": 24,
    "volume_down": 25,
    "power": 26,
    "camera": 27,
    "tab": 61,
    "space": 62,
    "enter": 66,
    "del": 67,
    "menu": 82,
    "search": 84,
    "volume_mute": 164,
    "app_switch": 187,
    "sleep": 223,
    "wakeup": 224,
    "up": 19,
    "down": 20,
    "left": 21,
    "right": 22,
    "center": 23,
    "delete": 67,
    "recent": 187,
}
HOME, BACK, POWER, ENTER, DEL, MENU, SLEEP, WAKEUP = 3, 4, 26, 66, 67, 82, 223, 224

# How long gestures last on a phone. uiautomator moves a swipe in steps 5 ms apart; a drag first holds still for
# the long-press timeout and, once moved, 100 ms more before it lifts; `input swipe` lasts 300 ms unless told.
STEP_S = 0.005
LONG_PRESS_S = 0.5
DRAG_RELEASE_S = 0.1
INPUT_SWIPE_S = 0.3


async def hold(phone: Phone, seconds: float) -> None:
    """The time a gesture takes on the phone (multiplied by the farm's time scale); its effect comes after it."""
    if seconds > 0:
        await asyncio.sleep(seconds * phone.time_scale)


def key_code(key: str | int) -> int | None:
    """A key code from a number or a name (`back`, `KEYCODE_BACK`, `4`)."""
    if isinstance(key, int):
        return key
    name = key.strip().lower()
    if name.startswith("keycode_"):
        name = name[len("keycode_") :]
    if name.isdigit():
        return int(name)
    return KEYCODES.get(name)


def front_app(phone: Phone) -> AppProcess | None:
    """The app input goes to: the one in front, when the screen is on and unlocked."""
    return phone.front() if phone.seen() else None


def press_key(phone: Phone, code: int) -> None:
    """A key press."""
    if code == POWER:
        phone.sleep() if phone.display_on else phone.wake()
        return
    if code == WAKEUP:
        phone.wake()
        return
    if code == SLEEP:
        phone.sleep()
        return
    if not phone.display_on:
        return
    if phone.locked:
        if code == MENU:
            phone.unlock()
        return
    if code == HOME:
        phone.go_home()
        return
    app = front_app(phone)
    if app is None:
        return
    app.before_input()
    if code == BACK and not app.back():
        phone.leave_app()
    elif code == ENTER:
        app.submit()
    elif code == DEL:
        app.edit(lambda text: text[:-1])
    app.sync_view()
    phone.touch()


def tap(phone: Phone, x: float, y: float) -> None:
    """A tap at screen pixels (x, y)."""
    if not phone.display_on or phone.locked:
        return
    snapshot = phone.snapshot()
    position = snapshot.hit(x, y)
    app = front_app(phone)
    if app is not None:
        app.before_input()
    if position is not None:
        node = snapshot.nodes[position]
        if node.enabled and node.field is not None and app is not None:
            app.focus_field(node.field)
        elif node.enabled and node.action is not None:
            if node.cls == SEEK_BAR:
                left, _, right, _ = snapshot.rects[position]
                node.action((x - left) / max(right - left, 1))
            else:
                node.action()
    if app is not None:
        app.sync_view()
    phone.touch()


def swipe(phone: Phone, fx: float, fy: float, tx: float, ty: float) -> None:
    """A swipe (or drag) from one point to another."""
    if not phone.display_on:
        return
    height, width = phone.model.height, phone.model.width
    dx, dy = tx - fx, ty - fy
    if phone.locked:
        if dy < -0.15 * height:
            phone.unlock()
        return
    snapshot = phone.snapshot()
    position = snapshot.hit(fx, fy)
    if position is not None and snapshot.nodes[position].cls == SEEK_BAR and snapshot.nodes[position].enabled:
        left, _, right, _ = snapshot.rects[position]
        snapshot.nodes[position].action(min(max((tx - left) / max(right - left, 1), 0.0), 1.0))
        phone.touch()
        return
    app = front_app(phone)
    if app is None:
        return
    app.before_input()
    if abs(dy) >= abs(dx) and abs(dy) > 0.1 * height:
        app.swipe("up" if dy < 0 else "down")
    elif abs(dx) > 0.1 * width:
        app.swipe("left" if dx < 0 else "right")
    phone.touch()


def type_text(phone: Phone, text: str) -> bool:
    """Text from the keyboard into the focused field; False when no field has focus."""
    app = front_app(phone)
    if app is None:
        return False
    typed = app.edit(lambda current: current + text)
    phone.touch()
    return typed


def set_field_text(phone: Phone, field: str, text: str) -> None:
    """UiObject.setText on a field: replace its text and focus it."""
    app = front_app(phone)
    if app is not None:
        app.set_field(field, text)
        phone.touch()
