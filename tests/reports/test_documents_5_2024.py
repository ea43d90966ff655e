"""The proposal documents as PermenPANRB 5/2024 has them, read back from the PDFs with pypdf: the
instansi's letter (Lampiran II Bab II, Gambar 6), its one SPTJM (Gambar 7) and the TPI's
evaluation report (LHE) per unit. Every number expected here is worked by hand with the LKE's
rounding (two decimals, half-up); the values end in 5 at the third decimal where it matters, so
that banker's rounding or "%.2f" would print something else."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import re
from datetime import date

import pytest
from pypdf import PdfReader

from reports.proposal_documents import InstansiLetter, ProposedUnit, Signatory, UnitDossier
from reports.proposal_package import (
    LETTER,
    LHE,
    MANIFEST,
    SPTJM,
    UNIT_DOCUMENTS,
    instansi_package,
    unit_package,
)
from tests.domain.worksheets import lke, top_answers
from zi_domain.evidence import evidence_index
from zi_domain.gaps import question_gains
from zi_domain.prerequisites import InstansiStanding, UnitStanding, prerequisite_checklist
from zi_domain.unit_score import score_answers

YEAR = 2026
SIGNED = date(2026, 5, 25)
HEAD = "Drs. Budi Santoso"
# Totals of the first units as the TPI's snapshots hold them, and as the LKE shows them:
# 75,125 → 75,13 and 80,625 → 80,63 (exact in binary: banker's rounding gives ,12 and ,62);
# 91,255 and 84,005 are a hair under in binary (91,25499...), and still show 91,26 and 84,01.
TOTALS = ((75.125, "75,13"), (80.625, "80,63"), (91.255, "91,26"), (84.005, "84,01"))


def pages_of(content: bytes) -> list[str]:
    """Each page's text, whitespace collapsed."""
    return [
        " ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(content)).pages
    ]


def text_of(content: bytes) -> str:
    return " ".join(pages_of(content))


def letter(count: int = 25, **changes: object) -> InstansiLetter:
    """A regency proposing `count` units, signed by its elected Bupati."""
    units = tuple(
        ProposedUnit(
            f"U{i:02d}",
            f"Dinas Contoh Nomor {i} dengan Nama yang Agak Panjang Sekali",
            "WBBM" if i % 3 == 0 else "WBK",
            TOTALS[i - 1][0] if i <= len(TOTALS) else 80 + i * 0.625,
        )
        for i in range(1, count + 1)
    )
    base = InstansiLetter(
        instansi="Pemerintah Kabupaten Uji",
        year=YEAR,
        dated=SIGNED,
        units=units,
        head_name=HEAD,
        head_title="Bupati Uji",
        head_elected=True,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def elected() -> dict[str, bytes]:
    return dict(instansi_package(letter(), revision=1).files)


# --- the SPTJM (Gambar 7) -----------------------------------------------------------------------


def test_the_sptjm_is_one_statement_of_the_head_for_every_unit(elected: dict[str, bytes]) -> None:
    text = text_of(elected[SPTJM])
    assert "SURAT PERNYATAAN TANGGUNG JAWAB MUTLAK (SPTJM) KEBENARAN DATA PENDUKUNG" in text
    # Addressed to the Minister c.q. the Deputi, as Gambar 7 is.
    assert (
        "Yth. Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi c.q. Deputi Bidang "
        "Reformasi Birokrasi, Akuntabilitas Aparatur dan Pengawasan di Jakarta"
    ) in text
    assert f"Nama : {HEAD} Jabatan : Bupati Uji" in text
    # Every unit proposed in the year, counted and listed.
    assert (
        "Sehubungan dengan pengusulan unit kerja/satuan kerja sejumlah 25 unit kerja/satuan kerja "
        "dalam evaluasi Pembangunan Zona Integritas Menuju Wilayah Bebas dari Korupsi/Wilayah "
        "Birokrasi Bersih dan Melayani tahun 2026, dengan ini menyatakan bahwa data pendukung "
        "yang kami sampaikan, yaitu:"
    ) in text
    for statement in (
        "1. Syarat unit kerja/satuan kerja telah sesuai dengan kondisi yang sebenarnya;",
        "2. Data dukung pengungkit telah sesuai dengan kondisi yang sebenarnya;",
        "3. Data dukung tentang hasil telah sesuai dengan kondisi yang sebenarnya.",
    ):
        assert statement in text
    assert (
        "Apabila di kemudian hari ternyata ditemukan bahwa data yang kami sampaikan tidak sesuai "
        "dengan keadaan yang sebenarnya, kami bersedia ditinjau kembali terkait pengusulan "
        "satuan kerja/unit kerja kami dalam Pembangunan Zona Integritas."
    ) in text
    assert "Yang membuat pernyataan Pemerintah Kabupaten Uji" in text
    for number in range(1, 26):
        assert f"Dinas Contoh Nomor {number} dengan Nama yang" in text
    # No materai since 5/2024, and an elected Bupati has no NIP.
    assert "materai" not in text.lower() and "meterai" not in text.lower()
    assert "NIP" not in text


def test_the_sptjm_lists_the_scores_as_the_lke_rounds_them(elected: dict[str, bytes]) -> None:
    text = text_of(elected[SPTJM])
    for _, shown in TOTALS:
        assert shown in text
    assert "75,12" not in text and "80,62" not in text  # banker's rounding


def test_the_sptjm_is_signed_on_the_page_of_its_closing_sentence(
    elected: dict[str, bytes],
) -> None:
    pages = pages_of(elected[SPTJM])
    signed = [p for p in pages if f"{HEAD} Bupati Uji" in p]
    assert len(signed) == 1
    assert "Demikian pernyataan ini dibuat untuk dipergunakan seperlunya." in signed[0]
    assert "25 Mei 2026" in signed[0]


def test_the_unit_package_has_no_sptjm_any_more() -> None:
    assert SPTJM not in UNIT_DOCUMENTS and LHE in UNIT_DOCUMENTS


# --- the letter (Gambar 6) ----------------------------------------------------------------------


def test_the_letter_follows_gambar_6(elected: dict[str, bytes]) -> None:
    text = text_of(elected[LETTER])
    assert "25 Mei 2026" in text
    assert (
        "Hal : Pengajuan Unit kerja/satuan kerja Berpredikat Menuju Wilayah Bebas dari Korupsi "
        "(WBK)/Wilayah Birokrasi Bersih dan Melayani (WBBM)"
    ) in text
    assert (
        "Kepada Yth. Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Republik "
        "Indonesia Cq. Deputi Bidang Reformasi Birokrasi, Akuntabilitas Aparatur, dan Pengawasan "
        "di Jakarta"
    ) in text
    assert (
        "kami telah melakukan upaya pembangunan Zona Integritas di Pemerintah Kabupaten Uji" in text
    )
    assert (
        "Berdasarkan laporan hasil evaluasi tahun 2026 oleh Tim Penilai Internal (TPI) ZI "
        "Pemerintah Kabupaten Uji, kami mengusulkan:"
    ) in text
    # Each unit with its predicate and its TPI total, rounded as the LKE rounds.
    unit = "Dinas Contoh Nomor {} dengan Nama yang Agak Panjang Sekali"
    assert f"1. {unit.format(1)}/ Menuju WBK (nilai TPI 75,13)" in text
    assert f"2. {unit.format(2)}/ Menuju WBK (nilai TPI 80,63)" in text
    assert f"3. {unit.format(3)}/ Menuju WBBM (nilai TPI 91,26)" in text
    assert "(nilai TPI 84,01)" in text
    assert "25. Dinas Contoh Nomor 25" in text
    assert (
        "sebagai calon unit kerja/satuan kerja berpredikat Menuju Wilayah Bebas dari Korupsi (WBK) "
        "dan/atau Wilayah Birokrasi Bersih dan Melayani (WBBM)."
    ) in text
    assert (
        "Sehubungan dengan hal tersebut, kami mohon agar Tim Penilai Nasional dapat melakukan "
        "evaluasi atas unit kerja/satuan kerja yang diusulkan tersebut."
    ) in text
    assert "Bupati Uji," in text and HEAD in text
    assert "NIP" not in text  # an elected Bupati
    assert "materai" not in text.lower() and "meterai" not in text.lower()


@pytest.mark.parametrize("count", [25, 30, 31, 32])
def test_the_letter_is_signed_on_the_page_of_its_closing_sentence(count: int) -> None:
    # With 30 to 32 of these units the closing sentence ends page 2: without the block that
    # holds it with the signature (`.closing`), the signature would stand alone on page 3.
    pages = pages_of(instansi_package(letter(count), revision=1).files[LETTER])
    signed = [i for i, page in enumerate(pages) if HEAD in page]
    assert len(signed) == 1 and signed[0] > 0  # many units: the letter runs over a page
    closing = "Demikian kami sampaikan, atas perhatian dan kerjasamanya kami ucapkan terima kasih."
    assert closing in pages[signed[0]]
    assert f"{count}. Dinas Contoh Nomor {count}" in " ".join(pages)


def test_a_head_who_is_no_elected_official_signs_with_a_nip() -> None:
    nip = "196801011990031001"
    with_nip = instansi_package(
        letter(2, head_title="Sekretaris Jenderal", head_elected=False, head_nip=nip), revision=1
    ).files
    for name in (LETTER, SPTJM):
        assert f"{HEAD} NIP. {nip}" in text_of(with_nip[name])
    # Not known: a bare "NIP." line to write the number in by hand.
    unknown = instansi_package(letter(2, head_elected=False), revision=1).files
    for name in (LETTER, SPTJM):
        text = text_of(unknown[name])
        assert f"{HEAD} NIP." in text and not re.search(r"NIP\.\s*\d", text)


def test_the_letter_package_manifest_lists_both_documents(elected: dict[str, bytes]) -> None:
    manifest = json.loads(elected[MANIFEST])
    listed = {entry["path"]: entry["sha256"] for entry in manifest["files"]}
    assert listed == {
        LETTER: hashlib.sha256(elected[LETTER]).hexdigest(),
        SPTJM: hashlib.sha256(elected[SPTJM]).hexdigest(),
    }
    assert manifest["pimpinan"] == HEAD
    assert [u["nilai_tpi"] for u in manifest["unit_diusulkan"][:2]] == [75.125, 80.625]


# --- the TPI's evaluation report (LHE) ----------------------------------------------------------

# Every answer at the top but: A.I.2.iii.a C (0 of 0,25 points: A.I.2.iii weighs 0,50 over two
# questions), A.I.2.iii.b B (0,5 × 0,25 = 0,125 of 0,25), IPAK 3,80 and IPKP 3,40. By hand:
#   area 2 Penataan Tatalaksana: 7 − 0,25 − 0,125 = 6,625 → 6,63; its pemenuhan 3,5 − 0,375 =
#   3,125 → 3,13; 6,625 / 7 = 94,642857 % → 94,64 %;
#   pengungkit 60 − 0,375 = 59,625 → 59,63;
#   IPAK 3,80 / 4 × 17,5 = 16,625 → 16,63; bersih dan akuntabel 16,625 + 5 = 21,625 → 21,63;
#   IPKP 3,40 / 4 × 17,5 = 14,875 → 14,88; hasil 21,625 + 14,875 = 36,5 → 36,50;
#   total 59,625 + 36,5 = 96,125 → 96,13.
# WBK: every floor met. WBBM: pelayanan prima 14,88 < 15,75, not met.
LHE_ANSWERS = top_answers() | {
    "A.I.2.iii.a": "C",
    "A.I.2.iii.b": "B",
    "B.I.a": "3,80",
    "B.II.a": "3,40",
}
CHAIR = Signatory("Rina Wulandari", "Ketua Tim Penilai Internal", nip="197903122005012003")


def lhe_dossier(
    answers: dict[str, str], predicate: str, tpi_chair: Signatory | None = None
) -> UnitDossier:
    framework = lke()
    scored = score_answers(answers, framework)
    on = date(2026, 5, 18)
    return UnitDossier(
        instansi="Kementerian Uji",
        unit_code="KPU-01",
        unit_name="Kantor Pelayanan Uji",
        unit_head="Siti Rahmawati",
        year=YEAR,
        predicate=predicate,
        revision=1,
        dated=on,
        framework=framework,
        report=scored.report,
        answers=answers,
        values=scored.values,
        scores=scored.scores,
        history=((on, scored.report.total),),
        evidence=evidence_index(framework, [], year=YEAR),
        checklist=prerequisite_checklist(
            predicate,
            instansi=InstansiStanding("kementerian_lembaga", "WTP", "BB", "BB", 3),
            unit=UnitStanding(100, 100, 100, "BB", date(2024, 1, 20), True, True, True),
            as_of=on,
        ),
        waived=frozenset(),
        tpi_chair=tpi_chair,
    )


@pytest.fixture(scope="module")
def lhe_wbk() -> str:
    return text_of(unit_package(lhe_dossier(LHE_ANSWERS, "WBK", tpi_chair=CHAIR)).files[LHE])


def test_the_lhe_names_the_unit_and_shows_the_scores_as_the_lke_rounds(lhe_wbk: str) -> None:
    assert "LAPORAN HASIL EVALUASI TIM PENILAI INTERNAL ZONA INTEGRITAS Kementerian Uji" in lhe_wbk
    assert "Kantor Pelayanan Uji (KPU-01)" in lhe_wbk and "Tahun evaluasi : 2026" in lhe_wbk
    assert "Predikat yang dievaluasi : Menuju Wilayah Bebas dari Korupsi (WBK)" in lhe_wbk
    assert "96,13 Nilai total (dari 100,00)" in lhe_wbk
    assert "59,63 Pengungkit (dari 60,00)" in lhe_wbk and "36,50 Hasil (dari 40,00)" in lhe_wbk
    # Area 2: weight, pemenuhan, reform, score, percentage.
    assert "2. Penataan Tatalaksana 7,00 3,13 3,50 6,63 94,64%" in lhe_wbk
    assert "1. Manajemen Perubahan 8,00 4,00 4,00 8,00 100,00%" in lhe_wbk
    # Hasil: the survey index behind the points.
    assert "Survei persepsi anti korupsi (IPAK) 3,80 17,50 16,63" in lhe_wbk
    assert "Birokrasi yang Bersih dan Akuntabel 22,50 21,63" in lhe_wbk
    assert "Survei persepsi kualitas pelayanan (IPKP) 3,40 17,50 14,88" in lhe_wbk
    for banker in ("6,62", "59,62", "16,62", "21,62", "96,12"):
        assert banker not in lhe_wbk


def test_the_lhe_concludes_on_the_floors_of_the_predicate(lhe_wbk: str) -> None:
    assert "Nilai total 75,00 96,13 Memenuhi" in lhe_wbk
    assert "Area 2 Penataan Tatalaksana (% bobot) 60,00% 94,64% Memenuhi" in lhe_wbk
    assert "Pelayanan publik yang prima (IPKP) 14,00 14,88 Memenuhi" in lhe_wbk
    assert (
        "Kantor Pelayanan Uji MEMENUHI syarat minimal predikat Menuju Wilayah Bebas dari "
        "Korupsi (WBK)."
    ) in lhe_wbk
    assert "BELUM MEMENUHI" not in lhe_wbk
    wbbm = text_of(unit_package(lhe_dossier(LHE_ANSWERS, "WBBM")).files[LHE])
    assert "Nilai total 85,00 96,13 Memenuhi" in wbbm
    assert "Pelayanan publik yang prima (IPKP) 15,75 14,88 Belum memenuhi" in wbbm
    assert (
        "Kantor Pelayanan Uji BELUM MEMENUHI syarat minimal predikat Menuju Wilayah Birokrasi "
        "Bersih dan Melayani (WBBM):"
    ) in wbbm
    assert "Pelayanan publik yang prima (IPKP): minimal 15,75, tercapai 14,88" in wbbm


def test_the_lhe_recommends_the_fixes_by_points_gained(lhe_wbk: str) -> None:
    # Below the top: IPKP (1 − 3,40/4) × 17,5 = 2,625 → +2,63; IPAK (1 − 3,80/4) × 17,5 =
    # 0,875 → +0,88; A.I.2.iii.a 0,25 → +0,25; A.I.2.iii.b 0,125 → +0,13. Largest first.
    rows = [
        "1. B.II.a Nilai Persepsi Kualitas Pelayanan (Survei Eksternal) 3,40 → 4,00 +2,63",
        "2. B.I.a Nilai Survey Persepsi Korupsi (Survei Eksternal) 3,80 → 4,00 +0,88",
        "3. A.I.2.iii.a",
        "4. A.I.2.iii.b",
    ]
    positions = [lhe_wbk.index(row) for row in rows]
    assert positions == sorted(positions)
    assert "C → A +0,25" in lhe_wbk and "B → A +0,13" in lhe_wbk
    assert "5. " not in lhe_wbk[positions[-1] :]  # nothing else is below its top


def test_the_lhe_puts_the_fixes_that_close_a_floor_first() -> None:
    # Area 2 (7 points, WBK floor 60 %): A.I.2.ii's four questions at C (4 × 0,5 = 2,00 lost),
    # A.I.2.iii's two at C (2 × 0,25) and A.II.2.i.a at D (0,50): 7 − 3 = 4,00 → 57,14 % < 60 %.
    # A.II.5.ii.a at 0 % loses 3,00 in area 5 (12 / 15 = 80 %, met): the largest gain, yet
    # listed after every item of area 2, which closes the failing floor.
    answers = top_answers() | {
        **{f"A.I.2.ii.{q}": "C" for q in "abcd"},
        "A.I.2.iii.a": "C",
        "A.I.2.iii.b": "C",
        "A.II.2.i.a": "D",
        "A.II.5.ii.a": "0%",
    }
    text = text_of(unit_package(lhe_dossier(answers, "WBK")).files[LHE])
    assert "Area 2 Penataan Tatalaksana (% bobot) 60,00% 57,14% Belum memenuhi" in text
    assert "BELUM MEMENUHI syarat minimal predikat" in text
    # Ties (each closes the 0,20 missing points) by gain, then code.
    order = [
        "1. A.I.2.ii.a",
        "2. A.I.2.ii.b",
        "3. A.I.2.ii.c",
        "4. A.I.2.ii.d",
        "5. A.II.2.i.a",
        "6. A.I.2.iii.a",
        "7. A.I.2.iii.b",
        "8. A.II.5.ii.a",
    ]
    positions = [text.index(row) for row in order]
    assert positions == sorted(positions)
    assert "0% → 100% +3,00" in text


def test_the_lhe_is_signed_by_the_chair_of_the_tpi(lhe_wbk: str) -> None:
    pages = pages_of(unit_package(lhe_dossier(LHE_ANSWERS, "WBK", tpi_chair=CHAIR)).files[LHE])
    signed = [p for p in pages if "Rina Wulandari" in p]
    assert len(signed) == 1
    assert "Ketua Tim Penilai Internal, Rina Wulandari NIP. 197903122005012003" in signed[0]
    assert (
        "Demikian laporan hasil evaluasi ini disampaikan kepada Pimpinan Kementerian Uji."
        in (signed[0])
    )
    # No TPI member known: a blank line to sign on.
    unsigned = text_of(unit_package(lhe_dossier(LHE_ANSWERS, "WBK")).files[LHE])
    assert "Ketua Tim Penilai Internal, (........................................) NIP." in unsigned


def test_the_unit_package_manifest_lists_the_lhe() -> None:
    files = dict(unit_package(lhe_dossier(LHE_ANSWERS, "WBK", tpi_chair=CHAIR)).files)
    manifest = json.loads(files[MANIFEST])
    listed = {entry["path"]: entry["sha256"] for entry in manifest["files"]}
    assert listed[LHE] == hashlib.sha256(files[LHE]).hexdigest()
    assert manifest["ketua_tpi"] == "Rina Wulandari" and manifest["memenuhi_batas"] is True


# --- the ranking of questions (zi_domain.gaps.question_gains) -----------------------------------


def test_question_gains_ranks_every_item_below_its_top_by_points() -> None:
    framework = lke()
    answers = dict(LHE_ANSWERS)
    del answers["A.I.1.i.a"]  # missing counts 0: A.I.1.i weighs 0,50 over two questions
    scored = score_answers(answers, framework)
    gains = question_gains(scored.values, framework)
    assert [(g.code, round(g.gain, 9)) for g in gains] == [
        ("B.II.a", 2.625),
        ("B.I.a", 0.875),
        ("A.I.1.i.a", 0.25),
        ("A.I.2.iii.a", 0.25),
        ("A.I.2.iii.b", 0.125),
    ]
    assert [g.top_answer for g in gains[2:]] == ["Ya", "A", "A"]
    assert question_gains(score_answers(top_answers(), framework).values, framework) == []
