"""Writes for review packs: create, write up, finalize (freeze), commitments, share links and
the quarterly review cadence."""

import datetime as dt
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from intake.models import Request, RequestStatus
from prodops.accounts.models import Team
from prodops.accounts.roles import Role, has_role
from prodops.accounts.scope import require_team_scope
from prodops.activity.services import activity_record
from prodops.core import limits
from prodops.core.errors import EditConflict, NotAllowed, ValidationFailed
from prodops.core.periods import parse_period, quarter_of
from prodops.reviews.models import Cadence
from prodops.reviews.services import cadence_ensure, cadence_update, review_complete
from roadmap import services as roadmap_services
from roadmap.models import Roadmap

from . import selectors
from .models import Commitment, PackReopening, PackShareLink, QuarterlyReview, ReviewPack

# Days before a quarter's end the lead is reminded to hold the quarterly review
# (PACKS_REMINDER_DAYS_BEFORE_QUARTER_END).
DEFAULT_REMINDER_DAYS = 14
QUARTER_INTERVAL_DAYS = 91


def may_write_pack(user, team) -> bool:
    """A team's pack is written by that team's lead (or an admin); the whole organisation's
    pack (no team) by an admin."""
    from prodops.accounts.scope import may_act_for_team

    if team is None:
        return has_role(user, Role.ADMIN)
    return may_act_for_team(user, team, minimum=Role.LEAD)


def require_pack_writer(user, team, what: str) -> None:
    if may_write_pack(user, team):
        return
    if team is None:
        raise NotAllowed(f"Only an admin may {what} for the whole organisation.")
    require_team_scope(user, team, minimum=Role.LEAD, what=what)


def _lock(pack: ReviewPack, expected_version: int | None) -> ReviewPack:
    locked = (
        ReviewPack.objects.select_for_update(of=("self",)).select_related("team").get(pk=pack.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise EditConflict()
    return locked


def _require_draft(pack: ReviewPack) -> None:
    if pack.is_final:
        raise ValidationFailed(
            "This pack is final: its figures and write-up are frozen.", field="status"
        )


@transaction.atomic
def pack_create(*, actor, team: Team | None, period: str) -> ReviewPack:
    """A lead starts their team's pack for a quarter (an admin also the whole organisation's,
    team None); one pack per team and quarter."""
    require_pack_writer(actor, team, "start a review pack")
    parsed = parse_period(period, fiscal_start_month=selectors.fiscal_start())
    if not parsed.is_quarter:
        raise ValidationFailed("A review pack covers a quarter, like 2027-Q1.", field="period")
    scope_name = team.name if team is not None else "The whole organisation"
    taken = f"{scope_name} already has a review pack for {parsed.label}."
    if ReviewPack.objects.filter(team=team, period=parsed.label).exists():
        raise ValidationFailed(taken, field="period")
    try:
        with transaction.atomic():
            pack = ReviewPack.objects.create(
                team=team,
                period=parsed.label,
                period_start=parsed.start,
                period_end=parsed.end,
                created_by=actor,
            )
    except IntegrityError:
        raise ValidationFailed(taken, field="period") from None
    activity_record(actor=actor, target=pack, verb="created", summary=str(pack))
    return pack


WRITE_UP_FIELDS = {
    "narrative": limits.MARKDOWN,
    "decisions": limits.MARKDOWN,
    "internal_notes": limits.NOTES,
}


@transaction.atomic
def pack_update(*, pack: ReviewPack, actor, expected_version: int | None = None, **fields):
    """The lead writes the narrative, the decisions and internal notes of a draft pack."""
    require_pack_writer(actor, pack.team, "write this review pack")
    locked = _lock(pack, expected_version)
    _require_draft(locked)
    changed = []
    for name, limit in WRITE_UP_FIELDS.items():
        if name not in fields or fields[name] is None:
            continue
        value = str(fields[name]).replace("\r\n", "\n")
        if len(value) > limit:
            raise ValidationFailed(f"Keep this under {limit} characters.", field=name)
        if getattr(locked, name) != value:
            setattr(locked, name, value)
            changed.append(name)
    if changed:
        locked.version += 1
        locked.save()
        activity_record(actor=actor, target=locked, verb="updated", changes={"fields": changed})
    return locked


@transaction.atomic
def pack_finalize(*, pack: ReviewPack, actor, expected_version: int | None = None) -> ReviewPack:
    """Finalizing freezes the pack: every section's figures are computed once more and
    stored, and from then on the pack shows that snapshot whatever changes in the data; the
    write-up is frozen too. A team's quarterly review cadence counts the review as held."""
    require_pack_writer(actor, pack.team, "finalize this review pack")
    locked = _lock(pack, expected_version)
    _require_draft(locked)
    locked.figures = selectors.figures_compute(selectors.scope_of(locked))
    locked.status = ReviewPack.Status.FINAL
    locked.finalized_by = actor
    locked.finalized_at = timezone.now()
    locked.version += 1
    locked.save()
    activity_record(actor=actor, target=locked, verb="finalized", summary=str(locked))
    if locked.team is not None:
        _quarterly_review_held(team=locked.team, period_end=locked.period_end, actor=actor)
    return locked


@transaction.atomic
def pack_reopen(
    *, pack: ReviewPack, actor, reason: str, expected_version: int | None = None
) -> ReviewPack:
    """The team's lead (or an admin) may reopen a final pack, saying why: its frozen snapshot
    (figures, write-up, who finalized it and when) is kept in the pack's history with who
    reopened it and why, and the pack is a draft again, its figures computed live until it
    is finalized anew. Its share links show nothing while it is a draft."""
    require_pack_writer(actor, pack.team, "reopen this review pack")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Say why the pack is reopened.", field="reason")
    if len(reason) > limits.REASON:
        raise ValidationFailed(f"Keep the reason under {limits.REASON} characters.", field="reason")
    locked = _lock(pack, expected_version)
    if not locked.is_final:
        raise ValidationFailed("Only a final pack can be reopened.", field="status")
    PackReopening.objects.create(
        pack=locked,
        figures=locked.figures,
        narrative=locked.narrative,
        decisions=locked.decisions,
        finalized_by=locked.finalized_by,
        finalized_at=locked.finalized_at,
        reopened_by=actor,
        reason=reason,
    )
    locked.status = ReviewPack.Status.DRAFT
    locked.figures = None
    locked.finalized_by = None
    locked.finalized_at = None
    locked.version += 1
    locked.save()
    activity_record(actor=actor, target=locked, verb="reopened", summary=reason[:200])
    return locked


# --- commitments ---------------------------------------------------------------------------


def _commitment_request(pack: ReviewPack, request: Request | None) -> Request | None:
    """A commitment may name an accepted request of the pack's team: the one it would plan."""
    if request is None:
        return None
    if pack.team_id is not None and request.team_id != pack.team_id:
        raise ValidationFailed(
            f"Name an accepted request of {pack.team}; #{request.pk} is not the team's.",
            field="request",
        )
    if request.status != RequestStatus.ACCEPTED:
        raise ValidationFailed(
            f"Request #{request.pk} is {request.get_status_display().lower()}: name an accepted "
            "request.",
            field="request",
        )
    return request


def _commitment_title(title) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationFailed("Say what the team commits to.", field="title")
    if len(title) > 200:
        raise ValidationFailed("Keep the commitment under 200 characters.", field="title")
    return title


@transaction.atomic
def commitment_add(*, pack: ReviewPack, actor, title: str, request: Request | None = None):
    """A next-quarter commitment on a draft pack, optionally naming the accepted request of the
    team it would plan."""
    require_pack_writer(actor, pack.team, "add commitments")
    locked = _lock(pack, None)
    _require_draft(locked)
    title = _commitment_title(title)
    request = _commitment_request(locked, request)
    last = Commitment.objects.filter(pack=locked).order_by("-position").first()
    commitment = Commitment.objects.create(
        pack=locked, title=title, request=request, position=(last.position + 1) if last else 0
    )
    activity_record(actor=actor, target=locked, verb="commitment_added", summary=title)
    return commitment


_UNCHANGED = object()


@transaction.atomic
def commitment_update(
    *,
    commitment: Commitment,
    actor,
    expected_version: int | None = None,
    title: str | None = None,
    request=_UNCHANGED,
) -> Commitment:
    """The lead rewords a commitment of a draft pack or changes the request it names; a
    commitment already on a roadmap keeps its request. A stale version is a conflict."""
    require_pack_writer(actor, commitment.pack.team, "change commitments")
    locked = Commitment.objects.select_for_update().select_related("pack").get(pk=commitment.pk)
    if expected_version is not None and locked.version != expected_version:
        raise EditConflict()
    _require_draft(locked.pack)
    changed = []
    if title is not None:
        title = _commitment_title(title)
        if title != locked.title:
            locked.title = title
            changed.append("title")
    if request is not _UNCHANGED and getattr(request, "pk", None) != locked.request_id:
        if locked.item_id:
            raise ValidationFailed(
                "This commitment is already on a roadmap: its request stays.", field="request"
            )
        locked.request = _commitment_request(locked.pack, request)
        changed.append("request")
    if changed:
        locked.version += 1
        locked.save()
        activity_record(
            actor=actor, target=locked.pack, verb="commitment_updated", summary=locked.title
        )
    return locked


@transaction.atomic
def commitment_remove(*, commitment: Commitment, actor) -> None:
    """The lead removes a commitment of a draft pack (a roadmap item it became stays)."""
    require_pack_writer(actor, commitment.pack.team, "remove commitments")
    _require_draft(commitment.pack)
    activity_record(
        actor=actor, target=commitment.pack, verb="commitment_removed", summary=commitment.title
    )
    commitment.delete()


@transaction.atomic
def commitment_plan(*, commitment: Commitment, actor, estimate_days=None, override_reason=""):
    """One action turns a commitment into an internal item in the "next" lane of the team's
    roadmap for the next quarter (started if it does not exist yet), through the roadmap's
    own services, so the same rules hold: the item plans the commitment's accepted request,
    and the commitment check may ask for an override reason."""
    pack = commitment.pack
    if pack.team is None:
        raise ValidationFailed(
            "The whole organisation's pack has no roadmap: plan commitments from a team's pack.",
            field="team",
        )
    require_pack_writer(actor, pack.team, "plan commitments")
    locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
    if locked.item_id:
        raise ValidationFailed("This commitment is already on a roadmap.", field="item")
    if locked.request_id is None:
        raise ValidationFailed(
            "Name the accepted request this commitment plans; roadmap items plan requests.",
            field="request",
        )
    label = selectors.next_quarter(pack.period)
    roadmap = Roadmap.objects.filter(team=pack.team, period=label).first()
    if roadmap is None:
        roadmap = roadmap_services.roadmap_create(actor=actor, team=pack.team, period=label)
    item = roadmap_services.roadmap_item_create(
        roadmap=roadmap,
        actor=actor,
        requests=[locked.request_id],
        title=locked.title,
        estimate_days=estimate_days,
        override_reason=override_reason,
    )
    locked.item = item
    locked.version += 1
    locked.save(update_fields=["item", "version"])
    activity_record(actor=actor, target=pack, verb="commitment_planned", summary=locked.title)
    return locked


# --- share links ---------------------------------------------------------------------------


@transaction.atomic
def share_link_create(*, pack: ReviewPack, actor, label: str = "", expires_at=None):
    """A lead shares a final pack's stakeholder version through a random, unguessable link."""
    require_pack_writer(actor, pack.team, "share this review pack")
    if not pack.is_final:
        raise ValidationFailed("Finalize the pack before sharing it.", field="status")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationFailed("The expiry must be in the future.", field="expires_at")
    link = PackShareLink.objects.create(
        pack=pack,
        token=secrets.token_urlsafe(32),
        label=(label or "")[:120],
        created_by=actor,
        expires_at=expires_at,
    )
    activity_record(actor=actor, target=pack, verb="share_link_created", summary=link.label)
    return link


@transaction.atomic
def share_link_revoke(*, link: PackShareLink, actor) -> PackShareLink:
    require_pack_writer(actor, link.pack.team, "revoke share links")
    locked = PackShareLink.objects.select_for_update().get(pk=link.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        activity_record(actor=actor, target=link.pack, verb="share_link_revoked")
    return locked


# --- the quarterly review cadence ------------------------------------------------------------


def reminder_days() -> int:
    return int(getattr(settings, "PACKS_REMINDER_DAYS_BEFORE_QUARTER_END", DEFAULT_REMINDER_DAYS))


def quarterly_due_on(*, today: dt.date) -> dt.date:
    """The quarterly review is due `reminder_days()` (14) days before the end of the quarter
    that contains `today`."""
    quarter = quarter_of(today, fiscal_start_month=selectors.fiscal_start())
    return selectors.reminder_due_on(quarter_end=quarter.end, days_before=reminder_days())


@transaction.atomic
def quarterly_cadence_ensure(*, team: Team, today: dt.date | None = None) -> Cadence:
    """Every team with a lead has one quarterly review cadence, owned by its lead, due 14
    days (the setting) before the current quarter's end; the existing reviews sweep reminds
    the lead once per due date."""
    today = today or timezone.localdate()
    anchor, _ = QuarterlyReview.objects.get_or_create(team=team)
    return cadence_ensure(
        kind=Cadence.Kind.QUARTERLY,
        target=anchor,
        title=f"Quarterly review: {team}",
        owner=team.lead,
        escalate_to=team.lead,
        url=anchor.get_absolute_url(),
        interval_days=QUARTER_INTERVAL_DAYS,
        first_due_on=quarterly_due_on(today=today),
    )


def quarterly_cadences_ensure(*, today: dt.date | None = None) -> int:
    """Ensure the cadence of every team that has a lead; returns how many teams."""
    teams = list(Team.objects.filter(lead__isnull=False).select_related("lead"))
    for team in teams:
        quarterly_cadence_ensure(team=team, today=today)
    return len(teams)


def _quarterly_review_held(*, team: Team, period_end: dt.date, actor) -> None:
    """A final pack is the quarterly review held: the cadence records it and moves on to
    the next quarter's due date."""
    if team.lead_id is None:
        return
    cadence = quarterly_cadence_ensure(team=team)
    today = timezone.localdate()
    review_complete(cadence=cadence, actor=actor, notes=f"Review pack finalized ({team})")
    next_end = quarter_of(
        period_end + dt.timedelta(days=1), fiscal_start_month=selectors.fiscal_start()
    ).end
    next_due = selectors.reminder_due_on(quarter_end=next_end, days_before=reminder_days())
    if next_due <= today:
        next_due = quarterly_due_on(today=today + dt.timedelta(days=reminder_days() + 1))
    cadence.refresh_from_db()
    cadence_update(cadence=cadence, actor=actor, next_due_on=next_due)
