"""The surveys behind IPAK (LKE B.I.a) and IPKP (B.II.a): the method, the respondents, the index.

PermenPANRB 90/2021 fixes what a survey asks about (Lampiran I p.30-31: IPAK's five aspects;
IPKP follows the public-service survey policy, SKM, with its nine unsur) and whom it asks
(Lampiran II p.55-56: people who have finished receiving the service; at least 30 per unit, fewer
only when the unit had fewer users, "sesuai kaidah statistik"; every service type of the unit).
It leaves the wording, the scale and the formula to TPN/BPS each year, so the method is data (a
`SurveyMethod` read from a file under config/surveys/) and its name and version go with every
result.

Everything here is pure: rows in, problems (with row, column and value) or an index out.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from zi_domain.indonesian import angka, tanggal

SurveyKindName = Literal["ipak", "ipkp"]
Formula = Literal["mean_of_aspects", "skm_ikm"]
KIND_NAMES: tuple[SurveyKindName, ...] = ("ipak", "ipkp")
FORMULAS: tuple[Formula, ...] = ("mean_of_aspects", "skm_ikm")
SKM_FACTOR = 25.0
"""SKM's IKM is the weighted mean of the unsur (1-4) times 25, on 25-100 (PermenPANRB 14/2017);
the 0-4 index is IKM / 25."""
LKE_ITEM: Mapping[str, str] = {"ipak": "B.I.a", "ipkp": "B.II.a"}
"""The LKE item each survey's index answers."""

# The columns of a respondent file besides the items (compared loosely: case, spaces, `_`).
RESPONDENT = "responden"
UNIT = "unit"
SERVICE_TYPE = "jenis_layanan"
SERVED_ON = "tanggal_layanan"
FIXED_COLUMNS = (RESPONDENT, UNIT, SERVICE_TYPE, SERVED_ON)
VALUE_SHOWN = 40
"""Characters of a bad cell that a message repeats; a longer one is cut, its length said."""
MAX_TEXT = 255
"""The longest respondent id or service type a survey stores (the database columns' length)."""


class SurveyMethodError(ValueError):
    """A method file that cannot be used; the message names the file and the place."""


@dataclass(frozen=True)
class SurveyItem:
    code: str
    text: str
    aspect: str  # the key of its aspect


@dataclass(frozen=True)
class Aspect:
    key: str
    name: str
    items: tuple[SurveyItem, ...]


@dataclass(frozen=True)
class Instrument:
    """One questionnaire of a method: IPAK's or IPKP's aspects, items and formula."""

    kind: SurveyKindName
    title: str
    formula: Formula
    aspects: tuple[Aspect, ...]
    labels: Mapping[int, str] = field(default_factory=dict)

    @property
    def items(self) -> tuple[SurveyItem, ...]:
        return tuple(item for aspect in self.aspects for item in aspect.items)


@dataclass(frozen=True)
class SurveyMethod:
    name: str
    version: str
    title: str
    scale_min: int
    scale_max: int
    min_respondents: int
    index_max: float
    instruments: Mapping[str, Instrument]

    @property
    def label(self) -> str:
        """What every result names: 'ipak-ipkp-2024 versi 2024.1'."""
        return f"{self.name} versi {self.version}"

    def instrument(self, kind: str) -> Instrument:
        found = self.instruments.get(kind)
        if found is None:
            raise SurveyMethodError(f"metode {self.label} tidak memuat survei {kind!r}")
        return found


# --- the method file ----------------------------------------------------------------------------


def method_from_data(data: object, *, source: str) -> SurveyMethod:
    """A validated method from a parsed file; SurveyMethodError names the file and the place."""
    top = _mapping(data, source, "")
    name = _text(top, "name", source, "")
    scale = _mapping(top.get("scale", {"min": 1, "max": 4}), source, "scale")
    low, high = _integer(scale, "min", source, "scale"), _integer(scale, "max", source, "scale")
    if not 0 <= low < high:
        raise SurveyMethodError(f"{source}: scale: min {low} dan max {high} tidak sah")
    kinds = _mapping(top.get("kinds"), source, "kinds")
    unknown = sorted(set(kinds) - set(KIND_NAMES))
    if unknown or not kinds:
        raise SurveyMethodError(f"{source}: kinds: pilih ipak dan/atau ipkp (tertulis {unknown})")
    instruments = {
        str(kind): _instrument(str(kind), kinds[kind], source, low, high) for kind in kinds
    }
    codes = Counter(item.code for i in instruments.values() for item in i.items)
    repeated = sorted(code for code, count in codes.items() if count > 1)
    if repeated:
        raise SurveyMethodError(f"{source}: kode butir dipakai lebih dari sekali: {repeated}")
    clash = sorted(c for c in codes if _key(c) in {_key(f) for f in FIXED_COLUMNS})
    if clash:
        raise SurveyMethodError(f"{source}: kode butir sama dengan kolom tetap: {clash}")
    minimum = _integer(top, "min_respondents", source, "", default=30)
    index_max = top.get("index_max", 4)
    if not isinstance(index_max, int | float) or isinstance(index_max, bool) or index_max <= 0:
        raise SurveyMethodError(f"{source}: index_max harus angka positif")
    return SurveyMethod(
        name=name,
        version=str(top.get("version", "1")),
        title=str(top.get("title", name)),
        scale_min=low,
        scale_max=high,
        min_respondents=minimum,
        index_max=float(index_max),
        instruments=instruments,
    )


def _instrument(kind: str, data: object, source: str, low: int, high: int) -> Instrument:
    place = f"kinds.{kind}"
    body = _mapping(data, source, place)
    formula = body.get("formula", "mean_of_aspects")
    if formula not in FORMULAS:
        raise SurveyMethodError(f"{source}: {place}.formula: pilih {', '.join(FORMULAS)}")
    labels = _mapping(body.get("labels", {}), source, f"{place}.labels")
    if any(not isinstance(v, int) or not low <= v <= high for v in labels):
        raise SurveyMethodError(f"{source}: {place}.labels: kunci harus nilai skala {low}-{high}")
    raw_aspects = body.get("aspects")
    if not isinstance(raw_aspects, list) or not raw_aspects:
        raise SurveyMethodError(f"{source}: {place}.aspects: daftar aspek kosong")
    aspects = []
    for number, raw in enumerate(raw_aspects):
        at = f"{place}.aspects[{number}]"
        aspect = _mapping(raw, source, at)
        key = _text(aspect, "key", source, at)
        raw_items = aspect.get("items")
        if not isinstance(raw_items, list) or not raw_items:
            raise SurveyMethodError(f"{source}: {at}.items: aspek tanpa butir")
        items = tuple(
            SurveyItem(
                code=_text(_mapping(i, source, f"{at}.items[{n}]"), "code", source, at),
                text=_text(_mapping(i, source, f"{at}.items[{n}]"), "text", source, at),
                aspect=key,
            )
            for n, i in enumerate(raw_items)
        )
        aspects.append(Aspect(key=key, name=_text(aspect, "name", source, at), items=items))
    if len({a.key for a in aspects}) != len(aspects):
        raise SurveyMethodError(f"{source}: {place}.aspects: kunci aspek berulang")
    return Instrument(
        kind=kind,  # type: ignore[arg-type]  # checked against KIND_NAMES by the caller
        title=str(body.get("title", kind.upper())),
        formula=formula,
        aspects=tuple(aspects),
        labels={int(k): str(v) for k, v in labels.items()},
    )


def _mapping(value: object, source: str, place: str) -> Mapping[Any, Any]:
    if not isinstance(value, Mapping):
        raise SurveyMethodError(f"{source}: {place or 'isi berkas'}: harus berupa pemetaan")
    return value


def _text(data: Mapping[Any, Any], key: str, source: str, place: str) -> str:
    value = data.get(key)
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        raise SurveyMethodError(f"{source}: {place}.{key}: teks wajib diisi".replace(": .", ": "))
    return str(value).strip()


def _integer(
    data: Mapping[Any, Any], key: str, source: str, place: str, default: int | None = None
) -> int:
    value = data.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool):
        raise SurveyMethodError(
            f"{source}: {place}.{key}: harus bilangan bulat".replace(": .", ": ")
        )
    return value


# --- respondent rows ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RespondentRow:
    """One row of a respondent file as read: its line and its cells by column name (fixed
    columns by the names in FIXED_COLUMNS, items by their codes)."""

    row: int
    cells: Mapping[str, str]


@dataclass(frozen=True)
class Respondent:
    row: int
    respondent: str
    service_type: str  # as the unit records it
    served_on: date
    answers: Mapping[str, int]  # item code -> scale value


@dataclass(frozen=True)
class SurveyProblem:
    """One reason a survey is refused; `row` None for the sample as a whole (n, coverage)."""

    problem: str
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"baris {self.row}")
        if self.column is not None:
            where.append(f"kolom '{self.column}'")
        written = "" if self.value is None else f' (tertulis: "{_shown(self.value)}")'
        prefix = f"{', '.join(where)}: " if where else ""
        return f"{prefix}{self.problem}{written}"


def _shown(text: str) -> str:
    return text if len(text) <= VALUE_SHOWN else f"{text[:VALUE_SHOWN]}… ({len(text)} karakter)"


@dataclass(frozen=True)
class SurveyContext:
    """What a respondent file is checked against: the unit, its service types, the period."""

    unit_code: str
    service_types: tuple[str, ...]
    starts_on: date
    ends_on: date


def header_problems(header: Sequence[str], instrument: Instrument) -> list[SurveyProblem]:
    """The columns a respondent file lacks (every fixed column but `unit`, and every item)."""
    present = {_key(name) for name in header}
    wanted = [c for c in FIXED_COLUMNS if c != UNIT] + [i.code for i in instrument.items]
    return [
        SurveyProblem(f"kolom '{name}' tidak ada di kepala kolom")
        for name in wanted
        if _key(name) not in present
    ]


def read_respondents(
    rows: Iterable[RespondentRow],
    *,
    method: SurveyMethod,
    instrument: Instrument,
    context: SurveyContext,
) -> tuple[list[Respondent], list[SurveyProblem]]:
    """Every row checked: a respondent id, given once; the unit (when the file names one); a
    service type of the unit; a date served inside the period; every item answered in the scale
    (a number, or its label as the questionnaire prints it). Problems name row, column, value."""
    types = {_key(t): t for t in context.service_types}
    labels = _label_values(instrument)
    items = instrument.items
    seen: dict[str, int] = {}
    respondents: list[Respondent] = []
    problems: list[SurveyProblem] = []
    for line in rows:
        found: list[SurveyProblem] = []
        cells = line.cells
        ident = cells.get(RESPONDENT, "").strip()
        if not ident:
            found.append(SurveyProblem("id responden kosong", line.row, RESPONDENT))
        elif len(ident) > MAX_TEXT:
            found.append(
                SurveyProblem(
                    f"id responden lebih dari {MAX_TEXT} karakter", line.row, RESPONDENT, ident
                )
            )
        elif ident.casefold() in seen:
            first = seen[ident.casefold()]
            found.append(
                SurveyProblem(
                    f"responden ganda (sama dengan baris {first})", line.row, RESPONDENT, ident
                )
            )
        else:
            seen[ident.casefold()] = line.row
        unit = cells.get(UNIT, "").strip()
        if unit and _key(unit) != _key(context.unit_code):
            found.append(SurveyProblem(f"bukan unit {context.unit_code}", line.row, UNIT, unit))
        given_type = cells.get(SERVICE_TYPE, "").strip()
        service_type = types.get(_key(given_type))
        if service_type is None:
            known = "; ".join(context.service_types) or "belum dicatat"
            found.append(
                SurveyProblem(
                    f"jenis layanan tidak dikenal untuk unit {context.unit_code} "
                    f"(yang ada: {known})",
                    line.row,
                    SERVICE_TYPE,
                    given_type,
                )
            )
        served_text = cells.get(SERVED_ON, "").strip()
        served_on = parse_day(served_text)
        if served_on is None:
            found.append(
                SurveyProblem(
                    "tanggal tidak terbaca; tulis TTTT-BB-HH atau HH/BB/TTTT",
                    line.row,
                    SERVED_ON,
                    served_text,
                )
            )
        elif not context.starts_on <= served_on <= context.ends_on:
            found.append(
                SurveyProblem(
                    f"di luar periode {context.starts_on.isoformat()} s.d. "
                    f"{context.ends_on.isoformat()}",
                    line.row,
                    SERVED_ON,
                    served_text,
                )
            )
        answers: dict[str, int] = {}
        for item in items:
            text = cells.get(item.code, "").strip()
            value = answer_value(text, method, labels)
            if value is None:
                found.append(
                    SurveyProblem(
                        f"jawaban harus {method.scale_min} sampai {method.scale_max}"
                        if text
                        else f"jawaban kosong; isi {method.scale_min} sampai {method.scale_max}",
                        line.row,
                        item.code,
                        text or None,
                    )
                )
            else:
                answers[item.code] = value
        if found:
            problems += found
        else:
            assert service_type is not None and served_on is not None
            respondents.append(Respondent(line.row, ident, service_type, served_on, answers))
    return respondents, problems


def _label_values(instrument: Instrument) -> dict[str, int]:
    """Each label of the scale, keyed loosely ('Sangat setuju' -> 4)."""
    return {_key(label): value for value, label in instrument.labels.items()}


def answer_value(text: str, method: SurveyMethod, labels: Mapping[str, int]) -> int | None:
    """A scale value from what a row holds: a whole number of the scale ('3', '3.0', '3,0'),
    or a label of the questionnaire; None when it is neither."""
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return labels.get(_key(text)) if text else None
    if number.is_integer() and method.scale_min <= number <= method.scale_max:
        return int(number)
    return None


_DAY_FORMATS = (
    re.compile(r"^(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})$"),
    re.compile(r"^(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4})$"),
)


def parse_day(text: str) -> date | None:
    """A day as files and form exports write it: 2026-03-15, 2026/03/15, 15/03/2026, 15-03-2026,
    15.03.2026, with or without a time after it ('2026-03-15 10:22:11', '15/03/2026 10:22')."""
    first = re.split(r"[ T]", text.strip(), maxsplit=1)[0]
    for pattern in _DAY_FORMATS:
        matched = pattern.match(first)
        if matched:
            try:
                return date(int(matched["y"]), int(matched["m"]), int(matched["d"]))
            except ValueError:
                return None
    return None


def sample_problems(
    respondents: Sequence[Respondent],
    *,
    method: SurveyMethod,
    context: SurveyContext,
    justification: str | None,
) -> list[SurveyProblem]:
    """The sample as a whole: at least `min_respondents` (fewer only with a recorded
    justification, Lampiran II p.56 d) and every service type of the unit answered for (e)."""
    problems = []
    if not context.service_types:
        problems.append(
            SurveyProblem(
                f"unit {context.unit_code} belum mencatat jenis layanannya; isi kolom jenis "
                "layanan di buku kerja agensi (`zi agency import`) agar cakupan dapat diperiksa"
            )
        )
    for long in (t for t in context.service_types if len(t) > MAX_TEXT):
        problems.append(
            SurveyProblem(f"jenis layanan unit lebih dari {MAX_TEXT} karakter: {long[:40]}…")
        )
    n = len(respondents)
    if n < method.min_respondents and not (justification and justification.strip()):
        problems.append(
            SurveyProblem(
                f"hanya {n} responden; paling sedikit {method.min_respondents} per unit kerja, "
                "kurang dari itu hanya dengan alasan yang dicatat (--justification), misalnya "
                "jumlah penerima layanan pada periode itu memang lebih kecil"
            )
        )
    covered = coverage(respondents, context.service_types)
    missing = [t for t, count in covered.items() if count == 0]
    if missing:
        problems.append(
            SurveyProblem(
                "jenis layanan unit tanpa responden: "
                + "; ".join(missing)
                + " (setiap jenis layanan harus terwakili)"
            )
        )
    return problems


def coverage(respondents: Sequence[Respondent], service_types: Sequence[str]) -> dict[str, int]:
    """Respondents per service type of the unit, in the unit's order (0 for one not covered)."""
    counts = Counter(r.service_type for r in respondents)
    return {t: counts.get(t, 0) for t in service_types}


# --- the index ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyIndex:
    """A survey's result: the 0-4 index, with what it came from."""

    kind: SurveyKindName
    method: str  # SurveyMethod.label
    formula: Formula
    index: float
    respondents: int
    aspect_means: Mapping[str, float]  # aspect key -> mean on the answer scale
    coverage: Mapping[str, int]
    ikm: float | None = None  # SKM's IKM (25-100) when the formula is skm_ikm


def compute_index(
    respondents: Sequence[Respondent],
    *,
    method: SurveyMethod,
    instrument: Instrument,
    service_types: Sequence[str],
) -> SurveyIndex:
    """The index of complete respondents (every item answered, as `read_respondents` gives).

    An aspect's mean is the mean over respondents of the respondent's mean over the aspect's
    items; mean_of_aspects: index = the mean of the aspect means x index_max / scale max;
    skm_ikm: IKM = 25 x the mean of the aspect means, index = IKM / 25.
    """
    if not respondents:
        raise ValueError("no respondents to compute an index from")
    n = len(respondents)
    means: dict[str, float] = {}
    for aspect in instrument.aspects:
        codes = [item.code for item in aspect.items]
        total = sum(sum(r.answers[c] for c in codes) / len(codes) for r in respondents)
        means[aspect.key] = total / n
    overall = sum(means.values()) / len(means)
    ikm: float | None = None
    if instrument.formula == "skm_ikm":
        ikm = overall * SKM_FACTOR
        index = ikm / SKM_FACTOR
    else:
        index = overall * method.index_max / method.scale_max
    return SurveyIndex(
        kind=instrument.kind,
        method=method.label,
        formula=instrument.formula,
        index=index,
        respondents=n,
        aspect_means=means,
        coverage=coverage(respondents, service_types),
        ikm=ikm,
    )


def index_from_ikm(ikm: float) -> float:
    """An SKM result (IKM 25-100) as the LKE's 0-4 index: IKM / 25 (after an award the TPI may
    use SKM results, Lampiran II Bab III)."""
    if not SKM_FACTOR <= ikm <= 4 * SKM_FACTOR:
        raise ValueError(f"IKM {ikm:g} di luar 25-100")
    return ikm / SKM_FACTOR


def survey_points(index: float, *, weight: float, index_max: float = 4.0) -> float:
    """The LKE points of an index: index / index_max x the item's weight (17.50 for B.I.a and
    B.II.a), unrounded."""
    return index / index_max * weight


def answer_text(index: float) -> str:
    """The index as the LKE answer of B.I.a / B.II.a: unrounded (10 significant digits), so
    that the points and floors are computed on the survey's own value."""
    return f"{index:.10g}"


NO_RESPONDENT_DATA = "nilai diisi di LKE, tanpa data responden"
SOURCE_WORDS: Mapping[str, str] = {
    "tpi": "survei TPI",
    "mandiri": "survei mandiri",
    "tpn": "survei TPN",
}
IN_TPI_LKE = ("tpi", "mandiri")
"""The sources whose index can be the TPI's LKE answer, the TPI's own first (TPN's survey goes
to the proposal, never into the TPI's LKE)."""
SAME_ANSWER = 1e-8
"""How far an LKE answer may be from a survey's index and still be it: `answer_text` keeps ten
significant digits of an index of at most 4."""


@dataclass(frozen=True)
class StoredSurvey:
    """What says where an LKE index comes from: a stored survey of the unit in the period."""

    kind: str  # "ipak" or "ipkp"
    source: str  # "tpi", "mandiri" or "tpn"
    index: float
    respondents: int
    last_served: date | None  # its respondents' last service date; None with none stored


@dataclass(frozen=True)
class IndexInLke:
    """IPAK or IPKP as a score shows it: the LKE's index, its points, and where the index comes
    from, so that a reader tells a survey's result from a number typed into the workbook."""

    kind: str  # "ipak" or "ipkp"
    index: float | None  # None: not answered
    points: float
    source: str  # "survei TPI, n=40, 12 Mei 2026", or NO_RESPONDENT_DATA; "" when not answered

    @property
    def figures(self) -> str:
        """'IPAK (B.I.a) 3,65 · 15,97 poin', or 'IPAK (B.I.a) belum diisi'."""
        label = f"{self.kind.upper()} ({LKE_ITEM[self.kind]})"
        if self.index is None:
            return f"{label} belum diisi"
        return f"{label} {angka(self.index)} · {angka(self.points)} poin"


def survey_words(survey: StoredSurvey) -> str:
    """'survei TPI, n=40, 12 Mei 2026': who ran it, n, and the last day its respondents were
    served (the survey's own date, the same whenever it was imported)."""
    parts = [SOURCE_WORDS.get(survey.source, f"survei {survey.source}"), f"n={survey.respondents}"]
    if survey.last_served is not None:
        parts.append(tanggal(survey.last_served))
    return ", ".join(parts)


def index_in_lke(
    kind: str,
    value: float | None,
    *,
    weight: float,
    index_max: float,
    surveys: Sequence[StoredSurvey],
) -> IndexInLke:
    """The unit's `kind` index from its LKE answer's `value` (0..1 of `index_max`, None or NaN
    when unanswered) and the survey it comes from: of `surveys` (oldest first), the TPI's before
    the unit's own, the newest first, whose index is the answer; none when the answer was typed
    in the LKE without respondents behind it."""
    if value is None or value != value:  # NaN: not answered
        return IndexInLke(kind, None, 0.0, "")
    index = value * index_max
    candidates = [s for s in reversed(surveys) if s.kind == kind and s.source in IN_TPI_LKE]
    candidates.sort(key=lambda s: IN_TPI_LKE.index(s.source))  # stable: newest first stays
    found = next((s for s in candidates if abs(s.index - index) <= SAME_ANSWER), None)
    source = NO_RESPONDENT_DATA if found is None else survey_words(found)
    return IndexInLke(kind, index, value * weight, source)


def respondents_digest(respondents: Sequence[Respondent]) -> str:
    """The identity of a respondent set: the same answers in any order give the same digest."""
    rows = sorted(
        (r.respondent, r.service_type, r.served_on.isoformat(), sorted(r.answers.items()))
        for r in respondents
    )
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()


# --- a form's export ----------------------------------------------------------------------------


def mapped_header(
    header: Sequence[str], mapping: Sequence[tuple[int, str, str]], instrument: Instrument
) -> tuple[dict[str, str], list[SurveyProblem]]:
    """The file's column -> the name the reader uses (a fixed column or an item code): by the
    mapping's lines (row, form column, item) for a form's export, else by the column's own name
    compared loosely (`Jenis Layanan` is `jenis_layanan`, `ak1` is `AK1`); other columns keep
    their name. Problems, with the mapping's row: an unknown item, a column that the file lacks,
    two columns mapped to one item."""
    targets = {_key(name): name for name in FIXED_COLUMNS}
    targets |= {_key(item.code): item.code for item in instrument.items}
    by_key = {_key(column): column for column in header}
    renamed: dict[str, str] = {}
    problems: list[SurveyProblem] = []
    for number, column, target in mapping:
        wanted = targets.get(_key(target))
        if wanted is None:
            problems.append(
                SurveyProblem("butir atau kolom tujuan tidak dikenal", number, "item", target)
            )
            continue
        source = by_key.get(_key(column))
        if source is None:
            problems.append(
                SurveyProblem("kolom formulir tidak ada di berkas", number, "form column", column)
            )
            continue
        if wanted in renamed.values():
            problems.append(SurveyProblem("tujuan dipetakan dua kali", number, "item", target))
            continue
        renamed[source] = wanted
    for column in header:
        renamed.setdefault(column, targets.get(_key(column), column))
    return renamed, problems


def _key(text: str) -> str:
    """How names and labels are compared: case, spaces and punctuation do not matter."""
    return re.sub(r"[^0-9a-z]+", "", text.lower())
