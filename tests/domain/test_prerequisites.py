"""Tabel 5 (as restated by PermenPANRB 5/2024), rule by rule, at and just below each threshold."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from zi_domain.prerequisites import (
    GRADES,
    PRIORITY_REGIONAL_WAIVES,
    TABEL_5_RULES,
    InstansiStanding,
    PrerequisiteCheck,
    UnitStanding,
    UnmetPrerequisite,
    check_prerequisites,
    grade_at_least,
    grade_rank,
)

AS_OF = date(2026, 5, 20)

KL = InstansiStanding(
    kind="kementerian_lembaga", bpk_opinion="WTP", sakip_grade="AA", indeks_rb="AA", spip_level=5
)
PEMDA = replace(KL, kind="pemerintah_daerah")
UNIT = UnitStanding(
    follow_up_findings_percent=100.0,
    lhkpn_percent=100.0,
    lhkasn_percent=100.0,
    internal_sakip_grade="AA",
    building_since=date(2025, 5, 20),  # exactly one year before AS_OF
    core_service=True,
    significant_public_impact=True,
    priority_regional_service=False,
)
# Everything failing at once: BPK TMP, grades D, SPIP 1, nothing filed, building just begun.
WORST_INSTANSI = replace(PEMDA, bpk_opinion="TMP", sakip_grade="D", indeks_rb="D", spip_level=1)
WORST_UNIT = UnitStanding(
    follow_up_findings_percent=0.0,
    lhkpn_percent=0.0,
    lhkasn_percent=0.0,
    internal_sakip_grade="D",
    building_since=AS_OF,
    core_service=False,
    significant_public_impact=False,
    priority_regional_service=True,
)


def check(
    predicate: str,
    instansi: InstansiStanding | None = KL,
    unit: UnitStanding | None = UNIT,
    as_of: date = AS_OF,
) -> PrerequisiteCheck:
    return check_prerequisites(predicate, instansi=instansi, unit=unit, as_of=as_of)


def rules(found: tuple[UnmetPrerequisite, ...]) -> list[str]:
    return [u.rule for u in found]


@pytest.mark.parametrize("predicate", ["WBK", "WBBM"])
@pytest.mark.parametrize("instansi", [KL, PEMDA], ids=["K/L", "pemda"])
def test_top_standings_meet_everything(predicate: str, instansi: InstansiStanding) -> None:
    result = check(predicate, instansi)
    assert result == PrerequisiteCheck(unmet=(), waived=())
    assert result.met


# (predicate, instansi kind, change at the threshold, change just below it, rule)
INSTANSI_THRESHOLDS = [
    ("WBK", "kementerian_lembaga", {"bpk_opinion": "WTP"}, {"bpk_opinion": "WDP"}, "bpk_opinion"),
    ("WBBM", "pemerintah_daerah", {"bpk_opinion": "WTP"}, {"bpk_opinion": "TW"}, "bpk_opinion"),
    ("WBK", "kementerian_lembaga", {"sakip_grade": "B"}, {"sakip_grade": "CC"}, "sakip_grade"),
    ("WBK", "pemerintah_daerah", {"sakip_grade": "B"}, {"sakip_grade": "CC"}, "sakip_grade"),
    ("WBBM", "kementerian_lembaga", {"sakip_grade": "BB"}, {"sakip_grade": "B"}, "sakip_grade"),
    ("WBBM", "pemerintah_daerah", {"sakip_grade": "BB"}, {"sakip_grade": "B"}, "sakip_grade"),
    ("WBK", "pemerintah_daerah", {"indeks_rb": "CC"}, {"indeks_rb": "C"}, "indeks_rb"),
    ("WBK", "kementerian_lembaga", {"indeks_rb": "B"}, {"indeks_rb": "CC"}, "indeks_rb"),
    ("WBBM", "pemerintah_daerah", {"indeks_rb": "B"}, {"indeks_rb": "CC"}, "indeks_rb"),
    ("WBBM", "kementerian_lembaga", {"indeks_rb": "BB"}, {"indeks_rb": "B"}, "indeks_rb"),
    ("WBK", "kementerian_lembaga", {"spip_level": 3}, {"spip_level": 2}, "spip_level"),
    ("WBBM", "pemerintah_daerah", {"spip_level": 3}, {"spip_level": 2}, "spip_level"),
]


@pytest.mark.parametrize(("predicate", "kind", "at", "below", "rule"), INSTANSI_THRESHOLDS)
def test_instansi_rule_at_and_below_its_threshold(
    predicate: str, kind: str, at: dict[str, Any], below: dict[str, Any], rule: str
) -> None:
    instansi = replace(KL, kind=kind)
    assert check(predicate, replace(instansi, **at)).met
    result = check(predicate, replace(instansi, **below))
    assert rules(result.unmet) == [rule]
    assert result.unmet[0].level == "instansi"
    assert result.waived == ()


UNIT_THRESHOLDS = [
    ("WBK", {"follow_up_findings_percent": 100.0}, {"follow_up_findings_percent": 99.99}),
    ("WBK", {"lhkpn_percent": 100.0}, {"lhkpn_percent": 99.99}),
    ("WBBM", {"lhkasn_percent": 100.0}, {"lhkasn_percent": 99.99}),
    ("WBK", {"internal_sakip_grade": "B"}, {"internal_sakip_grade": "CC"}),
    ("WBBM", {"internal_sakip_grade": "BB"}, {"internal_sakip_grade": "B"}),
    ("WBK", {"building_since": date(2025, 5, 20)}, {"building_since": date(2025, 5, 21)}),
    ("WBBM", {"building_since": date(2024, 1, 1)}, {"building_since": None}),
    ("WBK", {"core_service": True}, {"core_service": False}),
    ("WBBM", {"significant_public_impact": True}, {"significant_public_impact": False}),
]
UNIT_RULES = [
    "follow_up_findings",
    "lhkpn",
    "lhkasn",
    "internal_sakip_grade",
    "internal_sakip_grade",
    "building_one_year",
    "building_one_year",
    "core_service",
    "significant_public_impact",
]


@pytest.mark.parametrize(
    ("predicate", "at", "below", "rule"),
    [(*case, rule) for case, rule in zip(UNIT_THRESHOLDS, UNIT_RULES, strict=True)],
)
def test_unit_rule_at_and_below_its_threshold(
    predicate: str, at: dict[str, Any], below: dict[str, Any], rule: str
) -> None:
    assert check(predicate, unit=replace(UNIT, **at)).met
    result = check(predicate, unit=replace(UNIT, **below))
    assert rules(result.unmet) == [rule]
    assert result.unmet[0].level == "unit"


def test_messages_say_what_is_required_and_what_the_data_shows() -> None:
    instansi = replace(PEMDA, bpk_opinion="WDP", sakip_grade="B", indeks_rb="CC", spip_level=2)
    unit = replace(
        UNIT,
        lhkpn_percent=99.999,
        internal_sakip_grade="B",
        building_since=date(2025, 6, 1),
        core_service=False,
    )
    result = check("WBBM", instansi, unit)
    assert [(u.level, u.rule, u.required, u.actual) for u in result.unmet] == [
        ("instansi", "bpk_opinion", "WTP", "WDP"),
        ("instansi", "sakip_grade", "minimal BB", "B"),
        ("instansi", "indeks_rb", "minimal B untuk pemerintah daerah", "CC"),
        ("instansi", "spip_level", "minimal level 3", "level 2"),
        ("unit", "lhkpn", "100%", "99,99%"),
        (
            "unit",
            "building_one_year",
            "minimal satu tahun",
            "dimulai 1 Juni 2025, genap satu tahun pada 1 Juni 2026",
        ),
        ("unit", "internal_sakip_grade", "minimal BB", "B"),
        ("unit", "core_service", "ya", "tidak"),
    ]
    assert [u.message for u in result.unmet] == [
        "opini BPK: WDP; disyaratkan WTP",
        "predikat SAKIP instansi: B; disyaratkan minimal BB",
        "Indeks RB instansi: CC; disyaratkan minimal B untuk pemerintah daerah",
        "level maturitas SPIP: level 2; disyaratkan minimal level 3",
        "kepatuhan penyampaian LHKPN: 99,99%; disyaratkan 100%",
        "pembangunan ZI menuju WBBM: dimulai 1 Juni 2025, genap satu tahun pada 1 Juni 2026; "
        "disyaratkan minimal satu tahun",
        "predikat SAKIP unit dari evaluasi internal: B; disyaratkan minimal BB",
        "unit merupakan core layanan instansinya: tidak; disyaratkan ya",
    ]
    assert not result.met


@pytest.mark.parametrize(
    ("percent", "shown"),
    [(66.666, "66,67%"), (97.505, "97,51%"), (99.994, "99,99%"), (99.996, "99,99%")],
)
def test_a_percentage_is_shown_as_the_lke_rounds_but_never_as_100(
    percent: float, shown: str
) -> None:
    # Half-up as the LKE (66,666 -> 66,67; 97,505 -> 97,51, a float just below the half), but a
    # failing 99,996 is not printed as 100,00% beside "disyaratkan 100%".
    result = check("WBK", PEMDA, replace(UNIT, lhkpn_percent=percent))
    assert [u.message for u in result.unmet if u.rule == "lhkpn"] == [
        f"kepatuhan penyampaian LHKPN: {shown}; disyaratkan 100%"
    ]


def test_k_l_indeks_rb_message_names_kementerian_lembaga() -> None:
    (unmet,) = check("WBK", replace(KL, indeks_rb="CC")).unmet
    assert (
        unmet.message == "Indeks RB instansi: CC; disyaratkan minimal B untuk kementerian/lembaga"
    )


def test_one_year_of_building_from_29_february() -> None:
    leap = replace(UNIT, building_since=date(2024, 2, 29))
    assert check("WBK", unit=leap, as_of=date(2025, 2, 28)).met
    (early,) = check("WBK", unit=leap, as_of=date(2025, 2, 27)).unmet
    assert early.actual == "dimulai 29 Februari 2024, genap satu tahun pada 28 Februari 2025"


def test_a_percentage_short_only_by_float_noise_counts_as_full() -> None:
    assert check("WBK", unit=replace(UNIT, lhkpn_percent=(1 / 3) * 3 * 100 - 1e-12)).met


@pytest.mark.parametrize(
    ("instansi", "unit", "expected"),
    [
        (None, UNIT, [("instansi", "data prasyarat instansi tahun 2026 belum diisi")]),
        (KL, None, [("unit", "data prasyarat unit tahun 2026 belum diisi")]),
        (
            None,
            None,
            [
                ("instansi", "data prasyarat instansi tahun 2026 belum diisi"),
                ("unit", "data prasyarat unit tahun 2026 belum diisi"),
            ],
        ),
    ],
    ids=["instansi", "unit", "both"],
)
def test_missing_data_is_unmet(
    instansi: InstansiStanding | None, unit: UnitStanding | None, expected: list[tuple[str, str]]
) -> None:
    result = check("WBK", instansi, unit)
    assert [(u.level, u.message) for u in result.unmet] == expected
    assert [u.rule for u in result.unmet] == [f"{level}_data_missing" for level, _ in expected]
    assert not result.met


def test_grades_are_ordered_best_first() -> None:
    assert GRADES == ("AA", "A", "BB", "B", "CC", "C", "D")
    assert [grade_rank(g) for g in GRADES] == list(range(7))
    assert grade_at_least("BB", "B")
    assert grade_at_least("B", "B")
    assert not grade_at_least("CC", "B")


@pytest.mark.parametrize(
    "build",
    [
        lambda: grade_rank("E"),
        lambda: replace(KL, sakip_grade="E"),
        lambda: replace(KL, indeks_rb="E"),
        lambda: replace(UNIT, internal_sakip_grade="E"),
    ],
    ids=["grade_rank", "sakip", "indeks_rb", "internal_sakip"],
)
def test_an_unknown_grade_is_named(build: Any) -> None:
    with pytest.raises(ValueError, match="'E' tidak dikenal"):
        build()


def test_unknown_opinion_kind_percentage_and_predicate_are_refused() -> None:
    with pytest.raises(ValueError, match="'WTP-DPP'"):
        replace(KL, bpk_opinion="WTP-DPP")
    with pytest.raises(ValueError, match="'provinsi'"):
        replace(KL, kind="provinsi")
    with pytest.raises(ValueError, match="lhkpn_percent"):
        replace(UNIT, lhkpn_percent=100.5)
    with pytest.raises(ValueError, match="'WBKK'"):
        check("WBKK")


# --- the 5/2024 exemption for priority regional services ---------------------------------


def test_the_exemption_covers_all_of_tabel_5() -> None:
    assert set(TABEL_5_RULES) == PRIORITY_REGIONAL_WAIVES
    everything = check("WBK", WORST_INSTANSI, replace(WORST_UNIT, priority_regional_service=False))
    assert rules(everything.unmet) == list(TABEL_5_RULES)


@pytest.mark.parametrize("predicate", ["WBK", "WBBM"])
def test_a_priority_unit_of_a_pemda_has_every_failing_rule_waived(predicate: str) -> None:
    result = check(predicate, WORST_INSTANSI, WORST_UNIT)
    assert result.unmet == ()
    assert result.met
    assert rules(result.waived) == list(TABEL_5_RULES)
    assert result.waived[0].message == "opini BPK: TMP; disyaratkan WTP"


def test_only_failing_rules_are_reported_as_waived() -> None:
    unit = replace(UNIT, priority_regional_service=True, lhkasn_percent=80.0)
    result = check("WBK", replace(PEMDA, bpk_opinion="WDP"), unit)
    assert (rules(result.unmet), rules(result.waived)) == ([], ["bpk_opinion", "lhkasn"])


def test_the_exemption_is_for_regional_governments_only() -> None:
    unit = replace(WORST_UNIT, priority_regional_service=True)
    result = check("WBK", replace(WORST_INSTANSI, kind="kementerian_lembaga"), unit)
    assert rules(result.unmet) == list(TABEL_5_RULES)
    assert result.waived == ()


def test_a_pemda_unit_outside_the_priority_list_is_not_exempt() -> None:
    unit = replace(WORST_UNIT, priority_regional_service=False)
    result = check("WBK", WORST_INSTANSI, unit)
    assert rules(result.unmet) == list(TABEL_5_RULES)
    assert result.waived == ()


def test_the_exemption_does_not_cover_missing_data() -> None:
    # Without the instansi's standing its kind is unknown, so the unit's rules are not waived.
    result = check("WBK", None, WORST_UNIT)
    assert rules(result.unmet) == ["instansi_data_missing", *TABEL_5_RULES[4:]]
    assert result.waived == ()
    without_unit = check("WBK", WORST_INSTANSI, None)
    assert rules(without_unit.unmet) == [*TABEL_5_RULES[:4], "unit_data_missing"]
    assert without_unit.waived == ()
