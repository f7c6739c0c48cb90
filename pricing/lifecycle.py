"""The price change lifecycle: which moves exist and who may make them.

draft → in_review → approved or rejected (final: a new draft starts over); in_review → draft
(returned to be changed: the approvals so far are withdrawn, see pricing.services); approved →
scheduled; scheduled → effective (only the effective-date task makes this move). A lead
approves; above the threshold an admin approves second (see pricing.services).
"""

from dataclasses import dataclass

from prodops.accounts.roles import Role

from .models import ProposalStatus as S

# Who makes it: a role, or None for the effective-date task (no person makes a price live).
MOVES: dict[tuple[str, str], Role | None] = {
    (S.DRAFT, S.IN_REVIEW): Role.LEAD,
    (S.IN_REVIEW, S.DRAFT): Role.LEAD,
    (S.IN_REVIEW, S.APPROVED): Role.LEAD,
    (S.IN_REVIEW, S.REJECTED): Role.LEAD,
    (S.APPROVED, S.SCHEDULED): Role.LEAD,
    (S.SCHEDULED, S.EFFECTIVE): None,
}
# A proposal's content (prices, dates, inputs) may change only while it is a draft.
EDITABLE = frozenset({S.DRAFT})


@dataclass(frozen=True)
class MoveCheck:
    allowed: bool
    reason: str = ""
    field: str | None = None


def check_move(*, current: str, target: str, role_ok, by_task: bool = False) -> MoveCheck:
    """A move is allowed when it is in MOVES and the actor's role is high enough; the move to
    effective is the effective-date task's alone."""
    if (current, target) not in MOVES:
        return MoveCheck(
            False,
            f"A proposal cannot move from {S(current).label.lower()} to {S(target).label.lower()}.",
            "status",
        )
    minimum = MOVES[(current, target)]
    if minimum is None:
        if by_task:
            return MoveCheck(True)
        return MoveCheck(False, "A price becomes effective on its date, by itself.", "status")
    if not role_ok(minimum):
        return MoveCheck(False, f"This needs the {minimum.label.lower()} role or higher.", None)
    return MoveCheck(True)
