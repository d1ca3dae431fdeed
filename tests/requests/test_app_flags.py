"""The serve flags of the second app: `--app` (the default app of a task) and `--sim-accounts` per app."""

from __future__ import annotations

import pytest

from devices.sim.farm import FarmConfig, VirtualFarm, parse_accounts
from service.cli import build_parser, settings_from


def serve(*flags: str):
    return settings_from(build_parser().parse_args(["serve", *flags]))


def test_the_default_app_is_tiktok_unless_told():
    assert serve().default_app == "tiktok"
    assert serve("--app", "instagram").default_app == "instagram"
    with pytest.raises(SystemExit):
        serve("--app", "youtube")


@pytest.mark.parametrize(
    ("given", "counts"),
    [
        ("1", (1, 1)),
        ("3", (3, 3)),
        ("tiktok=2", (2, 1)),
        ("instagram=2", (1, 2)),
        ("tiktok=2,instagram=3", (2, 3)),
        (" instagram=1 , tiktok=4 ", (4, 1)),
    ],
)
def test_sim_accounts_takes_one_number_for_both_apps_or_one_per_app(given, counts):
    assert parse_accounts(given) == counts
    settings = serve("--sim", "1", "--sim-accounts", given)
    assert (settings.sim_accounts, settings.sim_instagram_accounts) == counts


@pytest.mark.parametrize(
    "given", ["", "0", "two", "tiktok", "tiktok=", "youtube=2", "tiktok=-1", "instagram=0", "tiktok=2;instagram=1"]
)
def test_a_bad_sim_accounts_is_refused_saying_the_form(given):
    with pytest.raises(ValueError, match="N or tiktok=N,instagram=M"):
        parse_accounts(given)
    with pytest.raises(SystemExit):
        serve("--sim-accounts", given)


def test_each_phone_gets_its_accounts_in_each_app_unique_across_the_farm_and_the_apps():
    farm = VirtualFarm(FarmConfig(devices=3, accounts_per_device=2, instagram_accounts=1, seed=4))
    tiktok = [[a.username for a in phone.app.accounts] for phone in farm.phones.values()]
    instagram = [[a.username for a in phone.instagram.accounts] for phone in farm.phones.values()]
    assert [len(names) for names in tiktok] == [2, 2, 2] and [len(names) for names in instagram] == [1, 1, 1]
    every = [name for names in tiktok + instagram for name in names]
    assert len(set(every)) == len(every) == 9
    again = VirtualFarm(FarmConfig(devices=3, accounts_per_device=2, seed=4))
    assert [[a.username for a in p.app.accounts] for p in again.phones.values()] == tiktok  # TikTok's unchanged
