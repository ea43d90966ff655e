"""Builds a `Framework` from the parsed contents of a framework file, refusing a bad one.

Every refusal names the file and the place in it, because a framework decides whether a unit
is proposed to TPN: a wrong weight must stop the load, not skew every score quietly.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from zi_domain.framework import (
    AnswerKind,
    AnswerType,
    Area,
    CountFormula,
    CountInput,
    Floor,
    Framework,
    Half,
    HasilGroup,
    HasilItem,
    Indicator,
    Predicate,
    Question,
    Term,
)

SUPPORTED_FORMAT = 1
WEIGHT_TOLERANCE = 1e-9
BASE_RULES = ("total", "pengungkit", "hasil", "area_percent")
_KINDS: tuple[AnswerKind, ...] = ("choice", "percentage", "index")
_TERM = re.compile(r"\s*([+-]?)\s*([a-z][a-z0-9_]*)\s*")


class FrameworkError(ValueError):
    """A framework file that cannot be used; the message names the file and the place."""


class _Place:
    """A position in the file, for messages: `file: pengungkit.halves[0] (A.I): ...`."""

    def __init__(self, source: str, path: str = "") -> None:
        self.source = source
        self.path = path

    def at(self, step: str) -> _Place:
        joined = (
            f"{self.path}.{step}" if self.path and not step.startswith("[") else self.path + step
        )
        return _Place(self.source, joined)

    def fail(self, problem: str) -> FrameworkError:
        where = f"{self.source}: {self.path}" if self.path else self.source
        return FrameworkError(f"{where}: {problem}")

    def mapping(self, value: object) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(f"expected a mapping, found {type(value).__name__}")
        return value

    def sequence(self, data: Mapping[str, Any], key: str) -> Sequence[Any]:
        value = self.required(data, key)
        if not isinstance(value, list) or not value:
            raise self.at(key).fail("expected a non-empty list")
        return value

    def required(self, data: Mapping[str, Any], key: str) -> Any:
        if key not in data or data[key] is None:
            raise self.fail(f"missing field '{key}'")
        return data[key]

    def text(self, data: Mapping[str, Any], key: str, *, required: bool = True) -> str:
        if not required and data.get(key) is None:
            return ""
        value = self.required(data, key)
        if not isinstance(value, str) or not value.strip():
            raise self.at(key).fail("expected non-empty text")
        return value.strip()

    def number(self, data: Mapping[str, Any], key: str) -> float:
        value = self.required(data, key)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise self.at(key).fail(f"expected a number, found {value!r}")
        return float(value)


def framework_from_data(data: object, *, source: str) -> Framework:
    """The framework described by `data` (a parsed file), validated whole."""
    place = _Place(source)
    root = place.mapping(data)
    if root.get("format") != SUPPORTED_FORMAT:
        raise place.at("format").fail(
            f"unsupported format {root.get('format')!r}; "
            f"this version reads format {SUPPORTED_FORMAT}"
        )
    answer_types = _answer_types(root, place)
    pengungkit = place.mapping(place.required(root, "pengungkit"))
    areas = _areas(pengungkit, place.at("pengungkit"))
    halves, indicators = _halves(pengungkit, place.at("pengungkit"), areas, answer_types)
    hasil_place = place.at("hasil")
    hasil = hasil_place.mapping(place.required(root, "hasil"))
    groups = _hasil_groups(hasil, hasil_place, answer_types)
    framework = Framework(
        name=place.text(root, "name"),
        title=place.text(root, "title"),
        source=place.text(root, "source"),
        total_weight=place.number(root, "total_weight"),
        pengungkit_weight=place.at("pengungkit").number(pengungkit, "weight"),
        hasil_weight=hasil_place.number(hasil, "weight"),
        answer_types=answer_types,
        areas=areas,
        halves=halves,
        indicators=indicators,
        hasil_groups=groups,
        predicates=_predicates(root, place, groups),
    )
    _check_unique_codes(framework, place)
    _check_weights(framework, place)
    return framework


def _answer_types(root: Mapping[str, Any], place: _Place) -> dict[str, AnswerType]:
    types_place = place.at("answer_types")
    raw = types_place.mapping(place.required(root, "answer_types"))
    result: dict[str, AnswerType] = {}
    for name, spec in raw.items():
        here = types_place.at(str(name))
        spec = here.mapping(spec)
        kind = here.required(spec, "kind")
        if kind not in _KINDS:
            raise here.at("kind").fail(f"unknown kind {kind!r}; known: {', '.join(_KINDS)}")
        values: dict[str, float] = {}
        if kind == "choice":
            for answer, value in here.mapping(here.required(spec, "values")).items():
                number = here.at("values").number({str(answer): value}, str(answer))
                if not 0 <= number <= 1:
                    raise here.at(f"values.{answer}").fail("a choice's value must lie in 0..1")
                values[str(answer)] = number
        minimum, maximum = 0.0, 1.0
        if kind == "index":
            minimum, maximum = here.number(spec, "min"), here.number(spec, "max")
            if maximum <= minimum:
                raise here.fail("max must be greater than min")
        result[str(name)] = AnswerType(
            name=str(name),
            kind=kind,
            label=here.text(spec, "label"),
            values=values,
            minimum=minimum,
            maximum=maximum,
        )
    return result


def _areas(pengungkit: Mapping[str, Any], place: _Place) -> tuple[Area, ...]:
    areas = []
    for index, raw in enumerate(place.sequence(pengungkit, "areas")):
        here = place.at(f"areas[{index}]")
        spec = here.mapping(raw)
        number = here.number(spec, "number")
        areas.append(
            Area(
                number=int(number), name=here.text(spec, "name"), weight=here.number(spec, "weight")
            )
        )
    numbers = [a.number for a in areas]
    if len(set(numbers)) != len(numbers):
        raise place.at("areas").fail(f"area numbers repeat: {numbers}")
    return tuple(areas)


def _halves(
    pengungkit: Mapping[str, Any],
    place: _Place,
    areas: tuple[Area, ...],
    answer_types: dict[str, AnswerType],
) -> tuple[tuple[Half, ...], tuple[Indicator, ...]]:
    halves: list[Half] = []
    indicators: list[Indicator] = []
    area_numbers = {a.number for a in areas}
    for h_index, raw_half in enumerate(place.sequence(pengungkit, "halves")):
        here = place.at(f"halves[{h_index}]")
        spec = here.mapping(raw_half)
        code, key = here.text(spec, "code"), here.text(spec, "key")
        here = _Place(here.source, f"{here.path} ({code})")
        area_weights: dict[int, float] = {}
        for a_index, raw_area in enumerate(here.sequence(spec, "areas")):
            area_place = here.at(f"areas[{a_index}]")
            area_spec = area_place.mapping(raw_area)
            number = int(area_place.number(area_spec, "number"))
            if number not in area_numbers:
                raise area_place.at("number").fail(f"area {number} is not in pengungkit.areas")
            if number in area_weights:
                raise area_place.at("number").fail(f"area {number} appears twice in this half")
            area_weights[number] = area_place.number(area_spec, "weight")
            for i_index, raw_indicator in enumerate(area_place.sequence(area_spec, "indicators")):
                indicators.append(
                    _indicator(
                        raw_indicator,
                        area_place.at(f"indicators[{i_index}]"),
                        half_key=key,
                        area_number=number,
                        answer_types=answer_types,
                    )
                )
        halves.append(
            Half(
                code=code,
                key=key,
                name=here.text(spec, "name"),
                weight=here.number(spec, "weight"),
                area_weights=area_weights,
            )
        )
    return tuple(halves), tuple(indicators)


def _indicator(
    raw: object,
    place: _Place,
    *,
    half_key: str,
    area_number: int,
    answer_types: dict[str, AnswerType],
) -> Indicator:
    spec = place.mapping(raw)
    code = place.text(spec, "code")
    place = _Place(place.source, f"{place.path} ({code})")
    questions = []
    for q_index, raw_question in enumerate(place.sequence(spec, "questions")):
        q_place = place.at(f"questions[{q_index}]")
        question = _question(
            raw_question,
            q_place,
            half_key=half_key,
            area_number=area_number,
            indicator_code=code,
            answer_types=answer_types,
        )
        if not question.code.startswith(code + "."):
            raise q_place.fail(f"question {question.code} is not under its indicator's code {code}")
        questions.append(question)
    return Indicator(
        code=code,
        name=place.text(spec, "name"),
        weight=place.number(spec, "weight"),
        half_key=half_key,
        area_number=area_number,
        questions=tuple(questions),
    )


def _question(
    raw: object,
    place: _Place,
    *,
    half_key: str,
    area_number: int,
    indicator_code: str,
    answer_types: dict[str, AnswerType],
) -> Question:
    spec = place.mapping(raw)
    code = place.text(spec, "code")
    place = _Place(place.source, f"{place.path} ({code})")
    answer_type = _answer_type_of(spec, place, answer_types)
    inputs = _inputs(spec, place)
    formula = _formula(spec, place, inputs) if inputs else None
    if inputs and answer_type.kind != "percentage":
        raise place.fail("only a percentage question can have Jumlah inputs")
    return Question(
        code=code,
        text=place.text(spec, "text"),
        answer_type=answer_type,
        half_key=half_key,
        area_number=area_number,
        indicator_code=indicator_code,
        explanation=place.text(spec, "explanation", required=False),
        options=_options(spec, place, answer_type),
        inputs=inputs,
        formula=formula,
        note=place.text(spec, "note", required=False),
    )


def _answer_type_of(
    spec: Mapping[str, Any], place: _Place, answer_types: dict[str, AnswerType]
) -> AnswerType:
    name = place.text(spec, "type")
    if name not in answer_types:
        raise place.at("type").fail(
            f"unknown answer type {name!r}; known: {', '.join(sorted(answer_types))}"
        )
    return answer_types[name]


def _options(spec: Mapping[str, Any], place: _Place, answer_type: AnswerType) -> dict[str, str]:
    """Option texts, one per letter of the type; Ya/Tidak questions explain instead."""
    raw = spec.get("options")
    letters = [k for k in answer_type.values if len(k) == 1]
    if raw is None:
        if letters:
            raise place.fail(f"missing field 'options' (one text for each of {'/'.join(letters)})")
        return {}
    options = {str(k): str(v).strip() for k, v in place.at("options").mapping(raw).items()}
    if sorted(options) != sorted(letters):
        raise place.at("options").fail(
            f"options {'/'.join(options)} do not match the answer type "
            f"{answer_type.name} ({'/'.join(letters) or 'no letters'})"
        )
    return options


def _inputs(spec: Mapping[str, Any], place: _Place) -> tuple[CountInput, ...]:
    if spec.get("inputs") is None:
        return ()
    return tuple(
        _count_input(raw, place.at(f"inputs[{i}]"))
        for i, raw in enumerate(place.sequence(spec, "inputs"))
    )


def _count_input(raw: object, place: _Place) -> CountInput:
    spec = place.mapping(raw)
    parts: tuple[CountInput, ...] = ()
    if spec.get("parts") is not None:
        parts = tuple(
            _count_input(p, place.at(f"parts[{i}]"))
            for i, p in enumerate(place.sequence(spec, "parts"))
        )
    return CountInput(key=place.text(spec, "key"), text=place.text(spec, "text"), parts=parts)


def _formula(
    spec: Mapping[str, Any], place: _Place, inputs: tuple[CountInput, ...]
) -> CountFormula:
    keys = {i.key for i in inputs} | {p.key for i in inputs for p in i.parts}
    if len(keys) != sum(1 + len(i.parts) for i in inputs):
        raise place.at("inputs").fail("input keys repeat")
    zero = place.number(spec, "zero_denominator")
    if not 0 <= zero <= 1:
        raise place.at("zero_denominator").fail("must lie in 0..1")
    top_level = {i.key for i in inputs}
    return CountFormula(
        numerator=_terms(place.text(spec, "numerator"), place.at("numerator"), top_level),
        denominator=_terms(place.text(spec, "denominator"), place.at("denominator"), top_level),
        zero_denominator=zero,
    )


def _terms(expression: str, place: _Place, keys: set[str]) -> tuple[Term, ...]:
    terms: list[Term] = []
    position = 0
    while position < len(expression):
        match = _TERM.match(expression, position)
        if match is None or (terms and not match.group(1)):
            raise place.fail(f"cannot read {expression!r}: write input keys joined by + and -")
        if match.group(2) not in keys:
            raise place.fail(f"unknown input {match.group(2)!r}; inputs: {', '.join(sorted(keys))}")
        terms.append(Term(sign=-1 if match.group(1) == "-" else 1, key=match.group(2)))
        position = match.end()
    if not terms:
        raise place.fail("empty formula")
    return tuple(terms)


def _hasil_groups(
    hasil: Mapping[str, Any], place: _Place, answer_types: dict[str, AnswerType]
) -> tuple[HasilGroup, ...]:
    groups = []
    for g_index, raw_group in enumerate(place.sequence(hasil, "groups")):
        here = place.at(f"groups[{g_index}]")
        spec = here.mapping(raw_group)
        key = here.text(spec, "key")
        items = []
        for i_index, raw_item in enumerate(here.sequence(spec, "items")):
            item_place = here.at(f"items[{i_index}]")
            item = item_place.mapping(raw_item)
            answer_type = _answer_type_of(item, item_place, answer_types)
            if answer_type.kind == "percentage":
                raise item_place.at("type").fail("a hasil item is an index or a choice")
            items.append(
                HasilItem(
                    code=item_place.text(item, "code"),
                    key=item_place.text(item, "key"),
                    text=item_place.text(item, "text"),
                    answer_type=answer_type,
                    weight=item_place.number(item, "weight"),
                    group_key=key,
                    explanation=item_place.text(item, "explanation", required=False),
                    options=_options(item, item_place, answer_type),
                    note=item_place.text(item, "note", required=False),
                )
            )
        groups.append(
            HasilGroup(
                code=here.text(spec, "code"),
                key=key,
                name=here.text(spec, "name"),
                weight=here.number(spec, "weight"),
                items=tuple(items),
            )
        )
    return tuple(groups)


def _predicates(
    root: Mapping[str, Any], place: _Place, groups: tuple[HasilGroup, ...]
) -> tuple[Predicate, ...]:
    known_rules = (
        set(BASE_RULES) | {g.key for g in groups} | {i.key for g in groups for i in g.items}
    )
    predicates = []
    for p_index, raw in enumerate(place.sequence(root, "predicates")):
        here = place.at(f"predicates[{p_index}]")
        spec = here.mapping(raw)
        floors = []
        for f_index, raw_floor in enumerate(here.sequence(spec, "floors")):
            floor_place = here.at(f"floors[{f_index}]")
            floor = floor_place.mapping(raw_floor)
            rule = floor_place.text(floor, "rule")
            if rule not in known_rules:
                raise floor_place.at("rule").fail(
                    f"unknown rule {rule!r}; known: {', '.join(sorted(known_rules))}"
                )
            floors.append(Floor(rule=rule, minimum=floor_place.number(floor, "min")))
        requires = spec.get("requires_predicate")
        predicates.append(
            Predicate(
                name=here.text(spec, "name"),
                floors=tuple(floors),
                requires_predicate=str(requires) if requires else None,
            )
        )
    names = [p.name for p in predicates]
    for predicate in predicates:
        if predicate.requires_predicate and predicate.requires_predicate not in names:
            raise place.at("predicates").fail(
                f"{predicate.name} requires unknown predicate {predicate.requires_predicate!r}"
            )
    return tuple(predicates)


def _check_unique_codes(framework: Framework, place: _Place) -> None:
    seen: set[str] = set()
    codes = [h.code for h in framework.halves] + [i.code for i in framework.indicators]
    codes += list(framework.item_codes) + [g.code for g in framework.hasil_groups]
    codes += [i.key for i in framework.hasil_items] + [g.key for g in framework.hasil_groups]
    for code in codes:
        if code in seen:
            raise place.fail(f"code or key {code!r} appears more than once")
        seen.add(code)


def _check_weights(framework: Framework, place: _Place) -> None:
    """Every level must add up to the level above, as printed in the LKE."""

    def expect(total: float, parts: Sequence[float], what: str) -> None:
        if abs(sum(parts) - total) > WEIGHT_TOLERANCE:
            raise place.fail(
                f"weights do not add up: {what} is {total:g} but its parts sum to {sum(parts):g}"
            )

    expect(
        framework.total_weight,
        [framework.pengungkit_weight, framework.hasil_weight],
        "total_weight (pengungkit + hasil)",
    )
    expect(framework.pengungkit_weight, [a.weight for a in framework.areas], "pengungkit (areas)")
    expect(framework.pengungkit_weight, [h.weight for h in framework.halves], "pengungkit (halves)")
    for half in framework.halves:
        expect(half.weight, list(half.area_weights.values()), f"{half.code} {half.name}")
        for number, weight in half.area_weights.items():
            inside = [
                i.weight
                for i in framework.indicators
                if i.half_key == half.key and i.area_number == number
            ]
            expect(weight, inside, f"{half.code} area {number} (its indicators)")
    for area in framework.areas:
        shares = [h.area_weights.get(area.number, 0.0) for h in framework.halves]
        expect(area.weight, shares, f"area {area.number} {area.name} (its halves)")
    expect(framework.hasil_weight, [g.weight for g in framework.hasil_groups], "hasil (groups)")
    for group in framework.hasil_groups:
        expect(group.weight, [i.weight for i in group.items], f"{group.code} {group.name}")
