"""The LKE framework model: what a regulation's worksheet is, independent of any one regulation.

A `Framework` is built from a data file (see `config/frameworks/FORMAT.md`) by
`zi_domain.framework_file`; scoring reads only this model, so a new regulation is a new file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

AnswerKind = Literal["choice", "percentage", "index"]


@dataclass(frozen=True)
class AnswerType:
    """How an answer is written and what it is worth (0..1)."""

    name: str
    kind: AnswerKind
    label: str
    values: dict[str, float] = field(default_factory=dict)
    minimum: float = 0.0
    maximum: float = 1.0

    @property
    def top_answer(self) -> str:
        """The answer worth the most, e.g. "Ya", "A", "100%" or "4"."""
        if self.kind == "choice":
            return max(self.values, key=lambda k: self.values[k])
        if self.kind == "percentage":
            return "100%"
        return f"{self.maximum:g}"


@dataclass(frozen=True)
class CountInput:
    """A "Jumlah" row of a percentage question; `parts` are its indented sub-rows."""

    key: str
    text: str
    parts: tuple[CountInput, ...] = ()


@dataclass(frozen=True)
class Term:
    """One input of a formula with its sign: numerator "a - b" is (+1, a), (-1, b)."""

    sign: int
    key: str


@dataclass(frozen=True)
class CountFormula:
    """numerator / denominator over the question's inputs, with the 0/0 value of the file."""

    numerator: tuple[Term, ...]
    denominator: tuple[Term, ...]
    zero_denominator: float


@dataclass(frozen=True)
class Question:
    """A pengungkit question, placed in its half, area and indicator."""

    code: str
    text: str
    answer_type: AnswerType
    half_key: str
    area_number: int
    indicator_code: str
    explanation: str = ""
    options: dict[str, str] = field(default_factory=dict)
    inputs: tuple[CountInput, ...] = ()
    formula: CountFormula | None = None
    note: str = ""


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    weight: float
    half_key: str
    area_number: int
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Area:
    """A change area with its whole weight (pemenuhan + reform)."""

    number: int
    name: str
    weight: float


@dataclass(frozen=True)
class Half:
    """Pemenuhan or reform: each area has a share of its weight in each half."""

    code: str
    key: str
    name: str
    weight: float
    area_weights: dict[int, float]


@dataclass(frozen=True)
class HasilItem:
    """A result item (IPAK, kinerja, IPKP): points = weight × value."""

    code: str
    key: str
    text: str
    answer_type: AnswerType
    weight: float
    group_key: str
    explanation: str = ""
    options: dict[str, str] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class HasilGroup:
    code: str
    key: str
    name: str
    weight: float
    items: tuple[HasilItem, ...]


@dataclass(frozen=True)
class Floor:
    """A minimum of Tabel 6: `rule` is total, pengungkit, hasil, area_percent or a hasil key."""

    rule: str
    minimum: float


@dataclass(frozen=True)
class Predicate:
    name: str
    floors: tuple[Floor, ...]
    requires_predicate: str | None = None


@dataclass(frozen=True, eq=False)
class Framework:
    """One regulation's whole LKE; compared and hashed by identity (one object per file)."""

    name: str
    title: str
    source: str
    total_weight: float
    pengungkit_weight: float
    hasil_weight: float
    answer_types: dict[str, AnswerType]
    areas: tuple[Area, ...]
    halves: tuple[Half, ...]
    indicators: tuple[Indicator, ...]
    hasil_groups: tuple[HasilGroup, ...]
    predicates: tuple[Predicate, ...]

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for indicator in self.indicators for q in indicator.questions)

    @property
    def hasil_items(self) -> tuple[HasilItem, ...]:
        return tuple(item for group in self.hasil_groups for item in group.items)

    @property
    def item_codes(self) -> tuple[str, ...]:
        """Every answerable code in worksheet order: pengungkit questions, then hasil items."""
        return tuple(q.code for q in self.questions) + tuple(i.code for i in self.hasil_items)

    def area(self, number: int) -> Area:
        return next(a for a in self.areas if a.number == number)

    def predicate(self, name: str) -> Predicate:
        return next(p for p in self.predicates if p.name == name)
