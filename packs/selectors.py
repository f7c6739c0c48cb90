"""Reads for review packs: their figures (frozen or live), the stakeholder version, the
comparison with last quarter, and share links."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from prodops.accounts.roles import Role, has_role
from prodops.core.periods import parse_period
from prodops.core.selectors import workspace_settings

from . import sections
from .models import Commitment, PackReopening, PackShareLink, ReviewPack


def pack_list(*, user, team: int | None = None) -> QuerySet[ReviewPack]:
    """Members, leads and admins see every pack; a stakeholder sees final packs only (and
    only their stakeholder version)."""
    qs = ReviewPack.objects.select_related("team", "finalized_by")
    if not has_role(user, Role.MEMBER):
        qs = qs.filter(status=ReviewPack.Status.FINAL)
    if team:
        qs = qs.filter(team_id=team)
    return qs.order_by("-period_start", "team__name", "id")


def pack_get(pk: int) -> ReviewPack:
    return ReviewPack.objects.select_related("team", "team__lead", "finalized_by").get(pk=pk)


def commitment_queryset(*, pack: ReviewPack) -> QuerySet[Commitment]:
    return Commitment.objects.filter(pack=pack).select_related(
        "pack", "pack__team", "request", "item", "item__roadmap"
    )


def commitment_list(*, pack: ReviewPack) -> list[Commitment]:
    return list(commitment_queryset(pack=pack))


def reopening_list(*, pack: ReviewPack) -> QuerySet[PackReopening]:
    """The pack's history: each time it was reopened, newest first, with the snapshot it had."""
    return PackReopening.objects.filter(pack=pack).select_related("reopened_by", "finalized_by")


def fiscal_start() -> int:
    return workspace_settings().fiscal_year_start_month


def scope_of(pack: ReviewPack) -> sections.Scope:
    return sections.Scope(
        team=pack.team, period=parse_period(pack.period, fiscal_start_month=fiscal_start())
    )


def figures_compute(scope: sections.Scope) -> dict:
    """Every section's figures for the scope, computed from the data now."""
    return {
        "computed_at": timezone.now().isoformat(),
        "period": scope.period.label,
        "sections": {s.key: s.compute(scope) for s in sections.all_sections()},
    }


def pack_figures(pack: ReviewPack) -> dict:
    """A final pack's frozen figures; a draft's, computed live."""
    if pack.is_final and pack.figures is not None:
        return pack.figures
    return figures_compute(scope_of(pack))


def stakeholder_figures(figures: dict) -> dict:
    """The figures a stakeholder may see: each section's `public` view, sections without one
    left out."""
    shown = {}
    for section in sections.all_sections():
        found = figures.get("sections", {}).get(section.key)
        if found is not None and section.public is not None:
            shown[section.key] = section.public(found)
    return {
        "computed_at": figures.get("computed_at"),
        "period": figures.get("period"),
        "sections": shown,
    }


def section_views(figures: dict, *, prefix: str) -> list[dict]:
    """What a page, the PDF and the CSV need per section, in registry order: the section,
    its figures, its tables, headline and charts. A section missing from the figures (one
    registered after the pack was frozen, or internal-only in a stakeholder version) is
    left out."""
    views = []
    for section in sections.all_sections():
        found = figures.get("sections", {}).get(section.key)
        if found is None:
            continue
        has_data = found.get("has_data", False)
        views.append(
            {
                "section": section,
                "figures": found,
                "has_data": has_data,
                "message": found.get("message") or sections.NO_DATA,
                "tables": section.tables(found),
                "headline": section.headline(found),
                "charts": section.charts(found, prefix) if has_data else [],
            }
        )
    return views


def previous_quarter(label: str) -> str:
    year, quarter = int(label[:4]), int(label[-1])
    return f"{year - 1}-Q4" if quarter == 1 else f"{year}-Q{quarter - 1}"


def next_quarter(label: str) -> str:
    year, quarter = int(label[:4]), int(label[-1])
    return f"{year + 1}-Q1" if quarter == 4 else f"{year}-Q{quarter + 1}"


def comparison(pack: ReviewPack, *, figures: dict | None = None) -> dict:
    """This quarter against the last, side by side: each section's headline figures. Last
    quarter's come from its pack (frozen if final), or are computed live when it has none."""
    previous_label = previous_quarter(pack.period)
    previous = ReviewPack.objects.filter(team=pack.team, period=previous_label).first()
    if previous is not None:
        before = pack_figures(previous)
    else:
        scope = sections.Scope(
            team=pack.team,
            period=parse_period(previous_label, fiscal_start_month=fiscal_start()),
        )
        before = figures_compute(scope)
    now = figures if figures is not None else pack_figures(pack)
    rows = []
    for section in sections.all_sections():
        this = now.get("sections", {}).get(section.key)
        last = before.get("sections", {}).get(section.key)
        if this is None:
            continue
        last_values = dict(section.headline(last)) if last is not None else {}
        lines = [(label, value, last_values.get(label)) for label, value in section.headline(this)]
        if lines:
            rows.append({"section": section, "lines": lines})
    return {"previous_period": previous_label, "previous_pack": previous, "sections": rows}


def share_link_list(*, pack: ReviewPack) -> QuerySet[PackShareLink]:
    return PackShareLink.objects.filter(pack=pack).select_related("created_by")


def share_link_active(token: str) -> PackShareLink | None:
    """The link for `token` if it is neither revoked nor expired (and its pack final)."""
    now = timezone.now()
    return (
        PackShareLink.objects.select_related("pack", "pack__team")
        .filter(token=token, revoked_at__isnull=True, pack__status=ReviewPack.Status.FINAL)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )


def reminder_due_on(*, quarter_end: dt.date, days_before: int) -> dt.date:
    return quarter_end - dt.timedelta(days=days_before)
