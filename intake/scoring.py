"""The scoring rules: cost bands, the three score formulas, alignment and spread.

`score_breakdown` is the rule, written in Python so every score can explain its parts.
`score_sql` is its SQL twin, used to keep `Request.score` up to date for every request in one
statement; `tests/scoring/test_formulas.py` checks that both give the same number for the same
inputs. Change one, change the other.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

from prodops.core.errors import ValidationFailed

WEIGHTED, RICE, ICE = "weighted", "rice", "ice"
KINDS = (WEIGHTED, RICE, ICE)

# Upper edges (person-days) of cost bands 1–4 when a lead has not set any.
DEFAULT_BAND_EDGES: tuple[Decimal, ...] = (Decimal(2), Decimal(5), Decimal(10), Decimal(20))
# Request.score is numeric(6, 2); a raw RICE score above this is stored (and ranked) at the cap.
SCORE_CAP = Decimal("9999.99")
# Assessors this many points apart on impact, feasibility or cost band should talk it over.
WIDE_SPREAD = 2

_CENT = Decimal("0.01")


def _round(value: Decimal) -> Decimal:
    """Two decimals, halves away from zero — what PostgreSQL's ROUND(numeric, 2) does."""
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ScoringParams:
    """The lead's choices: which model, its weights, the alignment factor and the cost bands."""

    kind: str = WEIGHTED
    impact_weight: Decimal = Decimal(3)
    feasibility_weight: Decimal = Decimal(2)
    cost_weight: Decimal = Decimal(1)
    alignment_factor: Decimal = Decimal("0.70")
    band_edges: tuple[Decimal, ...] = DEFAULT_BAND_EDGES

    @classmethod
    def from_model(cls, model) -> "ScoringParams":
        edges = tuple(Decimal(e) for e in (model.cost_band_edges or ())) or DEFAULT_BAND_EDGES
        return cls(
            kind=model.kind,
            impact_weight=Decimal(model.impact_weight),
            feasibility_weight=Decimal(model.feasibility_weight),
            cost_weight=Decimal(model.cost_weight),
            alignment_factor=Decimal(model.alignment_factor),
            band_edges=edges,
        )

    @property
    def weight_sum(self) -> Decimal:
        return self.impact_weight + self.feasibility_weight + self.cost_weight


@dataclass(frozen=True)
class ScoreInputs:
    """Means over a request's assessments, and whether it serves an active objective."""

    impact: Decimal
    feasibility: Decimal
    effort: Decimal
    confidence: Decimal  # percent, 50–100
    reach: Decimal | None = None
    aligned: bool = False


@dataclass(frozen=True)
class ScoreBreakdown:
    """A score with what it was built from, for the hover/expand explanation and the CSV."""

    value: Decimal
    kind: str
    formula: str
    worked: str
    parts: dict = field(default_factory=dict)
    capped: bool = False


def cost_band(effort_days: Decimal, edges: tuple[Decimal, ...] = DEFAULT_BAND_EDGES) -> int:
    """Effort in person-days → cost band 1–5: band n holds efforts up to and including the n-th
    edge; anything above the fourth edge is band 5. With 2/5/10/20: 2 → 1, 2.1 → 2, 20.5 → 5."""
    for band, edge in enumerate(edges, start=1):
        if effort_days <= edge:
            return band
    return 5


def alignment_multiplier(aligned: bool, params: ScoringParams) -> Decimal:
    """1.0 for a request linked to an active objective, otherwise the lead's alignment factor."""
    return Decimal(1) if aligned else params.alignment_factor


def formula_text(params: ScoringParams) -> str:
    """The active model's formula in words and numbers, shown next to every score."""
    if params.kind == RICE:
        return (
            "RICE = reach × impact × confidence ÷ effort (person-days) × alignment — a raw "
            "number, not 0–100; a missing reach counts as 1"
        )
    if params.kind == ICE:
        return (
            "ICE = impact × ease × confidence ÷ 100 × alignment, where ease = 6 − cost band (0–25)"
        )
    w_i, w_f, w_c = (
        plain_number(w)
        for w in (params.impact_weight, params.feasibility_weight, params.cost_weight)
    )
    return (
        f"Weighted = 100 × ({w_i}·impact + {w_f}·feasibility + {w_c}·(6 − cost band)) ÷ "
        f"(5 × {plain_number(params.weight_sum)}) × alignment (0–100)"
    )


def score_breakdown(inputs: ScoreInputs, params: ScoringParams) -> ScoreBreakdown:
    """The score of a request, from the means of its assessments, under the active model.

    The rule (every model multiplies by the alignment factor, so work that serves an active
    objective ranks ahead of equal work that does not; the result is rounded to 2 decimals):
    - weighted (0–100): 100 × (w_i·impact + w_f·feasibility + w_c·(6 − cost band)) ÷ (5 × (w_i +
      w_f + w_c)) × alignment, using mean impact, mean feasibility and the cost band of the
      mean effort;
    - RICE (raw): reach × impact × confidence (as a fraction) ÷ mean effort in person-days ×
      alignment; a missing reach counts as 1; capped at 9999.99 (the stored precision);
    - ICE (0–25): impact × ease × confidence (as a fraction) × alignment, where ease = 6 − the
      cost band of the mean effort.
    """
    align = alignment_multiplier(inputs.aligned, params)
    band = cost_band(inputs.effort, params.band_edges)
    ease = 6 - band
    parts: dict = {
        "impact": inputs.impact,
        "feasibility": inputs.feasibility,
        "effort_days": inputs.effort,
        "cost_band": band,
        "confidence": inputs.confidence,
        "reach": inputs.reach,
        "alignment": align,
        "aligned": inputs.aligned,
    }
    capped = False
    if params.kind == RICE:
        reach = inputs.reach if inputs.reach is not None else Decimal(1)
        raw = reach * inputs.impact * inputs.confidence * align / (100 * inputs.effort)
        value = _round(raw)
        if value > SCORE_CAP:
            value, capped = SCORE_CAP, True
        parts["reach_used"] = reach
        worked = (
            f"{plain_number(reach)}{' (no reach given)' if inputs.reach is None else ''} × "
            f"{plain_number(inputs.impact)} × {plain_number(inputs.confidence)} % ÷ "
            f"{plain_number(inputs.effort)} d × {plain_number(align)} = {value}"
        )
    elif params.kind == ICE:
        value = _round(inputs.impact * ease * inputs.confidence * align / 100)
        parts["ease"] = ease
        worked = (
            f"{plain_number(inputs.impact)} × {ease} × {plain_number(inputs.confidence)} % × "
            f"{plain_number(align)} = {value}"
        )
    else:
        weighted_sum = (
            params.impact_weight * inputs.impact
            + params.feasibility_weight * inputs.feasibility
            + params.cost_weight * ease
        )
        value = _round(100 * weighted_sum * align / (5 * params.weight_sum))
        parts["ease"] = ease
        worked = (
            f"100 × ({plain_number(params.impact_weight)}·{plain_number(inputs.impact)} + "
            f"{plain_number(params.feasibility_weight)}·{plain_number(inputs.feasibility)} + "
            f"{plain_number(params.cost_weight)}·{ease}) ÷ {plain_number(5 * params.weight_sum)} × "
            f"{plain_number(align)} = {value}"
        )
    return ScoreBreakdown(
        value=value,
        kind=params.kind,
        formula=formula_text(params),
        worked=worked,
        parts=parts,
        capped=capped,
    )


def score_sql(
    params: ScoringParams, *, aligned_sql: str, aligned_params: list, score_alias: str = "rs"
) -> tuple[str, list]:
    """The SQL twin of `score_breakdown`: an expression over the aggregates table (`score_alias`)
    and a boolean SQL test `aligned_sql` (with `aligned_params`), returned with its parameters in
    placeholder order. Same rule, same rounding, same cap."""
    a = score_alias
    edges = list(params.band_edges)
    band = (
        f"(CASE WHEN {a}.mean_effort <= %s THEN 1 WHEN {a}.mean_effort <= %s THEN 2 "
        f"WHEN {a}.mean_effort <= %s THEN 3 WHEN {a}.mean_effort <= %s THEN 4 ELSE 5 END)"
    )
    align = f"(CASE WHEN {aligned_sql} THEN 1::numeric ELSE %s::numeric END)"
    if params.kind == RICE:
        expr = (
            f"LEAST(ROUND(COALESCE({a}.mean_reach, 1) * {a}.mean_impact * {a}.mean_confidence "
            f"* {align} / (100 * {a}.mean_effort), 2), %s::numeric)"
        )
        return expr, [*aligned_params, params.alignment_factor, SCORE_CAP]
    if params.kind == ICE:
        expr = f"ROUND({a}.mean_impact * (6 - {band}) * {a}.mean_confidence * {align} / 100, 2)"
        return expr, [*edges, *aligned_params, params.alignment_factor]
    expr = (
        f"ROUND(100 * (%s::numeric * {a}.mean_impact + %s::numeric * {a}.mean_feasibility "
        f"+ %s::numeric * (6 - {band})) * {align} / (5 * %s::numeric), 2)"
    )
    return expr, [
        params.impact_weight,
        params.feasibility_weight,
        params.cost_weight,
        *edges,
        *aligned_params,
        params.alignment_factor,
        params.weight_sum,
    ]


@dataclass(frozen=True)
class Spread:
    """Lowest and highest value per criterion across assessors, and whether to discuss it."""

    impact: tuple[int, int]
    feasibility: tuple[int, int]
    effort: tuple[Decimal, Decimal]
    cost_band: tuple[int, int]
    confidence: tuple[int, int]
    reach: tuple[int | None, int | None]
    wide: bool
    wide_on: tuple[str, ...]


def spread_of(record, edges: tuple[Decimal, ...] = DEFAULT_BAND_EDGES) -> Spread:
    """Min–max per criterion of a RequestScore. The spread is wide — a discussion to have — when
    assessors are WIDE_SPREAD (2) or more points apart on impact, on feasibility, or on the cost
    band of their effort."""
    bands = (cost_band(record.effort_min, edges), cost_band(record.effort_max, edges))
    gaps = {
        "impact": record.impact_max - record.impact_min,
        "feasibility": record.feasibility_max - record.feasibility_min,
        "cost band": bands[1] - bands[0],
    }
    wide_on = tuple(name for name, gap in gaps.items() if gap >= WIDE_SPREAD)
    return Spread(
        impact=(record.impact_min, record.impact_max),
        feasibility=(record.feasibility_min, record.feasibility_max),
        effort=(record.effort_min, record.effort_max),
        cost_band=bands,
        confidence=(record.confidence_min, record.confidence_max),
        reach=(record.reach_min, record.reach_max),
        wide=bool(wide_on),
        wide_on=wide_on,
    )


def inputs_of(record, *, aligned: bool) -> ScoreInputs:
    """Score inputs from a RequestScore row."""
    return ScoreInputs(
        impact=record.mean_impact,
        feasibility=record.mean_feasibility,
        effort=record.mean_effort,
        confidence=record.mean_confidence,
        reach=record.mean_reach,
        aligned=aligned,
    )


def params_validate(params: ScoringParams) -> None:
    """A lead's scoring model must make sense: a known kind; weights of 0 or more that do not
    add up to 0; an alignment factor within 0–1; four cost-band edges above 0, each higher than
    the one before. The first broken rule is raised, naming its field."""
    if params.kind not in KINDS:
        raise ValidationFailed(f"Choose one of: {', '.join(KINDS)}.", field="kind")
    for name in ("impact_weight", "feasibility_weight", "cost_weight"):
        weight = getattr(params, name)
        if weight < 0:
            raise ValidationFailed("A weight cannot be negative.", field=name)
        if weight > 100:
            raise ValidationFailed("A weight cannot be above 100.", field=name)
    if params.weight_sum <= 0:
        raise ValidationFailed(
            "At least one weight must be above 0 (the weights cannot add up to 0).",
            field="impact_weight",
        )
    if not Decimal(0) <= params.alignment_factor <= Decimal(1):
        raise ValidationFailed(
            "The alignment factor must be between 0 and 1.", field="alignment_factor"
        )
    edges = params.band_edges
    if len(edges) != 4:
        raise ValidationFailed(
            "Give exactly four band edges (upper limits of bands 1–4, in person-days).",
            field="cost_band_edges",
        )
    if edges[0] <= 0:
        raise ValidationFailed("Band edges must be above 0 person-days.", field="cost_band_edges")
    if any(later <= earlier for earlier, later in pairwise(edges)):
        raise ValidationFailed(
            "Band edges must increase: each edge higher than the one before.",
            field="cost_band_edges",
        )
    if edges[-1] > Decimal("99999.9"):
        raise ValidationFailed(
            "Band edges must stay below 100,000 person-days.", field="cost_band_edges"
        )


def plain_number(value) -> str:
    """1.5000 → 1.5, 3.00 → 3: numbers as people write them."""
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        normalized = value.normalize()
        text = format(normalized, "f")
        return text
    return str(value)
