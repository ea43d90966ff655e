"""Cases worked out by hand from the LKE of PermenPANRB 90/2021 (Lampiran III) and Tabel 6.

Every expected number below is computed in the comment beside it from the weights printed in
the LKE, not from the code under test.
"""

from __future__ import annotations

import pytest

from tests.domain.worksheets import score, top_answers


def shortfall_rules(result_shortfalls: list[object]) -> list[str]:
    return [s.rule for s in result_shortfalls]  # type: ignore[attr-defined]


def test_all_top_answers_score_100() -> None:
    result = score(top_answers())
    assert result.total == pytest.approx(100.0, abs=1e-9)
    assert result.pengungkit == pytest.approx(60.0, abs=1e-9)
    assert result.hasil == pytest.approx(40.0, abs=1e-9)
    assert [a.score for a in result.areas] == pytest.approx([8, 7, 10, 10, 15, 10])
    assert result.meets == {"WBK": True, "WBBM": True}
    assert result.missing == ()


def test_misses_wbk_on_a_single_area_floor_only() -> None:
    # Reform of area 1 (Manajemen Perubahan) answered at the bottom:
    #   A.II.1.i  (2,00; two % questions) = 2 × mean(0, 0) = 0
    #   A.II.1.ii (1,00; A/B/C/D/E "E" = 0) = 0;  A.II.1.iii (1,00; A/B/C/D "D" = 0) = 0
    # Area 1 = pemenuhan 4,00 + reform 0 = 4,00 = 50 % of 8 < 60 %.
    # Pengungkit = 60 − 4 = 56 ≥ 40; total = 56 + 40 = 96 ≥ 75; hasil all at the top.
    answers = top_answers() | {
        "A.II.1.i.a": "0%",
        "A.II.1.i.b": "0%",
        "A.II.1.ii.a": "E",
        "A.II.1.iii.a": "D",
    }
    result = score(answers)
    assert result.areas[0].halves == pytest.approx({"pemenuhan": 4.0, "reform": 0.0})
    assert result.areas[0].percent == pytest.approx(50.0)
    assert result.pengungkit == pytest.approx(56.0)
    assert result.total == pytest.approx(96.0)
    assert result.meets["WBK"] is False
    [only] = result.shortfalls["WBK"]
    assert (only.rule, only.required, only.actual) == ("area_percent.1", 60.0, pytest.approx(50.0))
    assert shortfall_rules(result.shortfalls["WBBM"]) == ["area_percent.1"]


def test_ipkp_3_19_misses_the_pelayanan_prima_floor() -> None:
    # IPKP 3,19 → 3,19 / 4 × 17,5 = 13,95625, shown 13,96 < 14,00 (WBK) and < 15,75 (WBBM).
    # Total = 60 + 22,5 + 13,95625 = 96,45625.
    result = score(top_answers() | {"B.II.a": "3,19"})
    assert result.hasil_components["ipkp"] == pytest.approx(13.95625)
    assert result.hasil_components["pelayanan_prima"] == pytest.approx(13.95625)
    assert result.total == pytest.approx(96.45625)
    assert result.meets == {"WBK": False, "WBBM": False}
    assert shortfall_rules(result.shortfalls["WBK"]) == ["pelayanan_prima"]
    assert shortfall_rules(result.shortfalls["WBBM"]) == ["pelayanan_prima"]


def test_ipkp_3_20_sits_exactly_on_the_wbk_floor() -> None:
    # 3,20 / 4 × 17,5 = 14,00: meets WBK's 14,00; WBBM needs 15,75.
    result = score(top_answers() | {"B.II.a": "3.20"})
    assert result.hasil_components["pelayanan_prima"] == pytest.approx(14.0)
    assert result.meets == {"WBK": True, "WBBM": False}


def test_kinerja_d_misses_the_kinerja_floor() -> None:
    # Kinerja D → 0,25 × 5 = 1,25 < 2,50 (WBK) and < 3,75 (WBBM).
    # Bersih dan akuntabel = 17,5 + 1,25 = 18,75: ≥ 18,25 (WBK) but < 19,50 (WBBM).
    # Total = 60 + 18,75 + 17,5 = 96,25.
    result = score(top_answers() | {"B.I.b": "D"})
    assert result.hasil_components["kinerja"] == pytest.approx(1.25)
    assert result.hasil_components["bersih_akuntabel"] == pytest.approx(18.75)
    assert result.total == pytest.approx(96.25)
    assert shortfall_rules(result.shortfalls["WBK"]) == ["kinerja"]
    assert sorted(shortfall_rules(result.shortfalls["WBBM"])) == ["bersih_akuntabel", "kinerja"]


def test_missing_answers_count_zero_and_are_listed() -> None:
    # A.I.2.i (1,00; three questions) without its question a: 1 × mean(0, 1, 1) = 0,6667,
    # so area 2 pemenuhan = 3,5 − 1/3 = 3,1667 and area 2 = 7 − 1/3 = 6,6667 + ... = 6,8333.
    # IPAK (B.I.a) missing: 0 points, so bersih dan akuntabel = 0 + 5 = 5.
    # Pengungkit = 60 − 1/3 = 59,6667; hasil = 5 + 17,5 = 22,5; total = 82,1667.
    answers = top_answers()
    del answers["A.I.2.i.a"], answers["B.I.a"]
    result = score(answers)
    assert result.missing == ("A.I.2.i.a", "B.I.a")
    assert result.areas[1].halves["pemenuhan"] == pytest.approx(3.5 - 1 / 3)
    assert result.areas[1].score == pytest.approx(7 - 1 / 3)
    assert result.pengungkit == pytest.approx(60 - 1 / 3)
    assert result.hasil == pytest.approx(22.5)
    assert result.total == pytest.approx(82.5 - 1 / 3)
    assert sorted(shortfall_rules(result.shortfalls["WBK"])) == ["bersih_akuntabel", "ipak"]


def test_a_total_exactly_on_every_wbk_floor_meets_wbk() -> None:
    # Hasil at its WBK floors: IPAK 3,60 → 15,75; kinerja C → 0,5 × 5 = 2,50
    # (bersih dan akuntabel 18,25); IPKP 3,20 → 14,00. Hasil = 32,25.
    # Pengungkit loses 17,25 so that it is 42,75 and the total is exactly 75,00:
    #   area 5: A.II.5.ii (3,00, %) 0 → −3;    A.II.5.i (2,50, A–E) E → −2,5  → 9,5 of 15 (63,33 %)
    #   area 3: A.II.3.iii (2,00, %) 0 → −2;   A.II.3.i (1,50, A/B/C) C → −1,5 → 6,5 of 10 (65 %)
    #   area 4: A.II.4.i (2,00, %) 0 → −2;     A.II.4.ii (1,50, A–D) D → −1,5  → 6,5 of 10 (65 %)
    #   area 6: A.II.6.ii (2,50, A–D) D → −2,5                                 → 7,5 of 10 (75 %)
    #   area 2: A.II.2.iii (2,00; a, b, c all E) → −2; A.II.2.ii (1,00; a B = 0,5, b A) → −0,25
    #                                                                          → 4,75 of 7 (67,86 %)
    # 5,5 + 3,5 + 3,5 + 2,5 + 2,25 = 17,25. Every floor of WBK is met, four of them exactly.
    answers = top_answers() | {
        "B.I.a": "3,60",
        "B.I.b": "C",
        "B.II.a": "3,20",
        "A.II.5.ii.a": "0%",
        "A.II.5.i.a": "E",
        "A.II.3.iii.a": "0%",
        "A.II.3.i.a": "C",
        "A.II.4.i.a": "0%",
        "A.II.4.ii.a": "D",
        "A.II.6.ii.a": "D",
        "A.II.2.iii.a": "E",
        "A.II.2.iii.b": "E",
        "A.II.2.iii.c": "E",
        "A.II.2.ii.a": "B",
    }
    result = score(answers)
    assert [a.score for a in result.areas] == pytest.approx([8, 4.75, 6.5, 6.5, 9.5, 7.5])
    assert result.pengungkit == pytest.approx(42.75)
    assert result.hasil_components["bersih_akuntabel"] == pytest.approx(18.25)
    assert result.hasil_components["ipak"] == pytest.approx(15.75)
    assert result.hasil_components["kinerja"] == pytest.approx(2.5)
    assert result.hasil_components["pelayanan_prima"] == pytest.approx(14.0)
    assert result.total == pytest.approx(75.0)
    assert result.meets["WBK"] is True
    assert result.shortfalls["WBK"] == []
    # WBBM: total 75 < 85; pengungkit 42,75 < 48; areas 2–5 under 75 % (area 6 exactly 75 %);
    # bersih 18,25 < 19,50; kinerja 2,50 < 3,75; pelayanan prima 14 < 15,75; IPAK 15,75 meets.
    assert sorted(shortfall_rules(result.shortfalls["WBBM"])) == sorted(
        [
            "total",
            "pengungkit",
            "area_percent.2",
            "area_percent.3",
            "area_percent.4",
            "area_percent.5",
            "bersih_akuntabel",
            "kinerja",
            "pelayanan_prima",
        ]
    )


def test_ipak_3_59_is_short_of_3_60() -> None:
    # 3,59 / 4 × 17,5 = 15,70625 → 15,71 < 15,75; bersih = 15,70625 + 5 = 20,70625 still ≥ 19,50.
    result = score(top_answers() | {"B.I.a": "3.59"})
    assert result.hasil_components["ipak"] == pytest.approx(15.70625)
    assert shortfall_rules(result.shortfalls["WBK"]) == ["ipak"]
    assert shortfall_rules(result.shortfalls["WBBM"]) == ["ipak"]


def test_answer_values_of_each_type() -> None:
    # A.I.1.iv (1,50; Ya/Tidak, A/B/C, A/B/C, A/B/C/D): Tidak 0, B 0,5, C 0, B 0,67
    #   → 1,5 × (0 + 0,5 + 0 + 0,67) / 4 = 0,43875; area 1 pemenuhan = 4 − 1,5 + 0,43875 = 2,93875.
    # A.I.2.i (1,00; A/B/C/D, A–E, A–E): C 0,33, B 0,75, D 0,25
    #   → (0,33 + 0,75 + 0,25) / 3 = 0,44333; area 2 pemenuhan = 3,5 − 1 + 0,44333 = 2,94333.
    answers = top_answers() | {
        "A.I.1.iv.a": "Tidak",
        "A.I.1.iv.b": "b",
        "A.I.1.iv.c": "C",
        "A.I.1.iv.d": "B",
        "A.I.2.i.a": "C",
        "A.I.2.i.b": "B",
        "A.I.2.i.c": "D",
    }
    result = score(answers)
    assert result.areas[0].halves["pemenuhan"] == pytest.approx(2.93875)
    assert result.areas[1].halves["pemenuhan"] == pytest.approx(2.5 + 1.33 / 3)


@pytest.mark.parametrize(
    ("counts", "expected_points"),
    [
        # A.II.3.iii (2,00) discipline: (last year − this year) / last year.
        ({"pelanggaran_tahun_sebelumnya": "4", "pelanggaran_tahun_ini": "1"}, 2 * 0.75),
        # more violations than last year: a negative fall is kept at 0.
        ({"pelanggaran_tahun_sebelumnya": "2", "pelanggaran_tahun_ini": "5"}, 0.0),
        # none last year and none this year: 0/0 is full (the file's rule for this question).
        ({"pelanggaran_tahun_sebelumnya": "0", "pelanggaran_tahun_ini": "0"}, 2.0),
        # none last year, some this year: the limit of a negative fall is 0.
        ({"pelanggaran_tahun_sebelumnya": "0", "pelanggaran_tahun_ini": "3"}, 0.0),
    ],
)
def test_fall_in_discipline_violations(counts: dict[str, str], expected_points: float) -> None:
    answers = top_answers()
    del answers["A.II.3.iii.a"]
    answers |= {f"A.II.3.iii.a:{key}": value for key, value in counts.items()}
    answers["A.II.3.iii.a:pelanggaran_diberi_sanksi"] = "1"
    result = score(answers)
    assert result.areas[2].halves["reform"] == pytest.approx(3.0 + expected_points)


def test_lhkpn_from_the_parts_of_who_must_report() -> None:
    # LHKPN: must report = 1 head + 4 officials + 5 others = 10; reported 8 → 80 %.
    # LHKASN 100 %. A.II.5.iii (2,00) = 2 × mean(0,8; 1) = 1,8; area 5 reform = 7,5 − 0,2 = 7,3.
    answers = top_answers()
    del answers["A.II.5.iii.a"]
    answers |= {
        "A.II.5.iii.a:kepala_satuan_kerja": "1",
        "A.II.5.iii.a:pejabat_wajib_lhkpn": "4",
        "A.II.5.iii.a:lainnya": "5",
        "A.II.5.iii.a:sudah_lapor": "8",
    }
    result = score(answers)
    assert result.areas[4].halves["reform"] == pytest.approx(7.3)
