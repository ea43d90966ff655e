"""What to fix first: the answers that would close a unit's shortfalls soonest.

Each item is ranked by how many of the missing points of the failing floors it would supply if
raised to its top answer (its gain counted toward each failing floor it feeds, up to that floor's
shortfall), then by its gain to the total. `fix_first` is the one ranking every output shows
(e-mails, the monitoring report, `zi score`, the proposal documents): the items that unblock the
next predicate first, then every other item below its top answer by the points it would add.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd

from zi_domain.framework import AnswerType, Framework
from zi_domain.scoring import Shortfall, scoring_weights, shortfalls


@dataclass(frozen=True)
class Gap:
    code: str
    text: str
    value: float  # the item's current value, 0..1 (0 when missing)
    top_answer: str
    gain: float  # points the total gains at the top answer
    helps: tuple[str, ...]  # failing floors that the item feeds
    toward_floors: float  # missing floor points that the gain would supply


def gap_analysis(
    values: pd.Series, scores: pd.Series, framework: Framework, predicate: str
) -> list[Gap]:
    """Items that feed a failing floor of `predicate`, best first; empty when all floors are met."""
    failing = shortfalls(scores, framework, predicate)
    if not failing:
        return []
    missing_points = {s.rule: _missing_points(s, framework) for s in failing}
    weights = scoring_weights(framework)
    points = dict(zip(weights.question_codes, weights.per_question, strict=True))
    points |= {i.code: i.weight for i in framework.hasil_items}
    gaps = []
    for code, text, answer_type, feeds in lke_items(framework):
        value = float(values.get(code, 0.0)) if pd.notna(values.get(code)) else 0.0
        gain = (1.0 - value) * points[code]
        helps = tuple(rule for rule in missing_points if rule in feeds)
        if gain <= 0 or not helps:
            continue
        toward = sum(min(gain, missing_points[rule]) for rule in helps)
        gaps.append(
            Gap(
                code=code,
                text=text,
                value=value,
                top_answer=answer_type.top_answer,
                gain=gain,
                helps=helps,
                toward_floors=toward,
            )
        )
    return sorted(gaps, key=lambda g: (-g.toward_floors, -g.gain, g.code))


def _missing_points(shortfall: Shortfall, framework: Framework) -> float:
    """A shortfall in points; an area's is its percentage shortfall times its weight."""
    if shortfall.rule.startswith("area_percent."):
        area = framework.area(int(shortfall.rule.split(".")[1]))
        return (shortfall.required - shortfall.actual) / 100.0 * area.weight
    return shortfall.required - shortfall.actual


def lke_items(framework: Framework) -> Iterator[tuple[str, str, AnswerType, set[str]]]:
    """(code, text, answer type, the floor rules the item feeds) for every item."""
    for question in framework.questions:
        feeds = {"total", "pengungkit", f"area_percent.{question.area_number}"}
        yield question.code, question.text, question.answer_type, feeds
    for item in framework.hasil_items:
        yield item.code, item.text, item.answer_type, {"total", "hasil", item.group_key, item.key}


def question_gains(values: pd.Series, framework: Framework) -> list[Gap]:
    """Every LKE item answered below its top value (a missing answer counts 0, as the LKE scores
    it), ranked by the points the total would gain at the top answer, largest first, then by
    code; for a unit that already meets every floor this is still the order to improve in,
    where `gap_analysis` has nothing to say. `helps` and `toward_floors` are left empty."""
    weights = scoring_weights(framework)
    points = dict(zip(weights.question_codes, weights.per_question, strict=True))
    points |= {i.code: i.weight for i in framework.hasil_items}
    gains = []
    for code, text, answer_type, _feeds in lke_items(framework):
        found = values.get(code)
        value = float(found) if found is not None and pd.notna(found) else 0.0
        gain = (1.0 - value) * float(points[code])
        if gain > 1e-9:  # binary noise of a value that is at the top
            gains.append(Gap(code, text, value, answer_type.top_answer, gain, (), 0.0))
    return sorted(gains, key=lambda g: (-g.gain, g.code))


def fix_first(
    values: pd.Series, scores: pd.Series, framework: Framework, predicate: str
) -> list[Gap]:
    """What to fix first toward `predicate`: the items that close its failing floors
    (`gap_analysis`, with `toward_floors` > 0), then every other item below its top answer by the
    points it would add (`question_gains`, `toward_floors` 0)."""
    closing = gap_analysis(values, scores, framework, predicate)
    listed = {g.code for g in closing}
    return closing + [g for g in question_gains(values, framework) if g.code not in listed]
