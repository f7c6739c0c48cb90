"""The sections of a review pack, from a small registry.

A section is a key, a title, a function computing JSON-able figures for a scope (a team, or
None for the whole organisation, and a quarter), and a template partial that draws them.
A feature app adds its own section with `register(Section(...))` from its AppConfig.ready();
registering an existing key replaces it (the placeholder sections for features that have no
data yet are replaced that way). A section whose feature has no data says so: its figures
carry `has_data: False` and the pack shows "No data for this quarter yet."

Sections also say what a stakeholder may see (`public`: the figures without estimates,
internal items, notes or assessments; None keeps the whole section internal), which tables
they export (CSV, PDF) and which headline figures "compare with last quarter" puts side by
side. All three read only the figures, so a finalized pack's frozen figures give the same
answers for ever."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from prodops.core.periods import Period

GENERIC_TEMPLATE = "packs/sections/_generic.html"
NO_DATA = "No data for this quarter yet."


@dataclass(frozen=True)
class Scope:
    """Whose quarter: a team, or the whole organisation (team None)."""

    team: object | None
    period: Period

    @property
    def team_id(self) -> int | None:
        return self.team.pk if self.team is not None else None

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The quarter as [start, end) datetimes in the workspace's time zone."""
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(self.period.start, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(self.period.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return start, end

    def as_of(self) -> dt.date:
        """The day "how old" is counted to: the quarter's last day, or today while it runs."""
        return min(timezone.localdate(), self.period.end)


@dataclass(frozen=True)
class Table:
    """A table a section shows, exports as CSV and prints in the PDF."""

    key: str
    title: str
    head: list[str]
    rows: list[list]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    compute: Callable[[Scope], dict]
    template: str = GENERIC_TEMPLATE
    public: Callable[[dict], dict] | None = None
    tables: Callable[[dict], list[Table]] = lambda figures: []
    headline: Callable[[dict], list[tuple[str, object]]] = lambda figures: []
    charts: Callable[[dict, str], list] = lambda figures, prefix: []


_REGISTRY: dict[str, Section] = {}


def register(section: Section) -> Section:
    """Add a section, or replace the one with the same key keeping its place."""
    _REGISTRY[section.key] = section
    return section


def all_sections() -> list[Section]:
    _load_builtins()
    return list(_REGISTRY.values())


def get(key: str) -> Section | None:
    _load_builtins()
    return _REGISTRY.get(key)


_loaded = False


def _load_builtins() -> None:
    """The built-in sections in their order; a section a feature app registered under one of
    their keys takes that place, others follow."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    from . import buffer, docs, intake, metrics, objectives, pricing, roadmap

    registered = dict(_REGISTRY)
    _REGISTRY.clear()
    for module in (intake, roadmap, buffer, objectives, metrics, docs, pricing):
        key = module.SECTION.key
        _REGISTRY[key] = registered.pop(key, module.SECTION)
    _REGISTRY.update(registered)
