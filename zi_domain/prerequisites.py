"""The proposal prerequisites of Tabel 5 (Syarat Pengusulan ZI), as restated by PermenPANRB 5/2024.

Every rule is checked and each one that fails is reported with what it requires and what the
data shows, so a unit sees everything it still lacks at once. Grades (SAKIP, Indeks RB) are
ordered AA > A > BB > B > CC > C > D. Percentages must reach 100 % exactly; only float noise
(under 1e-9, e.g. from a ratio of equal counts) is forgiven, so 99,999 % is not 100 %.

The 5/2024 exemption. After Tabel 5 the regulation says that, to push regional governments
(Pemerintah Daerah) on the Stranas PK priority actions, the units listed (a. rumah sakit umum
daerah; b. dinas kependudukan dan catatan sipil; c. Samsat (sistem administrasi manunggal
satu atap); d. PTSP; e. education and f. labour services) "tetap dapat melakukan
pembangunan Zona Integritas dan mengajukan pengusulan ke TPN meskipun masih dalam proses
pemenuhan syarat sebagaimana disebutkan pada Tabel 5. Syarat Pengusulan ZI." The sentence
names Tabel 5 as a whole, not its instansi rows: Tabel 5 has an instansi level and a unit
level, and no row is singled out. So every rule of Tabel 5, instansi and unit, for WBK and
WBBM alike, is waived for such a unit (`PRIORITY_REGIONAL_WAIVES`); the shorter summary
("before meeting the instansi prerequisites") reads narrower than the text. Waived rules are
still reported (`PrerequisiteCheck.waived`): the unit must still be "in the process" of
meeting them. The exemption applies only in a pemerintah_daerah instansi (the paragraph
speaks of Pemerintah Daerah), and never to missing data: without the standings it is unknown
whether the unit qualifies. It does not touch the Tabel 6 floors on the TPI score, which the
lifecycle checks separately.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from zi_domain.indonesian import angka, tanggal
from zi_domain.lifecycle import years_after
from zi_domain.predicates import PREDICATES, WBBM, WBK
from zi_domain.rounding import lke_round

GRADES = ("AA", "A", "BB", "B", "CC", "C", "D")  # best first
BPK_OPINIONS = ("WTP", "WDP", "TW", "TMP")
INSTANSI_KINDS = ("kementerian_lembaga", "pemerintah_daerah")
FULL_PERCENT = 100.0
_PERCENT_NOISE = 1e-9

InstansiKind = Literal["kementerian_lembaga", "pemerintah_daerah"]
Level = Literal["instansi", "unit"]

# Tabel 5 minima by predicate; Indeks RB by predicate and kind of instansi.
SAKIP_MINIMUM: dict[str, str] = {WBK: "B", WBBM: "BB"}
INTERNAL_SAKIP_MINIMUM: dict[str, str] = {WBK: "B", WBBM: "BB"}
INDEKS_RB_MINIMUM: dict[tuple[str, str], str] = {
    (WBK, "pemerintah_daerah"): "CC",
    (WBK, "kementerian_lembaga"): "B",
    (WBBM, "pemerintah_daerah"): "B",
    (WBBM, "kementerian_lembaga"): "BB",
}
SPIP_MINIMUM_LEVEL = 3
BUILDING_MINIMUM_YEARS = 1

TABEL_5_RULES = (
    "bpk_opinion",
    "sakip_grade",
    "indeks_rb",
    "spip_level",
    "follow_up_findings",
    "lhkpn",
    "lhkasn",
    "building_one_year",
    "internal_sakip_grade",
    "core_service",
    "significant_public_impact",
)
# What the 5/2024 exemption waives for a priority regional service unit: all of Tabel 5.
PRIORITY_REGIONAL_WAIVES = frozenset(TABEL_5_RULES)


def grade_rank(grade: str) -> int:
    """0 for AA (best) up to 6 for D; an unknown grade is a ValueError naming it."""
    if grade not in GRADES:
        raise ValueError(f"nilai '{grade}' tidak dikenal; yang dikenal: {', '.join(GRADES)}")
    return GRADES.index(grade)


def grade_at_least(grade: str, minimum: str) -> bool:
    """Whether `grade` is `minimum` or better."""
    return grade_rank(grade) <= grade_rank(minimum)


def _check_one_of(name: str, value: str, known: tuple[str, ...]) -> None:
    if value not in known:
        raise ValueError(f"{name} '{value}' tidak dikenal; yang dikenal: {', '.join(known)}")


@dataclass(frozen=True)
class InstansiStanding:
    """The instansi's results for the year: they gate every unit it proposes."""

    kind: InstansiKind
    bpk_opinion: str  # WTP, WDP, TW or TMP
    sakip_grade: str
    indeks_rb: str
    spip_level: int

    def __post_init__(self) -> None:
        _check_one_of("jenis instansi", self.kind, INSTANSI_KINDS)
        _check_one_of("opini BPK", self.bpk_opinion, BPK_OPINIONS)
        grade_rank(self.sakip_grade)
        grade_rank(self.indeks_rb)


@dataclass(frozen=True)
class UnitStanding:
    """The unit's results for the year (percentages 0..100)."""

    follow_up_findings_percent: float
    lhkpn_percent: float
    lhkasn_percent: float
    internal_sakip_grade: str
    building_since: date | None  # when building toward this predicate began
    core_service: bool
    significant_public_impact: bool
    priority_regional_service: bool  # 5/2024: RSUD, Dukcapil, Samsat, PTSP, education, labour

    def __post_init__(self) -> None:
        grade_rank(self.internal_sakip_grade)
        for name in ("follow_up_findings_percent", "lhkpn_percent", "lhkasn_percent"):
            value = getattr(self, name)
            if not 0.0 <= value <= FULL_PERCENT:
                raise ValueError(f"{name} harus 0..100, bukan {value}")


@dataclass(frozen=True)
class UnmetPrerequisite:
    level: Level
    rule: str  # a stable key, e.g. "bpk_opinion", "lhkpn", "instansi_data_missing"
    required: str
    actual: str
    message: str  # Indonesian, for the user


@dataclass(frozen=True)
class PrerequisiteCheck:
    unmet: tuple[UnmetPrerequisite, ...]
    waived: tuple[UnmetPrerequisite, ...]  # failing, but waived by the 5/2024 exemption

    @property
    def met(self) -> bool:
        return not self.unmet


def check_prerequisites(
    predicate: str,
    *,
    instansi: InstansiStanding | None,
    unit: UnitStanding | None,
    as_of: date,
) -> PrerequisiteCheck:
    """Every Tabel 5 rule of `predicate` that fails, split into blocking and waived."""
    failing = [
        item.unmet
        for item in prerequisite_checklist(predicate, instansi=instansi, unit=unit, as_of=as_of)
        if item.unmet is not None
    ]
    waivable = PRIORITY_REGIONAL_WAIVES if _exempt(instansi, unit) else frozenset()
    return PrerequisiteCheck(
        unmet=tuple(f for f in failing if f.rule not in waivable),
        waived=tuple(f for f in failing if f.rule in waivable),
    )


@dataclass(frozen=True)
class ChecklistItem:
    """One Tabel 5 rule as the proposal's checklist shows it, met or not."""

    level: Level
    rule: str
    subject: str
    required: str
    actual: str
    unmet: UnmetPrerequisite | None  # None when the rule holds

    @property
    def holds(self) -> bool:
        return self.unmet is None


def prerequisite_checklist(
    predicate: str,
    *,
    instansi: InstansiStanding | None,
    unit: UnitStanding | None,
    as_of: date,
) -> tuple[ChecklistItem, ...]:
    """Every Tabel 5 rule of `predicate` with what it requires and what the data shows; a level
    whose data is missing is one unmet item."""
    _check_one_of("predikat", predicate, PREDICATES)
    return (
        *_checklist("instansi", _instansi_rules(predicate, instansi), as_of),
        *_checklist("unit", _unit_rules(predicate, unit, as_of), as_of),
    )


def _checklist(level: Level, rules: tuple[_Rule, ...] | None, as_of: date) -> list[ChecklistItem]:
    if rules is None:
        missing = _missing(level, as_of)
        return [
            ChecklistItem(
                level, missing.rule, f"data prasyarat {level}", "diisi", "belum diisi", missing
            )
        ]
    return [
        ChecklistItem(
            level=level,
            rule=r.key,
            subject=r.subject,
            required=r.required,
            actual=r.actual,
            unmet=None if r.holds else _unmet(level, r),
        )
        for r in rules
    ]


def _exempt(instansi: InstansiStanding | None, unit: UnitStanding | None) -> bool:
    """The 5/2024 exemption: a priority service unit of a regional government."""
    return (
        instansi is not None
        and instansi.kind == "pemerintah_daerah"
        and unit is not None
        and unit.priority_regional_service
    )


@dataclass(frozen=True)
class _Rule:
    """A Tabel 5 rule applied to the data, worded "<subject>: <actual>; disyaratkan <required>"."""

    key: str
    subject: str
    required: str
    actual: str
    holds: bool


def _unmet(level: Level, r: _Rule) -> UnmetPrerequisite:
    return UnmetPrerequisite(
        level=level,
        rule=r.key,
        required=r.required,
        actual=r.actual,
        message=f"{r.subject}: {r.actual}; disyaratkan {r.required}",
    )


def _missing(level: Level, as_of: date) -> UnmetPrerequisite:
    return UnmetPrerequisite(
        level=level,
        rule=f"{level}_data_missing",
        required="diisi",
        actual="belum diisi",
        message=f"data prasyarat {level} tahun {as_of.year} belum diisi",
    )


def _instansi_rules(predicate: str, instansi: InstansiStanding | None) -> tuple[_Rule, ...] | None:
    if instansi is None:
        return None
    sakip = SAKIP_MINIMUM[predicate]
    rb = INDEKS_RB_MINIMUM[predicate, instansi.kind]
    whom = "pemerintah daerah" if instansi.kind == "pemerintah_daerah" else "kementerian/lembaga"
    opinion = instansi.bpk_opinion
    spip = instansi.spip_level
    return (
        _Rule("bpk_opinion", "opini BPK", "WTP", opinion, opinion == "WTP"),
        _grade("sakip_grade", "predikat SAKIP instansi", instansi.sakip_grade, sakip),
        _grade("indeks_rb", "Indeks RB instansi", instansi.indeks_rb, rb, f" untuk {whom}"),
        _Rule(
            "spip_level",
            "level maturitas SPIP",
            f"minimal level {SPIP_MINIMUM_LEVEL}",
            f"level {spip}",
            spip >= SPIP_MINIMUM_LEVEL,
        ),
    )


def _unit_rules(predicate: str, unit: UnitStanding | None, as_of: date) -> tuple[_Rule, ...] | None:
    if unit is None:
        return None
    return (
        _full(
            "follow_up_findings",
            "penyelesaian tindak lanjut hasil pengawasan/pemeriksaan APIP/BPK",
            unit.follow_up_findings_percent,
        ),
        _full("lhkpn", "kepatuhan penyampaian LHKPN", unit.lhkpn_percent),
        _full("lhkasn", "kepatuhan penyampaian LHKASN", unit.lhkasn_percent),
        _building(predicate, unit.building_since, as_of),
        _grade(
            "internal_sakip_grade",
            "predikat SAKIP unit dari evaluasi internal",
            unit.internal_sakip_grade,
            INTERNAL_SAKIP_MINIMUM[predicate],
        ),
        _yes("core_service", "unit merupakan core layanan instansinya", unit.core_service),
        _yes(
            "significant_public_impact",
            "unit memberikan dampak signifikan terhadap persepsi masyarakat tentang "
            "kualitas birokrasi",
            unit.significant_public_impact,
        ),
    )


def _grade(key: str, subject: str, grade: str, minimum: str, whom: str = "") -> _Rule:
    """A grade that must be `minimum` or better (`whom` qualifies the requirement)."""
    required = f"minimal {minimum}{whom}"
    return _Rule(key, subject, required, grade, grade_at_least(grade, minimum))


def _full(key: str, subject: str, percent: float) -> _Rule:
    """A percentage that must be 100 %."""
    holds = percent >= FULL_PERCENT - _PERCENT_NOISE
    return _Rule(key, subject, f"{angka(FULL_PERCENT, 0)}%", _percent(percent), holds)


def _yes(key: str, subject: str, holds: bool) -> _Rule:
    return _Rule(key, subject, "ya", "ya" if holds else "tidak", holds)


def _building(predicate: str, since: date | None, as_of: date) -> _Rule:
    """At least one year of building toward `predicate` by `as_of` (same day a year later)."""
    subject = f"pembangunan ZI menuju {predicate}"
    required = "minimal satu tahun"
    if since is None:
        return _Rule("building_one_year", subject, required, "tanggal mulai belum diisi", False)
    one_year = years_after(since, BUILDING_MINIMUM_YEARS)
    actual = f"dimulai {tanggal(since)}, genap satu tahun pada {tanggal(one_year)}"
    return _Rule("building_one_year", subject, required, actual, as_of >= one_year)


def _percent(value: float) -> str:
    """Shown as the LKE rounds (66,666 → 66,67), except that a value short of 100 reads at most
    99,99 %, never 100,00 % beside a rule that it fails."""
    shown = lke_round(value)
    return f"{angka(99.99 if shown >= 100.0 and value < 100.0 - _PERCENT_NOISE else shown)}%"
