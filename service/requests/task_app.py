"""Which app each task of a create request runs on (docs/instagram.md, "Which app a task runs on").

In order: the app the script_config names (`script_config.app`, ours; or an option only Instagram
has, its `placement`); else a comment's post URL (instagram.com or tiktok.com); else, when the task
targets an account (`usernames`), the app that account lives in (the registry keeps its package);
else the server's default (`serve --app`, tiktok unless told). A task whose account lives in
another app than its config or its URL names is refused (40001 naming the username), as is a
multi-account request whose URLs mix the two apps.
"""

from __future__ import annotations

from collections.abc import Mapping

from service.domain.account import account_key
from service.domain.apps import NAMES, WITH_ARTICLE
from service.errors import invalid
from service.requests.create_task import CreateTaskRequest
from service.requests.post_urls import app_of_url
from service.requests.values import show


def named_app(request: CreateTaskRequest, target: str | None) -> tuple[str, str] | None:
    """(app, why) when the request itself names the task's app: its config, else a comment's URL."""
    if request.app is not None:
        return request.app, "script_config names it"
    if request.script_name == "comment" and target:
        app = app_of_url(target)
        return app, f"{show(target)} is {WITH_ARTICLE[app]} post URL"
    return None


def task_app(
    request: CreateTaskRequest,
    target: str | None,
    username: str | None,
    app_of_account: Mapping[str, str | None],
    default_app: str,
    where: str,
) -> str:
    """The app one task runs on; `where` names the username's field for a refusal."""
    named = named_app(request, target)
    account_app = app_of_account.get(account_key(username)) if username and request.usernames is not None else None
    if named is None:
        return account_app or default_app
    app, why = named
    if account_app is not None and account_app != app:
        raise invalid(
            f"{where} {show(username)} is {WITH_ARTICLE[account_app]} account, but the task runs on"
            f" {NAMES[app]} ({why})"
        )
    return app


def multi_account_app(request: CreateTaskRequest, targets: tuple[str, ...], default_app: str) -> str:
    """The one app of an enable_multi_account request: its accounts on each phone are that app's."""
    apps = {named[0] for named in (named_app(request, t) for t in targets or (None,)) if named is not None}
    if len(apps) > 1:
        raise invalid(
            "script_config.target_post_urls mixes TikTok and Instagram posts; with enable_multi_account"
            " give each app's posts in a request of its own"
        )
    return apps.pop() if apps else default_app
