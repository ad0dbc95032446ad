"""The rules of reviewing a submission: what a decision needs, and what a decision on many says.

A submission is returned so that its submitter corrects it, and they can only do that knowing
why: returning needs a comment (accepting does not). Accepting many at once is for the
submissions whose check raised no flag; a flagged one is decided on its own, after reading its
flags, so the bulk decision refuses it. The store applies these (store/access.py,
store/submissions.py); the page and the command line word them from the message codes.
"""

from __future__ import annotations

from enum import StrEnum

from domain.messages import Message, MessageError

DECISIONS = ("accepted", "returned")


class CommentRequired(MessageError):
    """Returning a submission without saying why."""

    def __init__(self) -> None:
        super().__init__(Message.of("review.comment_required"))


class BulkOutcome(StrEnum):
    """What a decision on many submissions did to each of them."""

    ACCEPTED = "accepted"
    NOT_PENDING = "not_pending"  # decided already (or no such submission): left as it is
    FLAGGED = "flagged"  # its check raised flags: never accepted in bulk


def checked_comment(decision: str, comment: str | None) -> str | None:
    """The comment as it is kept (stripped; None when blank); CommentRequired when returning
    without one, ValueError for a decision that is not one."""
    if decision not in DECISIONS:
        raise ValueError(f"decision must be accepted or returned, not {decision!r}")
    kept = comment.strip() if comment else ""
    if decision == "returned" and not kept:
        raise CommentRequired()
    return kept or None
