"""Every view the writer keeps, in the order they are applied."""

from __future__ import annotations

from projections.account_view import AccountView
from projections.actions_view import ActionsView
from projections.agent_view import AgentView
from projections.device_view import DeviceView
from projections.material_view import MaterialView
from projections.projection import Projection
from projections.safety_view import SafetyView
from projections.task_view import TaskView

CHECKPOINT = "views"


def all_views() -> tuple[Projection, ...]:
    """The task, device, account, material-usage, account-safety, account-action and agent views."""
    return (TaskView(), DeviceView(), AccountView(), MaterialView(), SafetyView(), ActionsView(), AgentView())
