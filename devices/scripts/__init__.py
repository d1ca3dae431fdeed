"""The automation scripts, each a sequence of named steps run on one phone.

`SCRIPTS` maps a script_name of docs/api.md to its Script (`name`, `planned_steps(config)`, `run(ctx)`).
"""

from __future__ import annotations

from devices.scripts.account_warmup import AccountWarmupScript
from devices.scripts.base import Script
from devices.scripts.comment import CommentScript
from devices.scripts.follow import FollowScript
from devices.scripts.match_account import MatchAccountScript
from devices.scripts.post import PostScript

SCRIPTS: dict[str, Script] = {
    "post": PostScript(),
    "follow": FollowScript("follow"),
    "unfollow": FollowScript("unfollow"),
    "account_warmup": AccountWarmupScript(),
    "comment": CommentScript(),
    "match_account": MatchAccountScript(),
}

__all__ = ["SCRIPTS"]
