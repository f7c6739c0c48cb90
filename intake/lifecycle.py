"""The request lifecycle: which moves exist, who may make them and what each needs.

Main line: new → needs_info ⇄ new → triaged → scored → accepted → planned → in_progress →
shipped → measured. Side exits: declined (reason), duplicate (only by merging), deflected
(answered by a doc), parked (revisit date). A member may reopen a side exit back to new.
"""

from collections.abc import Callable
from dataclasses import dataclass

from prodops.accounts.roles import Role

from .models import RequestStatus as S

SIDE_EXITS = frozenset({S.DECLINED, S.DUPLICATE, S.DEFLECTED, S.PARKED})
OPEN_STATUSES = frozenset({S.NEW, S.NEEDS_INFO, S.TRIAGED, S.SCORED, S.ACCEPTED})
# Leaving one of these for the first time by a team member is the first triage decision.
UNTRIAGED = frozenset({S.NEW, S.NEEDS_INFO})

_EARLY = (S.NEW, S.NEEDS_INFO, S.TRIAGED, S.SCORED)
# The statuses a roadmap item moves its requests among (see roadmap_item_refusal).
ROADMAP_LED = frozenset({S.ACCEPTED, S.PLANNED, S.IN_PROGRESS, S.SHIPPED})
# A request belongs to a team from triage on: moving to any of these without one is refused.
TEAM_REQUIRED = frozenset(
    {S.TRIAGED, S.SCORED, S.ACCEPTED, S.PLANNED, S.IN_PROGRESS, S.SHIPPED, S.MEASURED}
)

# (from, to) → the lowest role that may make the move.
MOVES: dict[tuple[str, str], Role] = {
    (S.NEW, S.NEEDS_INFO): Role.MEMBER,
    # The requester may answer their own request (see check_move); other people need to be
    # team members, or any stakeholder could reopen anyone's question.
    (S.NEEDS_INFO, S.NEW): Role.MEMBER,
    (S.NEW, S.TRIAGED): Role.MEMBER,
    (S.TRIAGED, S.SCORED): Role.MEMBER,
    (S.SCORED, S.ACCEPTED): Role.LEAD,
    (S.ACCEPTED, S.SCORED): Role.LEAD,
    (S.ACCEPTED, S.PLANNED): Role.LEAD,
    (S.PLANNED, S.ACCEPTED): Role.LEAD,
    (S.PLANNED, S.IN_PROGRESS): Role.MEMBER,
    (S.IN_PROGRESS, S.PLANNED): Role.MEMBER,
    (S.IN_PROGRESS, S.SHIPPED): Role.MEMBER,
    (S.SHIPPED, S.MEASURED): Role.MEMBER,
    **{(src, S.DECLINED): Role.MEMBER for src in (*_EARLY, S.ACCEPTED)},
    **{(src, S.DUPLICATE): Role.MEMBER for src in _EARLY},
    **{(src, S.DEFLECTED): Role.MEMBER for src in (S.NEW, S.NEEDS_INFO, S.TRIAGED)},
    **{(src, S.PARKED): Role.MEMBER for src in (*_EARLY, S.ACCEPTED)},
    **{(src, S.NEW): Role.MEMBER for src in SIDE_EXITS},
}


@dataclass(frozen=True)
class MoveCheck:
    allowed: bool
    reason: str = ""
    field: str | None = None


def check_move(
    *,
    current: str,
    target: str,
    role_ok,
    is_requester: bool,
    reason: str,
    revisit_on,
    via_merge: bool = False,
    roadmap_item: Callable[[], str | None] = lambda: None,
    via_roadmap: bool = False,
    has_team: bool = True,
) -> MoveCheck:
    """A move is allowed when it is in MOVES, the actor's role is high enough (the requester may
    answer their own needs_info), the request's roadmap item does not own it
    (roadmap_item_refusal), and it carries what it needs: a team to reach triaged or any later
    main-line status (TEAM_REQUIRED), a reason to decline, a revisit date to park, and
    duplicates happen only by merging."""
    if target not in S.values:
        return MoveCheck(False, f"“{target}” is not a status.", "to")
    if current == target:
        return MoveCheck(False, f"The request is already {S(target).label.lower()}.", "to")
    minimum = MOVES.get((current, target))
    if minimum is None:
        return MoveCheck(
            False,
            f"A request cannot move from {S(current).label.lower()} to {S(target).label.lower()}.",
            "to",
        )
    requester_answer = current == S.NEEDS_INFO and target == S.NEW and is_requester
    if not (role_ok(minimum) or requester_answer):
        return MoveCheck(
            False,
            f"Moving to {S(target).label.lower()} needs the {minimum.label.lower()} role or higher.",
            None,
        )
    if refusal := roadmap_item_refusal(
        current=current, target=target, roadmap_item=roadmap_item, via_roadmap=via_roadmap
    ):
        return MoveCheck(False, refusal, "to")
    if target in TEAM_REQUIRED and not has_team:
        return MoveCheck(
            False,
            f"Choose the team this request belongs to before moving it to "
            f"{S(target).label.lower()}.",
            "team",
        )
    if target == S.DECLINED and not (reason or "").strip():
        return MoveCheck(False, "Say why the request is declined.", "reason")
    if target == S.PARKED and not revisit_on:
        return MoveCheck(False, "A parked request needs a revisit date.", "revisit_on")
    if target == S.DEFLECTED and not (reason or "").strip():
        return MoveCheck(False, "Link or name the doc that answers the request.", "reason")
    if target == S.NEEDS_INFO and not (reason or "").strip():
        return MoveCheck(False, "Say what information is needed.", "reason")
    if target == S.DUPLICATE and not via_merge:
        return MoveCheck(False, "Mark a duplicate by merging it into the request it repeats.", "to")
    return MoveCheck(True)


def roadmap_item_refusal(
    *, current: str, target: str, roadmap_item: Callable[[], str | None], via_roadmap: bool
) -> str | None:
    """While a request sits on a roadmap item, its moves among accepted, planned, in progress
    and shipped follow the item: only the roadmap item services make them (`via_roadmap`), and a
    direct move is refused naming the item. Moving a shipped request on to measured stays
    direct. `roadmap_item` returns the item's name, or None when the request is on no item; it
    is only asked when the move is one the item would own. Returns the refusal, or None."""
    if via_roadmap or current not in ROADMAP_LED or target not in ROADMAP_LED:
        return None
    item = roadmap_item()
    if item is None:
        return None
    return f"This request is on the roadmap item {item} — change the item instead."


def allowed_targets(current: str, role_ok, *, is_requester: bool = False) -> list[str]:
    """Statuses the actor could move a request to from `current` (for buttons and menus)."""
    targets = []
    for (src, dst), minimum in MOVES.items():
        if src != current or dst == S.DUPLICATE:
            continue
        if role_ok(minimum) or (src == S.NEEDS_INFO and dst == S.NEW and is_requester):
            targets.append(dst)
    return targets


def can_merge_away(current: str, role_ok) -> bool:
    """Whether the actor could merge a request in `current` into another, which makes it a
    duplicate: only from the statuses MOVES lets become duplicate, with the role it names."""
    minimum = MOVES.get((current, S.DUPLICATE))
    return minimum is not None and role_ok(minimum)
