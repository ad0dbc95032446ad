"""Roles and the signed-in identity.

Who may see what is decided in the data layer (store/access.py) from these values, never only by
hiding things in the UI.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Role(StrEnum):
    ADMIN = "admin"  # users and plans
    LEADER = "leader"  # reads everything
    REVIEWER = "reviewer"  # accepts or returns submissions
    PARK_MANAGER = "park_manager"  # their park and its enterprises; city-level aggregates
    ENTERPRISE = "enterprise"  # its own figures only

    @property
    def needs_scope(self) -> bool:
        return self in (Role.PARK_MANAGER, Role.ENTERPRISE)

    @property
    def reads_everything(self) -> bool:
        return self in (Role.ADMIN, Role.LEADER, Role.REVIEWER)


class Identity(BaseModel):
    """The caller of a data-layer function: who they are and what they are scoped to."""

    model_config = ConfigDict(frozen=True)

    username: str
    display_name: str
    role: Role
    scope_org_id: str | None = None  # the park (park manager) or enterprise (enterprise user)


# The command line and start-up jobs act as this identity; their actions are still audited.
SYSTEM = Identity(username="system", display_name="system", role=Role.ADMIN)
