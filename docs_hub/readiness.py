"""Release readiness of roadmap items: the checklist, its percentage, and the ship gate.

The gate is the one rule: an item moves to shipped only when every line of its checklist
is done, or a lead has waived the checklist with a reason. An item without a checklist has
nothing open and may ship; its board card and readiness page say "No checklist", so that is
a visible choice, not an oversight. Which items get one without anyone asking is the
default-checklist rule (readiness_default_checklist): items planned from requests that
have docs. roadmap.services runs `ship_check` through its SHIP_CHECKS hook, so roadmap
never imports the docs hub."""

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from prodops.accounts.roles import Role
from prodops.accounts.scope import may_act_for_team
from prodops.activity.services import activity_record
from prodops.core.errors import EditConflict, NotAllowed, ValidationFailed

from .models import Doc, ReadinessCheck, ReadinessWaiver

Kind = ReadinessCheck.Kind


@dataclass
class Readiness:
    lines: list[tuple[ReadinessCheck, bool]] = field(default_factory=list)
    waiver: ReadinessWaiver | None = None

    @property
    def total(self) -> int:
        return len(self.lines)

    @property
    def done(self) -> int:
        return sum(1 for _, done in self.lines if done)

    @property
    def open(self) -> int:
        return self.total - self.done

    @property
    def percent(self) -> int | None:
        """Done lines over all lines, in whole per cent; None without a checklist."""
        return round(100 * self.done / self.total) if self.total else None


def readiness_for_items(item_ids, *, today: dt.date | None = None) -> dict[int, Readiness]:
    """Readiness of many items in three queries (checklists, linked docs, waivers)."""
    today = today or timezone.localdate()
    ids = list(item_ids)
    result = {pk: Readiness() for pk in ids}
    checks = list(
        ReadinessCheck.objects.filter(item_id__in=ids).select_related("owner").order_by("kind")
    )
    ready_audiences: dict[int, set[str]] = {}
    if any(c.kind in ReadinessCheck.DOC_AUDIENCE for c in checks):
        through = Doc.roadmap_items.through
        links = through.objects.filter(
            roadmapitem_id__in=ids, doc__status=Doc.Status.PUBLISHED
        ).values_list(
            "roadmapitem_id", "doc__audience", "doc__last_verified_on", "doc__verify_interval_days"
        )
        for item_id, audience, verified, interval in links:
            if verified and verified + dt.timedelta(days=interval) > today:
                ready_audiences.setdefault(item_id, set()).add(audience)
    for check in checks:
        audience = ReadinessCheck.DOC_AUDIENCE.get(check.kind)
        if audience is not None:
            done = audience in ready_audiences.get(check.item_id, set())
        else:
            done = check.done_at is not None
        result[check.item_id].lines.append((check, done))
    for waiver in ReadinessWaiver.objects.filter(item_id__in=ids).select_related("actor"):
        result[waiver.item_id].waiver = waiver
    return result


def readiness_for(item) -> Readiness:
    return readiness_for_items([item.pk])[item.pk]


def ship_check(*, item) -> None:
    """The ship gate (see the module docstring): refuses, naming `status`, while anything on
    the checklist is open and no lead has waived it."""
    state = readiness_for(item)
    if state.open and state.waiver is None:
        names = ", ".join(c.get_kind_display().lower() for c, done in state.lines if not done)
        raise ValidationFailed(
            f"Not ready to ship: {names}. Finish the release checklist, or a lead waives it "
            "with a reason.",
            field="status",
        )


def readiness_default_checklist(*, item) -> list[ReadinessCheck]:
    """The default-checklist rule: an item planned from requests that have docs (doc-first
    starts a draft for every accepted request) gets those docs linked to it and a checklist
    with a doc line for each of their audiences, owned by the item's owner and due at the end
    of its quarter. Nothing else is assumed: briefings, training and announcements are the
    team's to add. An item whose requests have no doc gets no checklist."""
    through = Doc.roadmap_items.through
    docs = list(
        Doc.objects.filter(requests__roadmap_items=item)
        .exclude(status=Doc.Status.ARCHIVED)
        .distinct()
        .only("id", "audience")
    )
    if not docs:
        return []
    through.objects.bulk_create(
        [through(doc_id=doc.pk, roadmapitem_id=item.pk) for doc in docs], ignore_conflicts=True
    )
    kind_for = {audience: kind for kind, audience in ReadinessCheck.DOC_AUDIENCE.items()}
    kinds = sorted({kind_for[doc.audience] for doc in docs})
    ReadinessCheck.objects.bulk_create(
        [
            ReadinessCheck(item=item, kind=k, owner=item.owner, due_on=item.roadmap.period_end)
            for k in kinds
        ],
        ignore_conflicts=True,
    )
    return list(ReadinessCheck.objects.filter(item=item))


def on_item_planned(sender, *, item, actor, **kwargs) -> None:
    readiness_default_checklist(item=item)


def readiness_require(actor, item, minimum: Role, what: str) -> None:
    """Only the item's team (at `minimum` role) and admins change its readiness."""
    if not may_act_for_team(actor, item.roadmap.team, minimum=minimum):
        raise NotAllowed(f"Only {Role(minimum).label.lower()}s of {item.roadmap.team} may {what}.")


@transaction.atomic
def readiness_checklist_set(
    *, item, actor, kinds, owner=None, due_on: dt.date | None = None
) -> list[ReadinessCheck]:
    """The team's members choose which lines the item's checklist has (doc lines only for
    the audiences it needs); lines kept keep their owner, due date and tick."""
    readiness_require(actor, item, Role.MEMBER, "change this item's release checklist")
    kinds = list(dict.fromkeys(kinds))  # a line named twice is one line
    unknown = set(kinds) - set(Kind.values)
    if unknown:
        raise ValidationFailed(f"Unknown checklist line: {sorted(unknown)[0]}.", field="kinds")
    ReadinessCheck.objects.filter(item=item).exclude(kind__in=kinds).delete()
    existing = set(ReadinessCheck.objects.filter(item=item).values_list("kind", flat=True))
    ReadinessCheck.objects.bulk_create(
        [
            ReadinessCheck(item=item, kind=k, owner=owner, due_on=due_on)
            for k in kinds
            if k not in existing
        ]
    )
    activity_record(actor=actor, target=item, verb="readiness_set", summary=", ".join(kinds))
    return list(ReadinessCheck.objects.filter(item=item))


@transaction.atomic
def readiness_check_update(
    *, check: ReadinessCheck, actor, expected_version: int | None = None, **fields
) -> ReadinessCheck:
    """Tick a line done (or not), or change its owner or due date. Doc lines tick
    themselves when their doc is published and verified."""
    locked = (
        ReadinessCheck.objects.select_for_update().select_related("item__roadmap").get(pk=check.pk)
    )
    readiness_require(actor, locked.item, Role.MEMBER, "change this item's release checklist")
    if expected_version is not None and locked.version != expected_version:
        raise EditConflict()
    if "done" in fields:
        if locked.kind in ReadinessCheck.DOC_AUDIENCE:
            raise ValidationFailed(
                "A doc line is done when a published, verified doc for its audience is linked "
                "to the item.",
                field="done",
            )
        done = bool(fields.pop("done"))
        if done and locked.done_at is None:
            locked.done_at, locked.done_by = timezone.now(), actor
        elif not done:
            locked.done_at, locked.done_by = None, None
    for name in ("owner", "due_on"):
        if name in fields:
            setattr(locked, name, fields[name])
    locked.version += 1
    locked.save()
    return locked


@transaction.atomic
def readiness_waive(*, item, actor, reason: str) -> ReadinessWaiver:
    """A lead of the item's team lets it ship with its checklist open; the reason is kept."""
    readiness_require(actor, item, Role.LEAD, "waive the release checklist")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Say why it may ship without being ready.", field="reason")
    waiver, _ = ReadinessWaiver.objects.update_or_create(
        item=item, defaults={"actor": actor, "reason": reason}
    )
    activity_record(actor=actor, target=item, verb="readiness_waived", summary=reason)
    return waiver


def readiness_card_badges(items) -> dict[int, str]:
    """Readiness badges for board cards (roadmap.board.CARD_BADGES), one lane at a time."""
    from django.urls import reverse
    from django.utils.html import format_html

    states = readiness_for_items([item.pk for item in items])
    badges = {}
    for pk, state in states.items():
        url = reverse("docs_hub:readiness", args=[pk])
        if state.total:
            flag = " flag" if state.open and not state.waiver else ""
            waived = " (waived)" if state.waiver else ""
            badges[pk] = format_html(
                '<a class="badge{}" href="{}" data-testid="readiness" title="Release readiness">'
                "{} % ready{}</a>",
                flag,
                url,
                state.percent,
                waived,
            )
        else:
            badges[pk] = format_html(
                '<a class="badge" href="{}" data-testid="readiness" title="No release checklist:'
                ' it may ship without one">No checklist</a>',
                url,
            )
    return badges
