"""Roles and the signed-in identity.

What each role may see and do is one table, domain/policy.py; the data layer (store/access.py)
enforces it, never only the UI by hiding things.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class AuthorizationError(PermissionError):
    """The data layer refused a caller (store/access.py raises it and writes an `access.denied`
    audit row). Defined here, with the identity, so that pages and reports can catch it without
    importing the store."""


class Role(StrEnum):
    ADMIN = "admin"  # users and plans
    LEADER = "leader"  # reads everything
    REVIEWER = "reviewer"  # accepts or returns submissions
    PARK_MANAGER = "park_manager"  # their park and its enterprises; city-level aggregates
    ENTERPRISE = "enterprise"  # its own figures only; what each role may do is domain/policy.py


class Identity(BaseModel):
    """The caller of a data-layer function: who they are and what they are scoped to."""

    model_config = ConfigDict(frozen=True)

    username: str
    display_name: str
    role: Role
    scope_org_id: str | None = None  # the park (park manager) or enterprise (enterprise user)


# The command line and start-up jobs act as this identity; their actions are still audited.
SYSTEM = Identity(username="system", display_name="system", role=Role.ADMIN)
