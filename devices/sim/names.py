"""Realistic, seed-stable identities: phone models and serials, account usernames."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PhoneModel:
    """What `getprop` and `adb devices -l` tell about a phone."""

    brand: str
    manufacturer: str
    model: str
    product: str
    device: str
    width: int
    height: int
    density: int
    sdk: int
    release: str
    serial_style: str


MODELS = (
    PhoneModel("samsung", "samsung", "SM-A515F", "a51nsxx", "a51", 1080, 2400, 420, 31, "12", "samsung"),
    PhoneModel("samsung", "samsung", "SM-G991B", "o1sxxx", "o1s", 1080, 2400, 420, 33, "13", "samsung"),
    PhoneModel("google", "Google", "Pixel 6", "oriole", "oriole", 1080, 2400, 420, 34, "14", "pixel"),
    PhoneModel("google", "Google", "Pixel 4a", "sunfish", "sunfish", 1080, 2340, 440, 33, "13", "pixel"),
    PhoneModel("Redmi", "Xiaomi", "Redmi Note 10", "mojito_global", "mojito", 1080, 2400, 440, 31, "12", "xiaomi"),
    PhoneModel("Redmi", "Xiaomi", "Redmi 9A", "dandelion_global", "dandelion", 720, 1600, 320, 30, "11", "xiaomi"),
)

FIRST_NAMES = (
    "lena",
    "marco",
    "aisha",
    "tom",
    "sofia",
    "lucas",
    "maya",
    "noah",
    "emma",
    "leo",
    "chloe",
    "omar",
    "julia",
    "ethan",
    "zoe",
    "hugo",
    "nina",
    "diego",
    "ava",
    "felix",
    "iris",
    "mateo",
    "lily",
    "jonas",
    "sara",
    "adam",
    "elena",
    "ryan",
    "mila",
    "kai",
    "hana",
    "victor",
    "rosa",
    "samir",
    "clara",
    "ben",
    "yara",
    "oscar",
    "alice",
    "liam",
    "nora",
    "tariq",
    "ines",
    "paul",
    "amara",
    "erik",
    "luna",
    "theo",
)
LAST_NAMES = (
    "morris",
    "rossi",
    "khan",
    "baker",
    "garcia",
    "silva",
    "chen",
    "walker",
    "martin",
    "dubois",
    "novak",
    "haddad",
    "schmidt",
    "lopez",
    "kim",
    "petrov",
    "moreau",
    "jensen",
    "santos",
    "nguyen",
    "fischer",
    "ward",
    "costa",
    "ali",
    "brooks",
    "meyer",
    "perez",
    "olsen",
    "bianchi",
    "tanaka",
    "reed",
    "lambert",
)


def _serial(rng: random.Random, style: str) -> str:
    if style == "samsung":
        return (
            "R"
            + rng.choice("35FC")
            + str(rng.randint(1, 9))
            + rng.choice("MNRT")
            + "".join(rng.choice(string.digits + string.ascii_uppercase) for _ in range(7))
        )
    if style == "pixel":
        return str(rng.randint(1, 3)) + "".join(rng.choice("0123456789ABCDEF") for _ in range(13))
    return "".join(rng.choice("0123456789abcdef") for _ in range(8))


def phone_identities(seed: int, count: int) -> list[tuple[str, PhoneModel]]:
    """(serial, model) for phones 0..count-1; phone i is the same whatever the count."""
    result: list[tuple[str, PhoneModel]] = []
    seen: set[str] = set()
    for index in range(count):
        rng = random.Random(f"droidledger-sim:{seed}:phone:{index}")
        model = rng.choice(MODELS)
        serial = _serial(rng, model.serial_style)
        while serial in seen:
            serial = _serial(rng, model.serial_style)
        seen.add(serial)
        result.append((serial, model))
    return result


def _username(rng: random.Random) -> str:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    pattern = rng.randrange(5)
    if pattern == 0:
        return f"{first}.{last}{rng.randint(1, 99)}"
    if pattern == 1:
        return f"{first}_{last}"
    if pattern == 2:
        return f"{first}{last}{rng.randint(10, 999)}"
    if pattern == 3:
        return f"{first}.{last[0]}{rng.randint(1, 9)}{rng.randint(0, 9)}"
    return f"{last}.{first}{rng.randint(1, 99)}"


def account_usernames(
    seed: int, phones: int, per_phone: int, app: str = "tiktok", taken: frozenset[str] = frozenset()
) -> list[list[str]]:
    """Usernames for each phone in one app, unique across the farm and apart from `taken` (the other app's);
    phone i's are the same whatever the count."""
    rng = random.Random(f"droidledger-sim:{seed}:accounts" + ("" if app == "tiktok" else f":{app}"))
    seen: set[str] = set(taken)
    result: list[list[str]] = []
    for _ in range(phones):
        names: list[str] = []
        while len(names) < per_phone:
            name = _username(rng)
            if name not in seen:
                seen.add(name)
                names.append(name)
        result.append(names)
    return result
