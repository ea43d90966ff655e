"""The instansi's letter and SPTJM (PermenPANRB 5/2024, Gambar 6 and 7) and the unit's LHE, built
through the real unit of work (SQLite and PostgreSQL): the scores are those of the day the
letter is signed, the head signs as the instansi's record names them (a NIP only for a head who
is no elected official), and the chair of the TPI signs the LHE."""

# The units come from the monitoring tests' `period` fixture, imported by name: pytest finds it
# in this module, and each test's parameter of that name "redefines" it for the linter.
# ruff: noqa: F811

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
from pypdf import PdfReader

from persistence.tables import AssessmentKind, ScoreSnapshotCreate, TeamMemberCreate
from reports.proposal_package import LETTER, LHE, MANIFEST, SPTJM
from services.assessments import record_answers
from services.proposals import build_instansi_letter, propose_unit, submit_proposals
from tests.domain.worksheets import lke
from tests.services.test_monitoring_service import (
    FIRST,
    WBK_ONLY,
    YEAR,
    NewUow,
    period,  # noqa: F401 (a fixture)
    run,
)
from zi_domain.predicates import Predicate

PROPOSED_ON = date(YEAR, 3, 2)
RESCORED_ON = date(YEAR, 5, 10)
SUBMITTED_ON = date(YEAR, 5, 24)
HEAD = "Dr. Andi Wijaya, M.Si."
HEAD_NIP = "196801011990031001"
# SIAP at proposal: all top but IPKP 3,40 → 60 + 22,5 + 14,875 = 97,375 → 97,38. Rescored with
# IPKP 3,80 → 3,8 / 4 × 17,5 = 16,625 → 99,125 → 99,13 (exact in binary: banker's gives 99,12).
RESCORED = WBK_ONLY | {"B.II.a": "3,80"}


def files_of(zip_path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(zip_path) as archive:
        return {name.split("/", 1)[1]: archive.read(name) for name in archive.namelist()}


def text_of(content: bytes) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join((p.extract_text() or "").split()) for p in pages)


def set_head(new_uow: NewUow, instansi_id: int, *, name: str | None, elected: bool) -> None:
    with new_uow() as uow:
        instansi = uow.instansi.get_instansi(instansi_id=instansi_id)
        assert instansi is not None
        instansi.head_name = name
        instansi.head_title = "Sekretaris Jenderal Kementerian Uji"
        instansi.head_elected = elected
        uow.commit()


def proposed(new_uow: NewUow, period: tuple[int, dict[str, int]], tmp_path: Path) -> int:
    """SIAP proposed after the first monitoring run, the instansi's head and TPI on record;
    the instansi's id."""
    period_id, ids = period
    run(new_uow, period_id, FIRST, tmp_path / "reports")
    with new_uow() as uow:
        unit = uow.units.get_unit(unit_id=ids["SIAP"])
        assert unit is not None
        instansi_id = unit.instansi_id
        for name, role, nip in (
            # The head's record spells the name with one more space: still the same person.
            ("Dr. Andi  Wijaya, M.Si.", "pimpinan_instansi", HEAD_NIP),
            ("Rina Wulandari", "tpi", "197903122005012003"),
            ("Budi Hartono", "tpi", "198001012006041001"),
        ):
            uow.units.add_team_member(
                member=TeamMemberCreate(
                    instansi_id=instansi_id,
                    name=name,
                    role=role,
                    email=f"{role}@uji.go.id",
                    nip=nip,
                )
            )
        uow.commit()
    set_head(new_uow, instansi_id, name=HEAD, elected=False)
    with new_uow() as uow:
        propose_unit(
            uow,
            unit_id=ids["SIAP"],
            year=YEAR,
            as_of=PROPOSED_ON,
            actor="Kepala instansi",
            framework=lke(),
            data_dir=tmp_path,
        )
    return instansi_id


def rescore(new_uow: NewUow, period: tuple[int, dict[str, int]], tmp_path: Path) -> None:
    period_id, ids = period
    rows = pd.DataFrame(list(RESCORED.items()), columns=["code", "answer"])
    with new_uow() as uow:
        record_answers(
            uow,
            unit_id=ids["SIAP"],
            period_id=period_id,
            kind=AssessmentKind.TPI,
            framework=lke(),
            rows=rows.assign(row=range(2, len(rows) + 2)),
        )
    run(new_uow, period_id, RESCORED_ON, tmp_path / "reports")


def test_the_letter_sent_carries_the_scores_of_the_day_it_is_sent(
    new_uow: NewUow, period: tuple[int, dict[str, int]], tmp_path: Path
) -> None:
    instansi_id = proposed(new_uow, period, tmp_path)
    rescore(new_uow, period, tmp_path)
    with new_uow() as uow:
        # A letter dated before the new snapshot still has the score of the first run ...
        before = build_instansi_letter(
            uow,
            instansi_id=instansi_id,
            year=YEAR,
            as_of=RESCORED_ON.replace(day=9),
            data_dir=tmp_path,
        )
        proposal = uow.proposals.latest_proposal(
            unit_id=period[1]["SIAP"],
            year=YEAR,
            predicate=Predicate.WBK,
        )
        assert proposal is not None and proposal.tpi_total == 97.375  # what its package carries
    assert before is not None
    assert "Unit SIAP/ Menuju WBK (nilai TPI 97,38)" in text_of(files_of(before)[LETTER])
    # ... and the one submitted on the 24th lists the score of the 10 May run.
    with new_uow() as uow:
        sent = submit_proposals(
            uow,
            instansi_id=instansi_id,
            year=YEAR,
            as_of=SUBMITTED_ON,
            actor="TPI",
            data_dir=tmp_path,
        )
    assert sent.letter is not None and sent.letter != before and len(sent.sent) == 1
    files = files_of(sent.letter)
    letter = text_of(files[LETTER])
    assert "24 Mei 2027" in letter
    assert "Unit SIAP/ Menuju WBK (nilai TPI 99,13)" in letter and "97,38" not in letter
    sptjm = text_of(files[SPTJM])
    assert "sejumlah 1 unit kerja/satuan kerja" in sptjm and "99,13" in sptjm
    assert "24 Mei 2027" in sptjm and "materai" not in sptjm.lower()
    manifest = json.loads(files[MANIFEST])
    (unit,) = manifest["unit_diusulkan"]
    assert unit["nilai_tpi"] == 99.125 and unit["nilai_tpi_per"] == "2027-05-10"


def test_a_snapshot_of_the_next_year_is_not_the_proposal_years_score(
    new_uow: NewUow, period: tuple[int, dict[str, int]], tmp_path: Path
) -> None:
    instansi_id = proposed(new_uow, period, tmp_path)
    rescore(new_uow, period, tmp_path)
    unit_id = period[1]["SIAP"]
    with new_uow() as uow:
        latest = uow.snapshots.latest_snapshot(unit_id=unit_id)
        assert latest is not None
        uow.snapshots.add_snapshots(
            rows=[
                ScoreSnapshotCreate(
                    unit_id=unit_id,
                    assessment_id=latest.assessment_id,
                    as_of=date(YEAR + 1, 1, 10),
                    framework=latest.framework,
                    total=50.0,
                    pengungkit=30.0,
                    hasil=20.0,
                    meets_wbk=False,
                    meets_wbbm=False,
                    details={},
                )
            ]
        )
        uow.commit()
        late = build_instansi_letter(
            uow, instansi_id=instansi_id, year=YEAR, as_of=date(YEAR + 1, 1, 15), data_dir=tmp_path
        )
    assert late is not None
    text = text_of(files_of(late)[LETTER])
    assert "(nilai TPI 99,13)" in text and "50,00" not in text


def test_the_head_signs_as_the_instansi_record_names_them(
    new_uow: NewUow, period: tuple[int, dict[str, int]], tmp_path: Path
) -> None:
    instansi_id = proposed(new_uow, period, tmp_path)
    letters = sorted((tmp_path / "usulan").rglob("surat-pengajuan-*.zip"))
    files = files_of(letters[-1])
    # A civil servant: the NIP of the pimpinan_instansi member of the same name.
    for name in (LETTER, SPTJM):
        text = text_of(files[name])
        assert f"{HEAD} NIP. {HEAD_NIP}" in text
        assert "Sekretaris Jenderal Kementerian Uji" in text
    # Elected: no NIP line at all.
    set_head(new_uow, instansi_id, name=HEAD, elected=True)
    with new_uow() as uow:
        elected = build_instansi_letter(
            uow, instansi_id=instansi_id, year=YEAR, as_of=PROPOSED_ON, data_dir=tmp_path
        )
    assert elected is not None
    for name in (LETTER, SPTJM):
        text = text_of(files_of(elected)[name])
        assert HEAD in text and "NIP" not in text
    # No name on the record: the pimpinan_instansi member's; not elected, a NIP of that name.
    set_head(new_uow, instansi_id, name=None, elected=False)
    with new_uow() as uow:
        fallback = build_instansi_letter(
            uow, instansi_id=instansi_id, year=YEAR, as_of=PROPOSED_ON, data_dir=tmp_path
        )
    assert fallback is not None
    assert f"Dr. Andi Wijaya, M.Si. NIP. {HEAD_NIP}" in text_of(files_of(fallback)[LETTER])
    # Another name on the record than the team member's: a blank NIP line.
    set_head(new_uow, instansi_id, name="Ir. Sri Lestari", elected=False)
    with new_uow() as uow:
        other = build_instansi_letter(
            uow, instansi_id=instansi_id, year=YEAR, as_of=PROPOSED_ON, data_dir=tmp_path
        )
    assert other is not None
    text = text_of(files_of(other)[LETTER])
    assert "Ir. Sri Lestari NIP." in text and not re.search(r"NIP\.\s*\d", text)


def test_the_unit_package_has_the_lhe_signed_by_the_first_tpi_member(
    new_uow: NewUow, period: tuple[int, dict[str, int]], tmp_path: Path
) -> None:
    proposed(new_uow, period, tmp_path)
    (package,) = (tmp_path / "usulan").rglob("SIAP-Unit-SIAP-*.zip")
    files = files_of(package)
    assert "sptjm.pdf" not in files
    lhe = text_of(files[LHE])
    assert "Unit SIAP (SIAP)" in lhe and "97,38" in lhe
    assert "Unit SIAP MEMENUHI syarat minimal predikat Menuju Wilayah Bebas dari Korupsi" in lhe
    assert "Ketua Tim Penilai Internal, Rina Wulandari NIP. 197903122005012003" in lhe
    assert "Budi Hartono" not in lhe
    assert json.loads(files[MANIFEST])["ketua_tpi"] == "Rina Wulandari"
