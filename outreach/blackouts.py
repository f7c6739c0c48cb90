"""Blackouts that come from elsewhere in the product, registered with the contact budget
(outreach.budget) when the app starts."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from pricing.models import ProposalStatus

from .budget import Blackout, register_blackout_provider
from .models import Account

# A proposal in one of these states is a price change in flight.
IN_FLIGHT = (ProposalStatus.IN_REVIEW, ProposalStatus.APPROVED, ProposalStatus.SCHEDULED)


@dataclass(frozen=True)
class PriceChange:
    proposal_id: int
    title: str
    status: str
    effective_on: dt.date
    plan: str


def price_change_blackout(change: PriceChange, *, on: dt.date, today: dt.date) -> Blackout | None:
    """An account is left alone while a price change touching one of its plans is in flight
    (in review, approved or scheduled): on every day before the change's effective date,
    lifting on that date. A change whose date has come (on or before today) but which is
    still not effective — a late review, a schedule not yet run — holds with no known end
    until it takes effect or is rejected; a day after today on or past the effective date is
    expected to be clear."""
    if change.status not in IN_FLIGHT:
        return None
    status = ProposalStatus(change.status).label.lower()
    if on < change.effective_on:
        return Blackout(
            sentence=(
                f"A price change for {change.plan} ({change.title}, {status}) takes effect on "
                f"{change.effective_on:%-d %b %Y}: no outreach until then."
            ),
            lifts_on=change.effective_on,
            code="price_change",
        )
    if on <= today:
        return Blackout(
            sentence=(
                f"A price change for {change.plan} ({change.title}) is still {status} past its "
                f"date ({change.effective_on:%-d %b %Y}): no outreach until it takes effect."
            ),
            lifts_on=None,
            code="price_change",
        )
    return None


class PriceChangeBlackouts:
    """The price-change blackout provider: `load` reads, in one query, the in-flight
    proposals that touch the plans of the accounts asked about."""

    def load(self, account_ids: set[int]):
        through = Account.price_plans.through
        rows = (
            through.objects.filter(
                account_id__in=account_ids,
                plan__proposed_prices__proposal__status__in=IN_FLIGHT,
            )
            .values_list(
                "account_id",
                "plan__proposed_prices__proposal_id",
                "plan__proposed_prices__proposal__title",
                "plan__proposed_prices__proposal__status",
                "plan__proposed_prices__proposal__effective_on",
                "plan__product__name",
                "plan__name",
            )
            .distinct()
        )
        by_account: dict[int, dict[int, PriceChange]] = defaultdict(dict)
        for account_id, pk, title, status, effective_on, product, plan in rows:
            # One reason per proposal, naming the first of its plans the account is on.
            by_account[account_id].setdefault(
                pk, PriceChange(pk, title, status, effective_on, f"{product} {plan}")
            )
        today = timezone.localdate()

        def answer(account: Account, on: dt.date):
            for change in by_account.get(account.pk, {}).values():
                found = price_change_blackout(change, on=on, today=today)
                if found is not None:
                    yield found

        return answer

    def __call__(self, account: Account, on: dt.date):
        return self.load({account.pk})(account, on)


price_change_blackouts = register_blackout_provider(PriceChangeBlackouts())
