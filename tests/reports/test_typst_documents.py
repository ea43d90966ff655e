"""The PDFs as Typst makes them (`reports.pdf`): text from data printed as typed, whatever Typst
syntax it holds; the same data giving the same bytes, dated by the data; and only the DejaVu Sans
files shipped under `config/fonts/` embedded, never a font of the machine."""

from __future__ import annotations

import dataclasses
import io
from datetime import date

import pytest
from pypdf import PdfReader

from reports.pdf import FONTS, Document, fonts, render_pdf
from reports.post_award_report import Complaint, PostAwardReport, post_award_report_pdf
from reports.proposal_documents import InstansiLetter, ProposedUnit, Signatory
from reports.proposal_package import (
    LETTER,
    SPTJM,
    SURVEYS,
    instansi_package,
    unit_package,
    unit_packages,
)
from reports.survey_report import AspectBar, SurveyReport, SurveySection, survey_report_pdf
from tests.reports.test_proposal_package import dossier

# Every character Typst markup or code gives a meaning to, and a Typst expression or two.
TYPST = r"Kantor #let x = 1 $a^2$ *tebal* _miring_ @ref <label> [kurung] \ `kode` = #x ~ // -- ..."
SHOWN = " ".join(TYPST.split())


def pdf_text(content: bytes) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join((page.extract_text() or "").split()) for page in pages)


def survey(unit_name: str = "Dinas Penanaman Modal & PTSP") -> SurveyReport:
    aspects = tuple(AspectBar(f"Unsur {n}", 3.0 + n / 10, 75.0 + n * 2.5) for n in range(1, 10))
    section = SurveySection(
        title="Survei Persepsi Kualitas Pelayanan (IPKP), unsur SKM",
        source="unit kerja",
        method="SKM PermenPANRB 14/2017",
        last_served=date(2026, 3, 28),
        respondents=30,
        minimum=25,
        justification=None,
        index=3.335,
        ikm=83.375,
        lke_item="B.II.a",
        points=14.59,
        coverage=(("perizinan", 15), ("pengaduan", 15)),
        aspects=aspects,
    )
    return SurveyReport(
        "Pemerintah Kabupaten Uji",
        "DPMPTSP",
        unit_name,
        "Semester I 2026",
        2026,
        date(2026, 3, 28),
        (section,),
    )


def post_award(unit_name: str = "Kantor Pelayanan Uji") -> PostAwardReport:
    return PostAwardReport(
        instansi="Kementerian Uji",
        unit_name=unit_name,
        predicate="WBK",
        year=2027,
        dated=date(2028, 2, 10),
        total=97.375,
        pengungkit=60.0,
        hasil=37.375,
        scored_on=date(2028, 1, 5),
        still_meets=True,
        complaints=(Complaint(date(2027, 6, 1), "Pungutan di loket pelayanan"),),
        notes="pengaduan ditindaklanjuti; pelayanan dipantau mingguan",
        head=Signatory("Dr. Andi Wijaya", nip="196801011990031001"),
        head_title="Sekretaris Jenderal",
    )


def letter(instansi: str = "Pemerintah Kabupaten Uji") -> InstansiLetter:
    return InstansiLetter(
        instansi=instansi,
        year=2026,
        dated=date(2026, 5, 25),
        units=(ProposedUnit("RSUD", TYPST, "WBK", 91.255),),
        head_name="Drs. Budi Santoso",
        head_title="Bupati Uji",
        head_elected=True,
    )


@pytest.fixture(scope="module")
def hostile_package() -> dict[str, bytes]:
    built = dossier(name=TYPST)
    return dict(unit_package(dataclasses.replace(built, surveys=survey(TYPST))).files)


def test_typst_syntax_in_a_unit_name_prints_as_typed(hostile_package: dict[str, bytes]) -> None:
    documents = [name for name in hostile_package if name.endswith(".pdf")]
    assert SURVEYS in documents and len(documents) == 5
    for name in documents:
        assert SHOWN in pdf_text(hostile_package[name]), name
    assert f"{SHOWN}/ Menuju WBK (nilai TPI 91,26)" in pdf_text(
        instansi_package(letter(), revision=1).files[LETTER]
    )
    assert SHOWN in pdf_text(post_award_report_pdf(post_award(TYPST)))


def test_typst_syntax_in_an_instansi_name_prints_as_typed() -> None:
    files = instansi_package(letter(TYPST), revision=1).files
    assert SHOWN.upper() in pdf_text(files[LETTER])  # the letterhead, in capitals
    assert f"ZI {SHOWN}, kami mengusulkan:" in pdf_text(files[LETTER])
    assert f"Yang membuat pernyataan {SHOWN}" in pdf_text(files[SPTJM])
    # The blanks to fill in by hand are dots, not the ellipses Typst markup would make of them.
    dots = "." * 40
    assert f"Nomor : {dots} 25 Mei 2026" in pdf_text(files[LETTER])
    assert f"Alamat : {dots}" in pdf_text(files[SPTJM])
    assert f"{'.' * 17}, 25 Mei 2026" in pdf_text(files[SPTJM])
    assert "…" not in pdf_text(files[LETTER]) + pdf_text(files[SPTJM])


def test_control_characters_from_data_are_dropped() -> None:
    pdf = survey_report_pdf(survey("Dinas\x07 Uji\x1b[31m Merah\u202e"))
    assert "Dinas Uji Merah (DPMPTSP)" in pdf_text(pdf)


def test_the_same_data_give_the_same_bytes_dated_by_the_data() -> None:
    assert survey_report_pdf(survey()) == survey_report_pdf(survey())
    assert post_award_report_pdf(post_award()) == post_award_report_pdf(post_award())
    metadata = PdfReader(io.BytesIO(post_award_report_pdf(post_award()))).metadata
    assert metadata is not None and metadata.creation_date is not None
    assert metadata.creation_date.date() == date(2028, 2, 10)  # the letter's date, not today's
    later = post_award_report_pdf(dataclasses.replace(post_award(), dated=date(2028, 2, 11)))
    assert later != post_award_report_pdf(post_award())


def test_only_the_shipped_dejavu_sans_is_embedded(hostile_package: dict[str, bytes]) -> None:
    assert {font.family for font in fonts().fonts()} == {"DejaVu Sans"}
    assert {font.path for font in fonts().fonts()} == {
        str(FONTS / "DejaVuSans.ttf"),
        str(FONTS / "DejaVuSans-Bold.ttf"),
    }
    for name, content in hostile_package.items():
        if not name.endswith(".pdf"):
            continue
        embedded = set()
        for page in PdfReader(io.BytesIO(content)).pages:
            for font in page["/Resources"]["/Font"].values():
                font = font.get_object()
                embedded.add(str(font["/BaseFont"]).split("+", 1)[-1])
                descendant = font["/DescendantFonts"][0].get_object()
                assert "/FontFile2" in descendant["/FontDescriptor"]  # embedded, not referenced
        assert embedded <= {"DejaVuSans", "DejaVuSans-Bold"} and embedded, name


def test_a_template_error_is_raised_not_hidden() -> None:
    with pytest.raises(Exception, match="does not contain key"):
        render_pdf(Document("prasyarat.typ", {"title": "x"}, dated=date(2026, 1, 1)))


def test_a_pool_of_workers_makes_the_same_bytes_in_order() -> None:
    dossiers = [dossier(), dossier(name="Kantor Pelayanan Dua"), dossier(name="Kantor Tiga")]
    # One package a worker: each is a fresh process, and still the bytes are the same.
    pooled = list(unit_packages(dossiers, workers=2, replace_every=1))
    assert [dict(p.files) for p in pooled] == [dict(unit_package(d).files) for d in dossiers]
