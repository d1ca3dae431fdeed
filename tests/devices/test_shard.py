"""`--shard i/N`: N agents on one adb server split its phones, each phone to exactly one of them."""

import pytest

from devices.agent.shard import EVERY_PHONE, Shard, parse_shard


def test_the_shares_of_n_agents_take_every_phone_exactly_once_and_fairly():
    serials = [f"R58M{n:05d}" for n in range(3000)]
    shares = [parse_shard(f"{i}/3") for i in range(3)]
    takers = [[s for s in shares if s.takes(serial)] for serial in serials]
    assert all(len(t) == 1 for t in takers)
    counts = [sum(1 for t in takers if t[0] is share) for share in shares]
    assert min(counts) > 900, counts  # a stable hash spreads them (1,000 each on average)


def test_a_phone_stays_in_its_share_across_runs():
    assert [parse_shard("1/4").takes(s) for s in ("emulator-5554", "R58M12345", "86da0e01")] == [
        Shard(1, 4).takes(s) for s in ("emulator-5554", "R58M12345", "86da0e01")
    ]
    assert Shard(0, 4).takes("86da0e01") == (__import__("zlib").crc32(b"86da0e01") % 4 == 0)


def test_every_phone_is_one_share_shown_as_nothing():
    assert EVERY_PHONE.takes("anything") and str(EVERY_PHONE) == "" and str(Shard(1, 2)) == "1/2"


@pytest.mark.parametrize(
    "text, problem",
    [
        ("2/2", "i must be 0 to N-1"),
        ("0/0", "i must be 0 to N-1"),
        ("-1/2", "i must be 0 to N-1"),
        ("a/2", "give i/N"),
        ("1", "give i/N"),
    ],
)
def test_a_bad_shard_is_refused_saying_why(text, problem):
    with pytest.raises(ValueError, match=problem):
        parse_shard(text)
