"""A plan's problems as values: where each lies and why, as a message code, worded in the reader's language.

The catalog's checks (store/catalog.py) and the draft's (domain/drafts.py) say what is wrong with a
plan as a `Message` (a code and its parameters) and where it lies as a location — ("targets", 3,
"qd-t4"), ("organisations", None, "qd-p1"), ("adjustments", 0, "(2014-07-01)") … — instead of a
sentence. The authoring page reads the location to point at the row the person typed, and renders
the reason in the page's language; a log, CatalogError and the command line read `str(problem)`,
the English sentence the checks always wrote ("qingdao-2012.yaml: targets[3] qd-t4: source_quote
not found verbatim in …").

`shape_reason` does the same for pydantic's errors: each error type a code of the catalog
(`shape.<type>`), its context the parameters, pydantic's own English sentence the English text; a
type without a code of its own falls back to `shape.other`, which says so in Chinese and carries
pydantic's English in parentheses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.messages import Message, exists, render

# One step of a location: the group (targets, organisations, adjustments …), its index in the plan's
# list (None where the group is not a list, or the problem is the group's as a whole), and the id or
# label written after it.
Step = tuple[str, int | None, str | None]


def step_text(step: Step) -> str:
    group, index, label = step
    return group + (f"[{index}]" if index is not None else "") + (f" {label}" if label else "")


@dataclass(frozen=True)
class CatalogProblem:
    """One problem of a plan file or a plan being published: the file or plan it is in (`where`),
    the location within it (`at`, outermost first), and the reason."""

    where: str
    reason: Message
    at: tuple[Step, ...] = ()
    # Where the problem points when its sentence names the place itself ("organisation 'qd-p1' is
    # declared twice"): not written, read by the page.
    about: tuple[Step, ...] = ()

    def render(self, lang: str) -> str:
        return ": ".join([self.where, *(step_text(s) for s in self.at), render(self.reason, lang)])

    def __str__(self) -> str:
        return self.render("en")

    def last(self, groups: tuple[str, ...]) -> Step | None:
        """The innermost step in one of `groups` (an adjustment's target rather than the adjustment)."""
        return next((s for s in reversed((*self.at, *self.about)) if s[0] in groups), None)


def problem(where: str, at: Step | tuple[Step, ...], code: str, /, **params: Any) -> CatalogProblem:
    """A CatalogProblem from its code and parameters; `at` one step, several, or () for none."""
    steps = (at,) if at and isinstance(at[0], str) else at
    return CatalogProblem(where, Message.of(code, **params), tuple(steps))  # type: ignore[arg-type]


# Context values pydantic puts in an error that are not plain (a compiled pattern, an exception).
def _plain(value: Any) -> Any:
    return value if isinstance(value, int | float | str) else str(value)


def shape_reason(err: dict) -> Message:
    """The reason of one pydantic error (an item of ValidationError.errors()) as a message: its type's
    own code where the catalog has one, `shape.other` otherwise; pydantic's English sentence is the
    English text either way (`detail`)."""
    kind = str(err.get("type", ""))
    ctx = {k: _plain(v) for k, v in (err.get("ctx") or {}).items()}
    detail = str(err.get("msg", ""))
    code = f"shape.{kind}"
    if kind and kind != "other" and exists(code):
        try:  # a code whose Chinese needs a context value this error lacks falls back, never fails
            render(Message.of(code, **ctx, detail=detail), "zh")
            return Message.of(code, **ctx, detail=detail)
        except (KeyError, ValueError):
            pass
    return Message.of("shape.other", detail=detail)
