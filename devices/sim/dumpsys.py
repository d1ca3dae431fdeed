"""`dumpsys` as drivers read it: focus, activities, display, power and lock state, packages, battery, input method."""

from __future__ import annotations

import zlib

from devices.sim import packages
from devices.sim.phone import Phone
from devices.sim.shell import Command, Context
from devices.sim.system_ui import LAUNCHER_PID


def _hex(phone: Phone, salt: str) -> str:
    return f"{zlib.crc32(f'{phone.serial}:{salt}'.encode()) & 0xFFFFFFF:07x}"


def _window(phone: Phone) -> str:
    package, activity = phone.front_component()
    locked = phone.locked or not phone.display_on
    focus = "NotificationShade" if locked else f"{package}/{activity}"
    flag = "true" if locked else "false"
    return "\n".join(
        [
            "WINDOW MANAGER WINDOWS (dumpsys window windows)",
            f"  Window #0 Window{{{_hex(phone, 'w')} u0 {package}/{activity}}}:",
            f"    mDisplayId=0 rootTaskId=12 mSession=Session{{{_hex(phone, 's')} 4321:u0a10120}} mClient=android.os.BinderProxy",
            f"  mCurrentFocus=Window{{{_hex(phone, 'f')} u0 {focus}}}",
            f"  mFocusedApp=ActivityRecord{{{_hex(phone, 'a')} u0 {package}/{activity} t12}}",
            "WINDOW MANAGER POLICY STATE (dumpsys window policy)",
            f"    mShowingLockscreen={flag} mShowingDream=false mDreamingLockscreen={flag}",
            f"    isStatusBarKeyguard={flag}",
            "    KeyguardServiceDelegate",
            f"      showing={flag}",
            f"      screenState={'SCREEN_STATE_ON' if phone.display_on else 'SCREEN_STATE_OFF'}",
        ]
    )


def _activity(phone: Phone, args: list[str]) -> str:
    package, activity = phone.front_component()
    if args and args[0] == "top":
        pid = phone.app_pid(package) or LAUNCHER_PID
        return f"TASK 12 id=12\n  ACTIVITY {package}/{activity} {_hex(phone, 'a')} pid={pid}\n"
    return "\n".join(
        [
            "ACTIVITY MANAGER ACTIVITIES (dumpsys activity activities)",
            "Display #0 (activities from top to bottom):",
            f"  * Task{{{_hex(phone, 't')} #12 type=standard A=10120:{package}}}",
            f"    mResumedActivity: ActivityRecord{{{_hex(phone, 'a')} u0 {package}/{activity} t12}}",
        ]
    )


def _display(phone: Phone) -> str:
    w, h = phone.model.width, phone.model.height
    return (
        f"DISPLAY MANAGER (dumpsys display)\n  mViewports=[DisplayViewport{{type=INTERNAL, valid=true, isActive=true, "
        f"displayId=0, uniqueId='local:0', physicalPort=0, orientation=0, logicalFrame=Rect(0, 0 - {w}, {h}), "
        f"physicalFrame=Rect(0, 0 - {w}, {h}), deviceWidth={w}, deviceHeight={h}}}]\n"
        f"  mDefaultViewport=DisplayViewport{{orientation=0}}\n  Display Power: state={'ON' if phone.display_on else 'OFF'}"
    )


def _power(phone: Phone) -> str:
    on = phone.display_on
    return "\n".join(
        [
            "POWER MANAGER (dumpsys power)",
            "Power Manager State:",
            f"  mWakefulness={'Awake' if on else 'Asleep'}",
            "  mWakefulnessChanging=false",
            "  mIsPowered=true",
            f"  mHoldingWakeLockSuspendBlocker={'true' if on else 'false'}",
            f"  mHoldingDisplaySuspendBlocker={'true' if on else 'false'}",
            f"Display Power: state={'ON' if on else 'OFF'}",
        ]
    )


def package_dump(phone: Phone, name: str) -> str | None:
    """`dumpsys package NAME` (and `pm dump NAME`); None when it is not installed."""
    package = packages.installed(phone).get(name)
    if package is None:
        return None
    resolver = (
        [
            "Activity Resolver Table:",
            "  Non-Data Actions:",
            "      android.intent.action.MAIN:",
            f"        {_hex(phone, 'r' + name)} {name}/{package.launcher_activity} filter {_hex(phone, 'x' + name)}",
            '          Action: "android.intent.action.MAIN"',
            '          Category: "android.intent.category.LAUNCHER"',
            "",
        ]
        if package.launcher_activity
        else []
    )
    flags = ("SYSTEM " if package.system else "") + "HAS_CODE ALLOW_CLEAR_USER_DATA ALLOW_BACKUP"
    return "\n".join(
        [
            *resolver,
            "Packages:",
            f"  Package [{name}] ({_hex(phone, name)}):",
            f"    userId={package.uid}",
            f"    pkg=Package{{{_hex(phone, 'p' + name)} {name}}}",
            f"    codePath={package.code_path}",
            f"    resourcePath={package.code_path}",
            "    primaryCpuAbi=arm64-v8a",
            f"    versionCode={package.version_code} minSdk=21 targetSdk={phone.model.sdk}",
            f"    versionName={package.version_name}",
            f"    flags=[ {flags} ]",
            f"    pkgFlags=[ {flags} ]",
            f"    timeStamp={package.last_update}",
            f"    firstInstallTime={package.first_install}",
            f"    lastUpdateTime={package.last_update}",
            f"    installerPackageName={'null' if package.system else 'com.android.vending'}",
            f"    signatures=PackageSignatures{{{_hex(phone, 'g' + name)} version:3, signatures:[{_hex(phone, 'h' + name)}], past signatures:[]}}",
        ]
    )


_BATTERY = (
    "Current Battery Service state:\n  AC powered: false\n  USB powered: true\n  Wireless powered: false\n"
    "  Max charging current: 500000\n  Max charging voltage: 5000000\n  Charge counter: 3521000\n  status: 2\n"
    "  health: 2\n  present: true\n  level: 87\n  scale: 100\n  voltage: 4213\n  temperature: 281\n  technology: Li-ion"
)


async def dumpsys(ctx: Context, args: list[str]) -> int:
    """dumpsys window|activity|display|power|package|battery|input_method."""
    phone, service = ctx.phone, args[0] if args else ""
    if service == "window":
        ctx.print(_window(phone))
    elif service == "activity":
        ctx.print(_activity(phone, args[1:]))
    elif service == "display":
        ctx.print(_display(phone))
    elif service == "power":
        ctx.print(_power(phone))
    elif service == "package" and len(args) > 1:
        ctx.print(package_dump(phone, args[1]) or f"Unable to find package: {args[1]}")
    elif service == "battery":
        ctx.print(_BATTERY)
    elif service == "input_method":
        ctx.print(f"  mCurMethodId={phone.settings['secure'].get('default_input_method')}\n  mInputShown=false")
    else:
        ctx.print(f"Can't find service: {service}")
    return 0


DUMPSYS_COMMANDS: dict[str, Command] = {"dumpsys": dumpsys}
