"""The contact budget: one rule for every team that wants to reach a customer.

Other parts of the product add blackouts by registering a provider (see
`register_blackout_provider`): a function taking an account and a date and returning the
`Blackout`s in force for that account on that day, e.g. a price change in flight. A
provider that needs the database gives itself a `load(account_ids)` method returning such a
function: it is called once per pre-flight batch, so the rows are read once, not once per
contact and per day tried."""

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.utils import timezone

from prodops.core.errors import ValidationFailed

from .models import Account, Channel, Contact, OutreachPlan, Touch

# The days the budget answers for; outside them date arithmetic would leave the calendar.
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)
# Never more rounds than this when looking for the next allowed day: each round moves past
# one lifting date, and only a handful of rules can push it further.
MAX_ROUNDS = 10


def contact_max_touches() -> int:
    return settings.OUTREACH_CONTACT_MAX_TOUCHES


def contact_window_days() -> int:
    return settings.OUTREACH_CONTACT_WINDOW_DAYS


def cooldown_days() -> int:
    return settings.OUTREACH_COOLDOWN_DAYS


def account_max_touches() -> int:
    return settings.OUTREACH_ACCOUNT_MAX_TOUCHES


def account_window_days() -> int:
    return settings.OUTREACH_ACCOUNT_WINDOW_DAYS


def renewal_blackout_days() -> int:
    return settings.OUTREACH_RENEWAL_BLACKOUT_DAYS


def budget_numbers() -> dict[str, int]:
    """The budget's limits, for pages that state them."""
    return {
        "contact_max": contact_max_touches(),
        "contact_window": contact_window_days(),
        "cooldown": cooldown_days(),
        "account_max": account_max_touches(),
        "account_window": account_window_days(),
        "renewal": renewal_blackout_days(),
    }


@dataclass(frozen=True)
class Blackout:
    """A period an account's contacts are left alone: why, and the first day it no longer
    holds (None when nobody knows yet)."""

    sentence: str
    lifts_on: dt.date | None
    code: str = "blackout"


@dataclass(frozen=True)
class Reason:
    """One reason a contact may not be reached on a day."""

    code: str
    sentence: str
    lifts_on: dt.date | None
    # A reason no override lifts (opted out, erased).
    final: bool = False


@dataclass(frozen=True)
class LastTouch:
    on: dt.date
    by: str
    channel: str
    purpose: str
    team: str
    plan: str


@dataclass(frozen=True)
class Preflight:
    """The answer to "can we contact X on this day, and if not, why and when"."""

    contact_id: int
    on: dt.date
    reasons: tuple[Reason, ...]
    next_allowed_on: dt.date | None
    last_touch: LastTouch | None
    counts: dict = field(default_factory=dict)

    @property
    def allowed(self) -> bool:
        return not self.reasons

    @property
    def overridable(self) -> bool:
        """A lead may go past these reasons with a reason of their own: all but the final."""
        return bool(self.reasons) and not any(r.final for r in self.reasons)


BlackoutProvider = Callable[[Account, dt.date], Iterable[Blackout]]
_BLACKOUT_PROVIDERS: list[BlackoutProvider] = []


def register_blackout_provider(provider: BlackoutProvider) -> BlackoutProvider:
    """Add a source of blackouts (usable as a decorator). A provider answers for one account
    and one day; it must be cheap, as it runs on every pre-flight (with `load`, see the
    module's docstring, its queries run once per batch)."""
    if provider not in _BLACKOUT_PROVIDERS:
        _BLACKOUT_PROVIDERS.append(provider)
    return provider


def unregister_blackout_provider(provider: BlackoutProvider) -> None:
    if provider in _BLACKOUT_PROVIDERS:
        _BLACKOUT_PROVIDERS.remove(provider)


def _day(date: dt.date) -> str:
    return f"{date:%-d %b %Y}"


def _window_reason(dates: list[dt.date], on: dt.date, *, limit: int, days: int, who: str, code):
    """`dates` (ascending) are the touches in the window ending on `on`. Over `limit`, the
    window frees a place when enough of the oldest have left it."""
    if len(dates) < limit:
        return None
    # The touch whose leaving brings the count under the limit.
    leaving = dates[len(dates) - limit]
    lifts = leaving + dt.timedelta(days=days)
    return Reason(
        code=code,
        sentence=(
            f"{who} already had {len(dates)} touch{'es' if len(dates) != 1 else ''} in the "
            f"last {days} days (at most {limit}); a place frees up on {_day(lifts)}."
        ),
        lifts_on=lifts,
    )


def _loaded_providers(account_ids: set[int]) -> list[BlackoutProvider]:
    return [
        provider.load(account_ids) if hasattr(provider, "load") else provider
        for provider in _BLACKOUT_PROVIDERS
    ]


def _reasons(
    contact: Contact,
    account: Account,
    on: dt.date,
    contact_dates: list[dt.date],
    account_dates: list[dt.date],
    providers: list[BlackoutProvider] = (),
) -> tuple[list[Reason], dict]:
    reasons: list[Reason] = []
    if contact.erased_at is not None:
        reasons.append(
            Reason("erased", "This contact was erased on request: never contact them.", None, True)
        )
    if contact.opted_out:
        reasons.append(
            Reason("opted_out", "This contact opted out: never contact them.", None, True)
        )

    window = contact_window_days()
    in_window = [d for d in contact_dates if on - dt.timedelta(days=window) < d <= on]
    found = _window_reason(
        in_window,
        on,
        limit=contact_max_touches(),
        days=window,
        who="This contact",
        code="contact_budget",
    )
    if found:
        reasons.append(found)

    earlier = [d for d in contact_dates if d <= on]
    if earlier:
        last = earlier[-1]
        lifts = last + dt.timedelta(days=cooldown_days())
        if on < lifts:
            reasons.append(
                Reason(
                    "cooldown",
                    f"Last touched on {_day(last)}: each touch is followed by "
                    f"{cooldown_days()} quiet days; contact again from {_day(lifts)}.",
                    lifts,
                )
            )

    account_window = account_window_days()
    account_in_window = [
        d for d in account_dates if on - dt.timedelta(days=account_window) < d <= on
    ]
    found = _window_reason(
        account_in_window,
        on,
        limit=account_max_touches(),
        days=account_window,
        who=f"{account.name}",
        code="account_budget",
    )
    if found:
        reasons.append(found)

    if account.open_escalation:
        reasons.append(
            Reason(
                "escalation",
                f"{account.name} has an open escalation: no outreach until it is closed.",
                None,
            )
        )
    renewal = account.renewal_date
    if renewal is not None and on <= renewal <= on + dt.timedelta(days=renewal_blackout_days()):
        lifts = renewal + dt.timedelta(days=1)
        reasons.append(
            Reason(
                "renewal",
                f"{account.name} renews on {_day(renewal)}: no outreach in the "
                f"{renewal_blackout_days()} days up to a renewal; contact again from {_day(lifts)}.",
                lifts,
            )
        )
    for provider in providers:
        for blackout in provider(account, on):
            reasons.append(Reason(blackout.code, blackout.sentence, blackout.lifts_on))
    counts = {
        "contact_touches_in_window": len(in_window),
        "account_touches_in_window": len(account_in_window),
    }
    return reasons, counts


def preflight(contact: Contact, *, on: dt.date | None = None) -> Preflight:
    """May anyone contact `contact` on `on` (default today)? The one contact budget:

    - per contact, fewer than OUTREACH_CONTACT_MAX_TOUCHES (2) touches in the
      OUTREACH_CONTACT_WINDOW_DAYS (30) days ending on that day — a touch 30 days back has
      left the window, one 29 days back has not;
    - per contact, OUTREACH_COOLDOWN_DAYS (14) quiet days after each touch — 13 days after
      a touch is too soon, 14 is fine;
    - per account, fewer than OUTREACH_ACCOUNT_MAX_TOUCHES (6) touches across all its
      contacts in OUTREACH_ACCOUNT_WINDOW_DAYS (30) days;
    - blackouts: the account has an open escalation (lifts when closed: no date); it renews
      within OUTREACH_RENEWAL_BLACKOUT_DAYS (30) days, renewal day included (lifts the day
      after); any registered blackout provider (a price change in flight…);
    - an opted-out or erased contact: never, and no override lifts it.

    Only touches on or before the day count. The answer lists every reason with its plain
    sentence and the date it lifts, the next day contact is allowed (None when a reason has
    no known end), and who contacted them last and why."""
    return preflight_many([contact], on=on)[0]


def preflight_many(contacts: list[Contact], *, on: dt.date | None = None) -> list[Preflight]:
    """`preflight` for several contacts at once, in the same order, in one query (plus
    what blackout providers ask): a page listing a plan's contacts costs the same for ten
    people as for a hundred."""
    on = on or timezone.localdate()
    if not FIRST_DAY <= on <= LAST_DAY:
        raise ValidationFailed(
            f"Pick a day from {FIRST_DAY:%Y-%m-%d} to {LAST_DAY:%Y-%m-%d}.", field="on"
        )
    contacts = list(contacts)
    if not contacts:
        return []
    reach_back = max(contact_window_days(), cooldown_days(), account_window_days())
    contact_ids = {c.pk for c in contacts}
    account_ids = {c.account_id for c in contacts}
    by_contact: dict[int, list[dt.date]] = defaultdict(list)
    by_account: dict[int, list[dt.date]] = defaultdict(list)
    # Touches after `on` are loaded too: the search for the next allowed day walks forward.
    touches, last_rows = _budget_rows(
        contact_ids, account_ids, since=on - dt.timedelta(days=reach_back), on=on
    )
    for contact_id, account_id, day in touches:
        day = dt.date.fromisoformat(day)
        if contact_id in contact_ids:
            by_contact[contact_id].append(day)
        if account_id in account_ids:
            by_account[account_id].append(day)
    last_touches = _last_touches(last_rows)
    providers = _loaded_providers(account_ids)
    answers = []
    for contact in contacts:
        account = contact.account
        contact_dates, account_dates = by_contact[contact.pk], by_account[account.pk]
        reasons, counts = _reasons(contact, account, on, contact_dates, account_dates, providers)
        next_allowed = (
            on
            if not reasons
            else _next_allowed(contact, account, reasons, contact_dates, account_dates, providers)
        )
        answers.append(
            Preflight(
                contact_id=contact.pk,
                on=on,
                reasons=tuple(reasons),
                next_allowed_on=next_allowed,
                last_touch=last_touches.get(contact.pk),
                counts=counts,
            )
        )
    return answers


def _next_allowed(
    contact, account, reasons, contact_dates, account_dates, providers
) -> dt.date | None:
    """The first day no reason holds: step to the latest lifting date, check again there
    (a renewal can begin while a cooldown ends), until clear or a reason has no end."""
    for _ in range(MAX_ROUNDS):
        if any(r.lifts_on is None for r in reasons):
            return None
        day = max(r.lifts_on for r in reasons)
        reasons, _counts = _reasons(contact, account, day, contact_dates, account_dates, providers)
        if not reasons:
            return day
    return None


def _budget_rows(contact_ids: set[int], account_ids: set[int], *, since, on) -> tuple[list, list]:
    """In one round trip to the database (on a busy server the wait for each answer costs
    more than the statements themselves): the touches of these contacts and accounts after
    `since`, oldest first, as (contact, account, ISO day); and each contact's last touch on or
    before `on` with who made it and for which plan."""
    from prodops.accounts.models import Team, User

    touch = Touch._meta.db_table
    sql = f"""
        SELECT
          (SELECT coalesce(json_agg(json_build_array(t.contact_id, t.account_id, t."on")
                                    ORDER BY t."on"), '[]')
             FROM {touch} t
            WHERE (t.contact_id = ANY(%s) OR t.account_id = ANY(%s)) AND t."on" > %s),
          (SELECT coalesce(json_agg(json_build_array(
                     x.contact_id, x."on", x.channel, x.first_name, x.last_name, x.username,
                     x.purpose, x.team, x.title)), '[]')
             FROM (SELECT DISTINCT ON (t.contact_id) t.contact_id, t."on", t.channel,
                          u.first_name, u.last_name, u.username, p.purpose,
                          tm.name AS team, p.title
                     FROM {touch} t
                     LEFT JOIN {User._meta.db_table} u ON u.id = t.by_id
                     LEFT JOIN {OutreachPlan._meta.db_table} p ON p.id = t.plan_id
                     LEFT JOIN {Team._meta.db_table} tm ON tm.id = p.team_id
                    WHERE t.contact_id = ANY(%s) AND t."on" <= %s
                    ORDER BY t.contact_id, t."on" DESC, t.id DESC) x)
    """
    contacts, accounts = sorted(contact_ids), sorted(account_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, [contacts, accounts, since, contacts, on])
        touches, last = cursor.fetchone()
    return _json(touches), _json(last)


def _json(value):
    # The driver may hand json over as text (Django leaves decoding to the field) or decoded.
    return json.loads(value) if isinstance(value, str | bytes) else value


def _last_touches(rows: list) -> dict[int, LastTouch]:
    channels = dict(Channel.choices)
    purposes = dict(OutreachPlan.Purpose.choices)
    found = {}
    for contact_id, day, channel, first, last, username, purpose, team, title in rows:
        full_name = f"{first or ''} {last or ''}".strip()
        found[contact_id] = LastTouch(
            on=dt.date.fromisoformat(day),
            by=full_name or username or "someone no longer here",
            channel=channels.get(channel, channel),
            purpose=purposes.get(purpose, purpose) if purpose else "No plan",
            team=team or "",
            plan=title or "",
        )
    return found
