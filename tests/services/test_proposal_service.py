"""Proposals through the real unit of work (SQLite and PostgreSQL): a ready unit gets its
package, a rerun keeps it, a new revision keeps the old one, a unit that fails is refused with
every reason and nothing is written, and TPN acts only on what was submitted."""

# The units come from the monitoring tests' `period` fixture, imported by name: pytest finds it
# in this module, and each test's parameter of that name "redefines" it for the linter.
# ruff: noqa: F811

from __future__ import annotations

import hashlib
import json
import threading
import zipfile
from datetime import date
from pathlib import Path

import pytest

from services.lifecycle import Decree
from services.proposals import (
    ProposalLocked,
    ProposalRefused,
    ProposalStart,
    TpnScore,
    build_instansi_letter,
    propose_unit,
    record_tpn_result,
    submit_proposals,
)
from tests.domain.worksheets import lke
from tests.services.test_monitoring_service import (
    FIRST,
    YEAR,
    NewUow,
    period,  # noqa: F401 (a fixture)
    run,
)
from zi_domain.lifecycle import IllegalTransition, UnitState
from zi_domain.predicates import Predicate
from zi_domain.proposal import IllegalProposalMove

ON = date(YEAR, 3, 2)


def propose(new_uow: NewUow, unit_id: int, data_dir: Path, **options: object) -> ProposalStart:
    with new_uow() as uow:
        return propose_unit(
            uow,
            unit_id=unit_id,
            year=YEAR,
            as_of=ON,
            actor="Kepala instansi",
            framework=lke(),
            data_dir=data_dir,
            **options,  # type: ignore[arg-type]
        )


def monitored(
    new_uow: NewUow, period: tuple[int, dict[str, int]], tmp_path: Path
) -> dict[str, int]:
    period_id, ids = period
    run(new_uow, period_id, FIRST, tmp_path / "reports")
    return ids


def test_a_ready_unit_gets_its_package_and_a_rerun_keeps_it(
    new_uow: NewUow,
    period: tuple[int, dict[str, int]],
    tmp_path: Path,
) -> None:
    ids = monitored(new_uow, period, tmp_path)
    start = propose(new_uow, ids["SIAP"], tmp_path)
    assert start.created and start.package is not None
    zip_bytes = start.package.read_bytes()
    assert hashlib.sha256(zip_bytes).hexdigest() == start.proposal.package_sha256
    folder = start.package.parent / "WBK-r1"
    manifest = json.loads((folder / "manifest.json").read_bytes())
    for entry in manifest["files"]:
        assert hashlib.sha256((folder / entry["path"]).read_bytes()).hexdigest() == entry["sha256"]
    with zipfile.ZipFile(start.package) as archive:
        assert sorted(n.split("/", 1)[1] for n in archive.namelist()) == sorted(
            p.name for p in folder.iterdir()
        )
    # WBK_ONLY: all top but IPKP 3,40 → 60 + 22,5 + 3,4 / 4 × 17,5 (14,875) = 97,375.
    assert start.proposal.tpi_total == pytest.approx(97.375)
    assert manifest["nilai_tpi"] == pytest.approx(97.375)

    again = propose(new_uow, ids["SIAP"], tmp_path)
    assert not again.created and again.proposal.id == start.proposal.id
    assert start.package.read_bytes() == zip_bytes


def test_a_new_revision_keeps_the_older_one(
    new_uow: NewUow,
    period: tuple[int, dict[str, int]],
    tmp_path: Path,
) -> None:
    ids = monitored(new_uow, period, tmp_path)
    first = propose(new_uow, ids["SIAP"], tmp_path)
    assert first.package is not None
    kept = first.package.read_bytes()
    second = propose(new_uow, ids["SIAP"], tmp_path, new_revision=True)
    assert second.created and second.proposal.revision == 2 and second.package is not None
    assert first.package.read_bytes() == kept and second.package != first.package
    with new_uow() as uow:
        old = uow.proposals.get_proposal(proposal_id=first.proposal.id or 0)
        assert old is not None and old.state == "superseded"
        events = uow.proposals.proposal_events(proposal_id=first.proposal.id or 0)
        assert [e.to_state for e in events] == ["draft", "superseded"]
        unit = uow.units.get_unit(unit_id=ids["SIAP"])
        assert unit is not None and unit.state == "proposed"


def test_a_unit_that_fails_is_refused_with_every_reason_and_nothing_is_written(
    new_uow: NewUow,
    period: tuple[int, dict[str, int]],
    tmp_path: Path,
) -> None:
    ids = monitored(new_uow, period, tmp_path)
    with pytest.raises(ProposalRefused) as lhkpn:
        propose(new_uow, ids["LHKPN"], tmp_path)
    assert "kepatuhan penyampaian LHKPN: 97,50%; disyaratkan 100%" in str(lhkpn.value)
    with pytest.raises(ProposalRefused) as low:
        propose(new_uow, ids["RENDAH"], tmp_path)
    reasons = "\n".join(low.value.reasons)
    # Every floor the bottom answers miss is listed, e.g. the total and pelayanan prima
    # (IPKP 2,00 → 2 / 4 × 17,5 = 8,75 < 14,00).
    assert "Nilai total: minimal 75,00" in reasons
    assert "Pelayanan publik yang prima (IPKP): minimal 14,00, tercapai 8,75" in reasons
    assert not (tmp_path / "usulan").exists()
    with new_uow() as uow:
        for code in ("LHKPN", "RENDAH"):
            assert (
                uow.proposals.latest_proposal(unit_id=ids[code], year=YEAR, predicate=Predicate.WBK)
                is None
            )
            unit = uow.units.get_unit(unit_id=ids[code])
            assert unit is not None and unit.state == "under_tpi_evaluation"


def test_tpn_acts_only_on_a_submitted_proposal(
    new_uow: NewUow,
    period: tuple[int, dict[str, int]],
    tmp_path: Path,
) -> None:
    ids = monitored(new_uow, period, tmp_path)
    propose(new_uow, ids["SIAP"], tmp_path)
    with new_uow() as uow:
        instansi_id = uow.units.get_unit(unit_id=ids["SIAP"]).instansi_id  # type: ignore[union-attr]
        letter = build_instansi_letter(
            uow, instansi_id=instansi_id, year=YEAR, as_of=ON, data_dir=tmp_path
        )
        assert letter is not None and letter.name.endswith("-r1.zip")
        # The same units on the same day: the same letter, no new revision.
        assert (
            build_instansi_letter(
                uow, instansi_id=instansi_id, year=YEAR, as_of=ON, data_dir=tmp_path
            )
            == letter
        )
    tpn = dict(unit_id=ids["SIAP"], year=YEAR, predicate="WBK", actor="TPN")
    with new_uow() as uow, pytest.raises(IllegalProposalMove, match="berstatus draft"):
        record_tpn_result(uow, result="tpn_administrative", as_of=ON, **tpn)  # type: ignore[arg-type]
    with new_uow() as uow:
        sent = submit_proposals(
            uow, instansi_id=instansi_id, year=YEAR, as_of=ON, actor="TPI", data_dir=tmp_path
        )
        assert len(sent.sent) == 1 and sent.letter == letter  # nothing changed since
    for stage in ("tpn_administrative", "tpn_desk", "tpn_field", "tpn_panel"):
        with new_uow() as uow:
            record_tpn_result(uow, result=stage, as_of=date(YEAR, 9, 1), **tpn)  # type: ignore[arg-type]
    with new_uow() as uow, pytest.raises(IllegalTransition, match="surat keputusan belum diisi"):
        record_tpn_result(uow, result="awarded", as_of=date(YEAR, 12, 9), **tpn)  # type: ignore[arg-type]
    decree = Decree(number="KEP-12/M.PANRB/2027", dated=date(YEAR, 12, 5))
    score = TpnScore(total=86.5, components={"pengungkit": 50.0, "hasil": 36.5})
    with new_uow() as uow:
        record_tpn_result(
            uow,
            result="awarded",
            as_of=date(YEAR, 12, 9),
            decree=decree,
            score=score,
            **tpn,  # type: ignore[arg-type]
        )
    with new_uow() as uow:
        unit = uow.units.get_unit(unit_id=ids["SIAP"])
        # A WBK unit builds on toward WBBM from the decree's date (90/2021 Lampiran II Bab III).
        assert unit is not None and unit.predicate == Predicate.WBK
        assert unit.state == UnitState.DEVELOPING
        steps = uow.units.steps(instansi_id=unit.instansi_id, unit_ids=[ids["SIAP"]])[ids["SIAP"]]
        assert [(s.kind, s.to_state, s.effective_on) for s in steps[-2:]] == [
            ("award", "awarded_wbk", date(YEAR, 12, 5)),
            ("resume_development", "developing", date(YEAR, 12, 5)),
        ]
        assert steps[-2].decree_date == date(YEAR, 12, 5)
        # The TPI's report after the award is due within two years (Gambar 10).
        due = [
            d.due_on
            for d in uow.deadlines.deadlines(instansi_id=unit.instansi_id)
            if d.unit_id == ids["SIAP"] and d.kind == "post_award_report"
        ]
        assert due == [date(YEAR + 2, 12, 5)]
        proposal = uow.proposals.latest_proposal(
            unit_id=ids["SIAP"], year=YEAR, predicate=Predicate.WBK
        )
        assert proposal is not None and proposal.state == "awarded"
        assert (proposal.tpn_total, proposal.tpn_scores) == (86.5, dict(score.components))
        history = [e.to_state for e in uow.proposals.proposal_events(proposal_id=proposal.id or 0)]
        assert history == [
            "draft",
            "submitted",
            "tpn_administrative",
            "tpn_desk",
            "tpn_field",
            "tpn_panel",
            "awarded",
        ]
    # An awarded proposal is not rebuilt.
    with pytest.raises((ProposalLocked, ProposalRefused)):
        propose(new_uow, ids["SIAP"], tmp_path, new_revision=True)


def test_two_rebuilds_at_once_leave_every_recorded_package_whole(
    new_uow: NewUow,
    period: tuple[int, dict[str, int]],
    tmp_path: Path,
) -> None:
    ids = monitored(new_uow, period, tmp_path)
    propose(new_uow, ids["SIAP"], tmp_path)
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def rebuild() -> None:
        start.wait()
        try:
            propose(new_uow, ids["SIAP"], tmp_path, new_revision=True)
        except Exception as error:  # the loser of the race fails; it must not harm the winner
            errors.append(error)

    threads = [threading.Thread(target=rebuild) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(errors) <= 1, errors
    with new_uow() as uow:
        rows = [p for p, _ in uow.proposals.proposals_of(year=YEAR)]
    # One draft at the end, every older revision superseded, and each row's zip on disk whole.
    assert [p.state for p in rows].count("draft") == 1
    assert len(rows) == 3 - len(errors)
    for proposal in rows:
        assert proposal.package_path is not None
        content = Path(proposal.package_path).read_bytes()
        assert hashlib.sha256(content).hexdigest() == proposal.package_sha256
