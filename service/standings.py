"""Accounts' standing read from the views: the limits that apply (their own over the defaults over
the server's zone), what each did in its local day so far, and its rest if it still rests. The
API shows them; a run starts its warm-up allowance from them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo

from projections.actions_view import BUCKET_S, bucket_of
from service.domain.admission import Restriction, Standing, standing
from service.domain.limits import effective
from service.store.interface import EventStore

DAY_SPAN = timedelta(hours=26)  # a local day lies within this of any moment in it, in every zone


async def read_standings(
    store: EventStore, accounts: Sequence[tuple[str, str]], now: datetime, server_zone: tzinfo
) -> dict[str, Standing]:
    """The standing of each (key, username) at `now`, by key."""
    keys = [key for key, _ in accounts]
    if not keys:
        return {}
    views = store.views
    defaults = await views.default_limits()
    own = await views.account_limits(keys)
    rests = await views.restrictions(keys)
    buckets: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
    for count in await views.action_counts(keys, bucket_of(now - DAY_SPAN), bucket_of(now + DAY_SPAN) + BUCKET_S):
        buckets[count.key].append((count.bucket, count.action, count.n))
    restrictions = {key: Restriction(rest.reason, datetime.fromisoformat(rest.until)) for key, rest in rests.items()}
    return {
        key: standing(
            key, username, effective(own.get(key), defaults, server_zone), buckets[key], restrictions.get(key), now
        )
        for key, username in accounts
    }
