"""What the monitoring report tells the TPI of each unit (SQLite and PostgreSQL): a unit that
meets floors it is not proposed for says why, at whatever stage it is; every reason the report
and its Markdown summary show, pending proposals included, is worded for people, without the
lifecycle's state values, command names or the framework's rule keys; and what to fix first is
ranked from the stored TPI answers as worked out by hand from the LKE's weights."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from config.framework_files import load_framework
from persistence.tables import LifecycleEventCreate, UnitKerja
from reports.monitoring import (
    FIX_FIRST_SHOWN,
    MonitoringReport,
    UnitMonitoringRow,
    monitoring_markdown,
    render_monitoring_html,
    write_monitoring_report,
)
from services.monitoring import _fix_first, monitor_period
from services.pending_proposals import note_pending, pending_proposals
from services.proposals import ProposalRefused, propose_unit
from services.scoring import ScoredPeriod
from tests.builders import candidate_instansi, record_tpi_answers
from tests.database_fixtures import tpi_period
from tests.domain.worksheets import top_answers
from tests.services.test_monitoring_service import (
    FIRST,
    WBK_ONLY,
    WEEK_LATER,
    YEAR,
    NewUow,
    bottom_answers,
    noon,
    set_lhkpn,
)
from zi_domain.answers import AnswerSheet
from zi_domain.framework import Framework
from zi_domain.gaps import fix_first
from zi_domain.lifecycle import Action, UnitState
from zi_domain.predicates import WBBM, WBK, Predicate, next_predicate
from zi_domain.scoring import score_units
from zi_domain.unit_score import UnitTotals, rule_name, unit_score

LONG_AGO = date(YEAR - 2, 1, 20)  # designated more than a year before FIRST
THIS_YEAR = date(YEAR, 1, 20)  # designated less than a year before FIRST

# code: (answers, state, predicate held, designated on)
UNITS: dict[str, tuple[dict[str, str], UnitState, Predicate | None, date]] = {
    "SIAP": (WBK_ONLY, UnitState.DEVELOPING, None, LONG_AGO),
    "SIAP-2": (WBK_ONLY, UnitState.DEVELOPING, None, LONG_AGO),
    "BARU": (WBK_ONLY, UnitState.DEVELOPING, None, THIS_YEAR),
    # Meets WBBM's floors too: the WBBM note used to hide why its WBK proposal waits.
    "PUSKESMAS": (top_answers(), UnitState.DEVELOPING, None, THIS_YEAR),
    "PENETAPAN": (WBK_ONLY, UnitState.DESIGNATED, None, LONG_AGO),
    "DITOLAK": (WBK_ONLY, UnitState.REJECTED, None, LONG_AGO),
    "BERPREDIKAT": (top_answers(), UnitState.AWARDED_WBK, WBK, LONG_AGO),
    "WBBM": (top_answers(), UnitState.AWARDED_WBBM, WBBM, LONG_AGO),
    "USUL": (WBK_ONLY, UnitState.PROPOSED, None, LONG_AGO),
    "RENDAH": (bottom_answers(), UnitState.DEVELOPING, None, LONG_AGO),
    "PERBAIKI": (
        top_answers()
        | {
            "B.I.a": "3,00",  # IPAK: 3/4 x 17,50 = 13,125 points
            "B.II.a": "3,40",  # IPKP: 14,875 points, above WBK's 14,00
            "A.II.5.ii.a": "0%",  # area 5 (weight 15), indicator weight 3,00, one question
            "A.II.5.i.a": "E",  # indicator weight 2,50, one question
            "A.II.5.iii.a": "0%",  # indicator weight 2,00, two questions: 1,00 each
            "A.II.4.i.a": "50%",  # area 4, indicator weight 2,00, one question
        },
        UnitState.DEVELOPING,
        None,
        LONG_AGO,
    ),
}
WITH_TPN = {UnitState.PROPOSED, *(s for s in UnitState if s.value.startswith("tpn_"))}


@pytest.fixture
def period(new_uow: NewUow) -> tuple[int, dict[str, int]]:
    """An instansi in good standing with the units above, each with the TPI's answers."""
    with new_uow() as uow:
        ids = candidate_instansi(
            uow,
            name="Kabupaten Alasan",
            standing_years=[YEAR],
            units=dict.fromkeys(UNITS, True),
            unit_year=YEAR,
        )
        added = uow.assessments.add_period(period=tpi_period(ids["instansi"], YEAR))
        assert added.id is not None
        for code, (_, state, held, designated_on) in UNITS.items():
            unit = uow.units.get_unit(unit_id=ids[code])
            assert unit is not None
            unit.state, unit.predicate = state, held
            uow.units.record_event(
                event=LifecycleEventCreate(
                    instansi_id=ids["instansi"],
                    unit_id=ids[code],
                    year=designated_on.year,
                    kind=Action.DESIGNATE,
                    from_state=UnitState.DECLARED,
                    to_state=UnitState.DESIGNATED,
                    actor="setup",
                    occurred_at=noon(designated_on),
                )
            )
        uow.commit()
    for code, (answers, *_) in UNITS.items():
        with new_uow() as uow:
            record_tpi_answers(uow, unit_id=ids[code], period_id=added.id, answers=answers)
            uow.commit()
    return added.id, ids


def monitor(new_uow: NewUow, period_id: int, as_of: date) -> MonitoringReport:
    """The run's report with the details of the units it shows in full, as the flow gets it."""
    with new_uow() as uow:
        outcome = monitor_period(
            uow, period_id=period_id, framework=load_framework(None), as_of=as_of, report_dir=None
        )
        return outcome.in_full.detail(uow, outcome.report)


def why(row: UnitMonitoringRow, predicate: str) -> list[str]:
    """The sentences that say why the unit is, or is not yet, proposed for `predicate`."""
    return [
        c
        for c in row.changes
        if c.startswith((f"memenuhi batas nilai {predicate}", f"baru memenuhi batas {predicate}"))
    ]


def held(new_uow: NewUow, ids: dict[str, int]) -> dict[str, UnitKerja]:
    with new_uow() as uow:
        units = {code: uow.units.get_unit(unit_id=unit_id) for code, unit_id in ids.items()}
    return {code: unit for code, unit in units.items() if unit is not None}


def test_every_unit_that_meets_floors_but_is_not_proposed_says_why(
    new_uow: NewUow, period: tuple[int, dict[str, int]]
) -> None:
    period_id, ids = period
    first = monitor(new_uow, period_id, FIRST)
    rows = {row.code: row for row in first.units}
    units = held(new_uow, ids)

    for code, row in rows.items():
        unit = units[code]
        predicate = next_predicate(unit.predicate)
        awaiting = (
            row.meets[predicate]
            and unit.predicate != WBBM
            and UnitState(unit.state) not in WITH_TPN
        )
        assert len(why(row, predicate)) == (1 if awaiting else 0), (code, row.changes)
    assert {code for code, row in rows.items() if why(row, WBK) or why(row, WBBM)} == {
        "SIAP",
        "SIAP-2",
        "BARU",
        "PUSKESMAS",
        "PENETAPAN",
        "DITOLAK",
        "BERPREDIKAT",
    }

    (ready,) = why(rows["SIAP"], WBK)
    assert ready == "baru memenuhi batas WBK; siap diusulkan ke TPN"
    for code in ("BARU", "PUSKESMAS"):  # building since 20 January, a year on 20 January 2028
        (waiting,) = why(rows[code], WBK)
        assert waiting.startswith(
            "memenuhi batas nilai WBK, tetapi belum dapat diusulkan: prasyarat pengusulan WBK "
            "(Tabel 5) belum terpenuhi: "
        )
        assert "dimulai 20 Januari 2027, genap satu tahun pada 20 Januari 2028" in waiting
    assert (
        "memenuhi batas nilai WBBM, tetapi WBBM hanya untuk unit yang telah berpredikat WBK; "
        "unit diusulkan untuk WBK lebih dulu"
    ) in rows["PUSKESMAS"].changes
    for code, stage, predicate in (
        ("PENETAPAN", "Penetapan", WBK),
        ("DITOLAK", "Ditolak", WBK),
        ("BERPREDIKAT", "Berpredikat WBK", WBBM),
    ):
        assert why(rows[code], predicate) == [
            f"memenuhi batas nilai {predicate}, tetapi belum dapat diusulkan dari tahap "
            f"“{stage}”; usulan dibuat dari tahap “Evaluasi TPI”"
        ]

    # A week later the crossing is recorded and no proposal made yet (monitoring alone).
    later = {row.code: row for row in monitor(new_uow, period_id, WEEK_LATER).units}
    assert why(later["SIAP"], WBK) == [
        "memenuhi batas nilai WBK sejak pemantauan sebelumnya; usulannya ke TPN dibuat, atau "
        "dicoba lagi, setelah pemantauan ini"
    ]
    page = render_monitoring_html(replace(first, units=tuple(later.values())))
    for row in later.values():
        for sentence in why(row, WBK) + why(row, WBBM):
            assert escaped(sentence) in page


def escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- no internal text -----------------------------------------------------------------------------


def internal_words(framework: Framework) -> list[str]:
    """The lifecycle's state values and command names, and the framework's floor rule keys
    (`area_percent.4`, `pelayanan_prima`), except a key that is a word of its own name in
    Indonesian ('total' in 'Nilai total', 'kinerja' in 'Capaian kinerja lebih baik'): that
    one cannot be told apart from the language."""
    rules = {
        key
        for predicate in framework.predicates
        for floor in predicate.floors
        for key in (
            [floor.rule, *(f"{floor.rule}.{a.number}" for a in framework.areas)]
            if floor.rule == "area_percent"
            else [floor.rule]
        )
    }
    return [
        *(state.value for state in UnitState),
        *(action.value for action in Action),
        *sorted(
            key
            for key in rules
            if key.startswith("area_percent") or key not in rule_name(key, framework)
        ),
    ]


def leaks(text: str, words: list[str]) -> list[str]:
    return [w for w in words if re.search(rf"(?<![\w.-]){re.escape(w)}(?![\w-])", text)]


def test_no_reason_in_the_report_shows_internal_text(
    new_uow: NewUow, period: tuple[int, dict[str, int]], tmp_path: Path
) -> None:
    period_id, ids = period
    framework = load_framework(None)
    monitor(new_uow, period_id, FIRST)
    # Both ready units' proposals are refused: one for its LHKPN, one for its stage.
    with new_uow() as uow:
        set_lhkpn(uow, ids["SIAP"], 97.5)
        moved = uow.units.get_unit(unit_id=ids["SIAP-2"])
        assert moved is not None
        moved.state = UnitState.DESIGNATED
        uow.commit()
    for code in ("SIAP", "SIAP-2"):
        with new_uow() as uow:
            (crossing,) = [
                p for p in pending_proposals(uow, period_ids=[period_id]) if p.code == code
            ]
            with pytest.raises(ProposalRefused) as refused:
                propose_unit(
                    uow,
                    unit_id=ids[code],
                    year=YEAR,
                    as_of=FIRST,
                    actor="TPI",
                    framework=framework,
                    data_dir=tmp_path,
                )
            note_pending(uow, crossing_id=crossing.crossing_id, error=refused.value)
    report = monitor(new_uow, period_id, WEEK_LATER)
    with new_uow() as uow:
        pending = tuple(pending_proposals(uow, period_ids=[period_id]))
    report = replace(report, pending=pending)
    reasons = {p.code: p.reason for p in pending}
    assert reasons["SIAP"] == (
        "syarat pengusulan belum terpenuhi: prasyarat pengusulan WBK (Tabel 5) belum terpenuhi: "
        "kepatuhan penyampaian LHKPN: 97,50%; disyaratkan 100%"
    )
    assert reasons["SIAP-2"] == (
        "syarat pengusulan belum terpenuhi: tindakan ini hanya berlaku pada tahap “Evaluasi TPI”"
    )

    words = internal_words(framework)
    assert {"under_tpi_evaluation", "propose", "area_percent.4", "pelayanan_prima"} <= set(words)
    page = render_monitoring_html(report)
    assert leaks(page, words) == []
    assert leaks(monitoring_markdown(report), words) == []
    assert "(propose)" not in page and "'under_tpi_evaluation'" not in page
    # The test would see them: a row with the old wording leaks.
    old = replace(
        report.units[0],
        changes=(
            "Unit tidak dapat diusulkan (propose) dari tahap 'under_tpi_evaluation' "
            "(Evaluasi TPI): batas nilai: pelayanan_prima kurang 0,04; area_percent.4",
        ),
    )
    found = leaks(render_monitoring_html(replace(report, units=(old,))), words)
    assert {"under_tpi_evaluation", "propose", "area_percent.4", "pelayanan_prima"} <= set(found)


def test_what_to_fix_first_is_ranked_from_the_stored_answers(
    new_uow: NewUow, period: tuple[int, dict[str, int]]
) -> None:
    """PERBAIKI by hand, toward WBK. Area 5 keeps 15 - 3,00 - 2,50 - 1,00 = 8,50 points, 56,67 %
    of its weight: 0,50 points short of 60 %. IPAK is 13,125: 2,625 short of 15,75; with
    kinerja's 5,00 the clean and accountable bureaucracy is 18,125: 0,125 short of 18,25.
    The total (85,50), pengungkit (52,50), kinerja and IPKP (14,875) meet their floors.

    Raised to its top answer, B.I.a (4,375 points) supplies 0,125 + 2,625 = 2,75 missing
    points; A.II.5.ii.a (3,00), A.II.5.i.a (2,50) and A.II.5.iii.a (1,00) each supply area 5's
    0,50, so their gains order them. Then the items that close no floor, by points to the top:
    B.II.a (2,625) before A.II.4.i.a (1,00)."""
    period_id, _ = period
    report = monitor(new_uow, period_id, FIRST)
    (row,) = [row for row in report.units if row.code == "PERBAIKI"]

    assert row.next_predicate == WBK and not row.meets[WBK]
    shown = [
        (item.code, round(item.toward_floors, 4), round(item.gain, 4), item.helps)
        for item in row.fix_first
    ]
    assert shown == [
        (
            "B.I.a",
            2.75,
            4.375,
            ("Birokrasi yang bersih dan akuntabel", "Survei persepsi anti korupsi (IPAK)"),
        ),
        ("A.II.5.ii.a", 0.5, 3.0, ("Area 5 Penguatan Pengawasan (% bobot)",)),
        ("A.II.5.i.a", 0.5, 2.5, ("Area 5 Penguatan Pengawasan (% bobot)",)),
        ("A.II.5.iii.a", 0.5, 1.0, ("Area 5 Penguatan Pengawasan (% bobot)",)),
        ("B.II.a", 0.0, 2.625, ()),
    ]
    assert row.fix_first[0].text == "Nilai Survey Persepsi Korupsi (Survei Eksternal)"

    page = render_monitoring_html(report)
    details = page[page.index('<span class="summary-title">Rincian PERBAIKI</span>') :]
    points = re.findall(r'<span class="fix-points">(.*?)</span></span>', details)[:5]
    assert [re.sub(r"<[^>]+>", "", p) for p in points] == [
        "+2,75 poin menuju batas WBK · +4,38 poin total",
        "+0,50 poin menuju batas WBK · +3,00 poin total",
        "+0,50 poin menuju batas WBK · +2,50 poin total",
        "+0,50 poin menuju batas WBK · +1,00 poin total",
        "+0,00 poin menuju batas WBK · +2,63 poin total",
    ]


def test_every_unit_is_ranked_as_fix_first_ranks_it() -> None:
    """The report ranks all units at once (`services.monitoring._fix_first`): the same items,
    numbers and floors as `zi_domain.gaps.fix_first` gives each unit alone, for units answered
    at random (choices, percentages, missing answers, one at the top, one with no answer),
    toward WBK and toward WBBM."""
    framework = load_framework(None)
    rng = np.random.default_rng(2027)
    items = [(q.code, q.answer_type) for q in framework.questions]
    items += [(i.code, i.answer_type) for i in framework.hasil_items]
    rows = []
    for unit in range(300):
        quality = {0: 1.0, 1: 0.0}.get(unit, rng.uniform(0.3, 1.0))
        row = {}
        for code, answer_type in items:
            draw = rng.random()
            if unit == 1 or (unit > 1 and draw < 0.03):
                row[code] = np.nan
            elif draw < quality:
                row[code] = 1.0
            elif answer_type.kind == "choice":
                row[code] = rng.choice(list(answer_type.values.values()))
            else:
                row[code] = rng.uniform(0.0, 1.0)
        rows.append(row)
    values = pd.DataFrame(rows, index=pd.Index(range(1, len(rows) + 1), name="unit"))
    scores = score_units(values, framework)
    aims = {unit: WBBM if unit % 3 == 0 else WBK for unit in values.index}
    details = {unit: unit_score(scores.loc[unit], [], framework).to_json() for unit in values.index}
    scored = ScoredPeriod(
        scores=scores,
        details=details,
        totals={unit: UnitTotals.of(stored) for unit, stored in details.items()},
        sheet=AnswerSheet(values=values),
    )

    ranked = _fix_first(scored, framework, aims=aims)

    def words(rules: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(rule_name(rule, framework) for rule in rules)

    assert ranked[1] == () and ranked[2]  # all at the top: nothing; nothing answered: all
    assert sum(bool(item.helps) for items in ranked.values() for item in items) > 100
    for unit in values.index:
        alone = fix_first(values.loc[unit], scores.loc[unit], framework, aims[unit])
        expected = [
            (g.code, g.text, g.toward_floors, g.gain, words(g.helps))
            for g in alone[:FIX_FIRST_SHOWN]
        ]
        shown = [(i.code, i.text, i.toward_floors, i.gain, i.helps) for i in ranked[unit]]
        assert shown == expected, unit


def test_a_run_without_its_report_leaves_the_details_to_its_caller(
    new_uow: NewUow, period: tuple[int, dict[str, int]]
) -> None:
    """The flow writes the report itself, once the proposals are settled: the run builds no
    details for it, and `in_full.detail` builds them for every unit of a one-page report."""
    period_id, _ = period
    with new_uow() as uow:
        outcome = monitor_period(
            uow, period_id=period_id, framework=load_framework(None), as_of=FIRST, report_dir=None
        )
        assert not any(row.detailed for row in outcome.report.units)
        detailed = outcome.in_full.detail(uow, outcome.report)
    assert detailed.units and all(row.detailed for row in detailed.units)
    assert any(row.shortfalls for row in detailed.units)


def test_a_larger_run_builds_details_only_for_the_units_it_can_show_in_full(
    new_uow: NewUow,
    period: tuple[int, dict[str, int]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Above FULL_PAGE_UNITS units (made 3 here), the report shows in full only the units that
    ask for attention; those alone get the words of their shortfalls, what to fix first, the
    evidence list, the indices, the surveys and the history, the same as a small run gives
    them, and the rest only their ranked line (with how many floors they miss). Which units
    ask for attention depends on the proposals still pending that the report lists: the
    flow's report, which lists them, gets the details of those units too (`InFull.detail`)."""
    period_id, _ = period
    small = {row.code: row for row in monitor(new_uow, period_id, FIRST).units}
    assert all(row.detailed for row in small.values())
    monkeypatch.setattr("reports.monitoring.FULL_PAGE_UNITS", 3)

    with new_uow() as uow:
        outcome = monitor_period(
            uow,
            period_id=period_id,
            framework=load_framework(None),
            as_of=WEEK_LATER,
            report_dir=tmp_path,
        )
    # Its own report lists no pending proposal: SIAP and SIAP-2, which only wait for theirs,
    # do not ask for attention in it.
    bare = {row.code for row in outcome.report.units if row.detailed}
    assert not bare & {"SIAP", "SIAP-2", "RENDAH"}

    # As the flow writes it, with the proposals still pending listed.
    with new_uow() as uow:
        still = pending_proposals(uow, period_ids=[period_id])
        assert {p.code for p in still} >= {"SIAP", "SIAP-2"}
        report = outcome.in_full.detail(uow, replace(outcome.report, pending=tuple(still)))
    larger = {row.code: row for row in report.units}
    detailed = {code for code, row in larger.items() if row.detailed}
    assert {"SIAP", "SIAP-2"} <= detailed and "RENDAH" not in detailed
    assert detailed < set(larger)
    for code, row in larger.items():
        details = (row.shortfalls, row.fix_first, row.evidence_missing, row.indices, row.surveys)
        was = small[code]
        assert row.missed_floors == len(was.shortfalls)  # the ranked line counts them
        if code in detailed:
            assert details == (
                was.shortfalls,
                was.fix_first,
                was.evidence_missing,
                was.indices,
                was.surveys,
            )
            assert row.history[0] == was.history[0] and len(row.history) == 2
        else:
            assert details == ((), (), (), (), ()) and row.history == ()
    assert any(larger[code].missed_floors for code in set(larger) - detailed)

    path = write_monitoring_report(report, tmp_path / "f")
    overview = path.read_text(encoding="utf-8")
    assert '<span class="summary-title">Rincian SIAP</span>' in overview
    assert '<span class="summary-title">Rincian RENDAH</span>' not in overview
