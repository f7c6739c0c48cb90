"""The roadmap's rules, each in one function: buffer range, plannable days, commitment check
and buffer-burn alerts. Services and views call these; nothing else restates them."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

BUFFER_MIN = Decimal("20")
BUFFER_MAX = Decimal("30")
BURN_THRESHOLDS = (80, 100)
ONE_DECIMAL = Decimal("0.1")


def round_days(value) -> Decimal:
    """Person-days are kept to one decimal."""
    return Decimal(value or 0).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def buffer_refusal(percent) -> str | None:
    """The buffer is 20–30 % of capacity (default 25 %); any other value is refused, and
    this returns the reason (None when the value is allowed)."""
    if percent is None:
        return "Give a buffer between 20 and 30 %."
    value = Decimal(percent)
    if value < BUFFER_MIN:
        return (
            f"A buffer of {value.normalize():f} % is below 20 %: keep at least 20 % of capacity "
            "free for unplanned work."
        )
    if value > BUFFER_MAX:
        return (
            f"A buffer of {value.normalize():f} % is above 30 %: more than 30 % held back "
            "leaves too little to plan."
        )
    return None


def plannable_days(*, capacity_days, buffer_percent) -> Decimal:
    """Plannable = capacity × (1 − buffer)."""
    factor = Decimal(1) - Decimal(buffer_percent) / Decimal(100)
    return round_days(Decimal(capacity_days) * factor)


@dataclass(frozen=True)
class CommitmentDecision:
    allowed: bool
    overcommitted: bool
    message: str = ""
    needs_lead: bool = False


def commitment_check(
    *, planned_days, plannable_days, override_reason: str = "", actor_is_lead: bool = False
) -> CommitmentDecision:
    """Planned estimates may not exceed plannable: a change that makes planned > plannable is
    refused with the numbers, unless a lead overrides it with a reason (which is recorded and
    shown as over-commit). The buffer is never planned into silently."""
    planned, plannable = round_days(planned_days), round_days(plannable_days)
    if planned <= plannable:
        return CommitmentDecision(allowed=True, overcommitted=False)
    over = planned - plannable
    numbers = (
        f"This would plan {planned} of {plannable} plannable person-days "
        f"({over} over, eating into the buffer)."
    )
    reason = (override_reason or "").strip()
    if not reason:
        return CommitmentDecision(
            allowed=False,
            overcommitted=True,
            message=f"{numbers} Lower the estimate, move work out, or have a lead override with a reason.",
        )
    if not actor_is_lead:
        return CommitmentDecision(
            allowed=False,
            overcommitted=True,
            needs_lead=True,
            message=f"{numbers} Only a lead may override an over-commit.",
        )
    return CommitmentDecision(allowed=True, overcommitted=True, message=numbers)


def buffer_burn_percent(*, unplanned_days, buffer_days) -> Decimal:
    """Buffer burn = unplanned work ÷ buffer days, as a percentage (any unplanned work
    against an empty buffer counts as fully burnt)."""
    unplanned, buffer = Decimal(unplanned_days or 0), Decimal(buffer_days or 0)
    if buffer <= 0:
        return Decimal(100) if unplanned > 0 else Decimal(0)
    return round_days(unplanned * 100 / buffer)


def burn_thresholds_reached(burn_percent) -> list[int]:
    """Buffer burn alerts fire at 80 % and at 100 %; each reached threshold alerts the lead
    once per roadmap."""
    return [t for t in BURN_THRESHOLDS if Decimal(burn_percent) >= t]
