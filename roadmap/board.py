"""The roadmap board's cards, rendered in Python.

At 200 items the card markup in a template (about fifty template nodes a card, two move forms
each) was most of the board's time; the same markup built here with escaping is several times
cheaper. The markup is exactly what roadmap/board.html showed per card; the lanes around the
cards stay in the template."""

from __future__ import annotations

import html

from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import linebreaksbr
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe

from .models import RoadmapItem

_CARD = """
      <li class="card item-card{over_class}" id="item-{pk}" data-item="{pk}"{draggable}>
        <h3>{title}</h3>
        <p class="meta">
          <span class="badge status-{status}">{status_label}</span>
          <span class="badge vis-{visibility}">{visibility_label}</span>
          {extra_badges}
          <span title="Estimate">{estimate} d</span>
          {over_badge}
        </p>
        <p class="meta muted">{objective}{owner}{months}</p>
        <p class="meta muted">{request_refs}</p>
        {moves}
      </li>
      """

_MOVE = """
          <form method="post" action="{url}" hx-post="{url}" hx-target="#board" hx-swap="outerHTML" class="inline" data-move-to="{target}">
            {csrf_input}<input type="hidden" name="lane" value="{target}"><input type="hidden" name="version" value="{version}">
            <button type="submit" class="small">→ {label}<span class="sr-only"> ({title})</span></button>
          </form>
          """


# Badges other apps add to cards (the docs hub: release readiness): each takes a lane's items
# and returns {item id: safe HTML}, loading what it needs for all of them at once.
CARD_BADGES: list = []


def escape(value) -> str:
    """What django.utils.html.escape does, without its lazy-string checks (thousands of calls
    a board)."""
    return html.escape(str(value))


_EMPTY = '\n      <li class="muted empty">Nothing here.</li>\n      '


def card_html(
    item: RoadmapItem,
    *,
    base_url: str,
    query: str,
    lanes: list[tuple[str, str]],
    can_edit: bool,
    csrf_input: str,
    extra_badges: str = "",
) -> str:
    """One card: `base_url` is the roadmap's URL, `query` the active filters ("?…" or "") the
    move forms carry, `csrf_input` the hidden token input (made once per page). The item
    carries `request_ids` (its requests' numbers) and `overcommit_reasons` ("" when the
    badge is not shown)."""
    overcommit_reasons = item.overcommit_reasons
    title = escape(item.title)
    moves = ""
    if can_edit:
        url = escape(f"{base_url}items/{item.pk}/move/{query}")
        forms = "".join(
            _MOVE.format(
                url=url,
                target=escape(value),
                csrf_input=csrf_input,
                version=item.version,
                label=escape(label),
                title=title,
            )
            for value, label in lanes
            if value != item.lane
        )
        moves = (
            f'<div class="lane-moves" role="group" aria-label="Move {title}">\n'
            f"          {forms}\n        </div>\n        "
        )
    months = ""
    if item.start_month:
        months = f" · {date_filter(item.start_month, 'M')}–{date_filter(item.end_month, 'M')}"
    return _CARD.format(
        over_class=" overcommitted" if overcommit_reasons else "",
        pk=item.pk,
        draggable=' draggable="true"' if can_edit else "",
        title=(
            f'<a href="{escape(base_url)}items/{item.pk}/edit/">{title}</a>' if can_edit else title
        ),
        status=escape(item.status),
        status_label=escape(item.get_status_display()),
        visibility=escape(item.visibility),
        visibility_label=escape(item.get_visibility_display()),
        estimate=escape(localize(item.estimate_days)),
        over_badge=(
            f'<span class="badge over" title="{escape(overcommit_reasons)}">Over-commit</span>'
            if overcommit_reasons
            else ""
        ),
        objective=escape(item.objective),
        owner=f" · {escape(item.owner)}" if item.owner else "",
        months=escape(months),
        request_refs=escape(", ".join(f"#{pk}" for pk in item.request_ids)),
        moves=moves,
        extra_badges=extra_badges,
    )


def lane_cards_html(items: list[RoadmapItem], **card) -> SafeString:
    """The cards of one lane, or its empty state; card_html escapes every value it shows."""
    if not items:
        return mark_safe(_EMPTY)
    extra: dict[int, str] = {}
    for badges in CARD_BADGES:
        for pk, badge in badges(items).items():
            extra[pk] = extra.get(pk, "") + badge
    return mark_safe(
        "".join(card_html(item, extra_badges=extra.get(item.pk, ""), **card) for item in items)
    )


_SHARED_CARD = """
        <li class="card item-card shared-item">
          <h4>{title}</h4>
          {summary}
          <p class="meta"><span class="badge status-{status}">{status_label}</span>{months} · {objective}</p>
        </li>
        """


def shared_cards_html(items: list[RoadmapItem]) -> SafeString:
    """The stakeholder-facing cards of one lane (public title, summary, status, months,
    objective; nothing internal), or its empty state, for the stakeholder roadmap and the
    share page. Every value is escaped."""
    if not items:
        return mark_safe(_EMPTY)
    cards = []
    for item in items:
        months = ""
        if item.start_month:
            months = escape(
                f" · {date_filter(item.start_month, 'M')}–{date_filter(item.end_month, 'M Y')}"
            )
        summary = ""
        if item.public_summary:
            summary = f"<p>{linebreaksbr(item.public_summary, autoescape=True)}</p>"
        cards.append(
            _SHARED_CARD.format(
                title=escape(item.public_title),
                summary=summary,
                status=escape(item.status),
                status_label=escape(item.get_status_display()),
                months=months,
                objective=escape(item.objective.title),
            )
        )
    return mark_safe("".join(cards))
