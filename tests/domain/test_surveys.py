"""The survey method, the respondent checks and the index, against sets worked by hand."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest

from config.framework_files import load_framework
from config.survey_methods import load_survey_method
from zi_domain.surveys import (
    RespondentRow,
    SurveyContext,
    SurveyMethod,
    SurveyMethodError,
    compute_index,
    header_problems,
    index_from_ikm,
    mapped_header,
    method_from_data,
    read_respondents,
    sample_problems,
    survey_points,
)

METHOD = load_survey_method()
IPAK = METHOD.instrument("ipak")
IPKP = METHOD.instrument("ipkp")
CONTEXT = SurveyContext(
    unit_code="DPMPTSP",
    service_types=("perizinan", "pengaduan"),
    starts_on=date(2026, 1, 1),
    ends_on=date(2026, 5, 31),
)


def rows(
    answer_sets: Sequence[Sequence[int | str]],
    codes: Sequence[str],
    *,
    types: Sequence[str] = ("perizinan", "pengaduan"),
    **fixed: str,
) -> list[RespondentRow]:
    """One row per answer set (line 2 onwards), service types taken in turn."""
    made = []
    for number, answers in enumerate(answer_sets):
        cells = {
            "responden": f"R{number + 1:03d}",
            "jenis_layanan": types[number % len(types)],
            "tanggal_layanan": "2026-03-15",
        }
        cells |= dict(zip(codes, map(str, answers), strict=True)) | fixed
        made.append(RespondentRow(row=number + 2, cells=cells))
    return made


def read(
    lines: list[RespondentRow], method: SurveyMethod = METHOD, kind: str = "ipak"
) -> tuple[Any, Any]:
    return read_respondents(
        lines, method=method, instrument=method.instrument(kind), context=CONTEXT
    )


IPAK_CODES = [item.code for item in IPAK.items]
IPKP_CODES = [item.code for item in IPKP.items]


def test_the_bundled_method_has_the_regulations_aspects() -> None:
    assert METHOD.label == "ipak-ipkp-2024 versi 2024.1"
    assert [a.key for a in IPAK.aspects] == [
        "diskriminasi",
        "kecurangan",
        "gratifikasi",
        "percaloan",
        "pungli",
    ]
    assert [a.key for a in IPKP.aspects] == [
        "persyaratan",
        "prosedur",
        "waktu",
        "biaya",
        "produk",
        "kompetensi",
        "perilaku",
        "sarana",
        "pengaduan",
    ]
    assert (METHOD.scale_min, METHOD.scale_max, METHOD.min_respondents) == (1, 4, 30)


def test_ipak_index_worked_by_hand() -> None:
    # Items in pairs by aspect: diskriminasi AK1-2, kecurangan AK3-4, gratifikasi AK5-6,
    # percaloan AK7-8, pungli AK9-10.
    answers = [
        [4, 4, 3, 3, 4, 4, 4, 3, 4, 4],
        [3, 3, 3, 4, 4, 4, 3, 3, 4, 3],
        [4, 2, 2, 2, 4, 4, 4, 4, 3, 3],
    ]
    respondents, problems = read(rows(answers, IPAK_CODES))
    assert problems == []

    result = compute_index(
        respondents, method=METHOD, instrument=IPAK, service_types=CONTEXT.service_types
    )

    # diskriminasi: respondents' means 4, 3, 3          -> 10/3  = 3.3333
    # kecurangan:   3, 3.5, 2                            -> 8.5/3 = 2.8333
    # gratifikasi:  4, 4, 4                              -> 4
    # percaloan:    3.5, 3, 4                            -> 10.5/3 = 3.5
    # pungli:       4, 3.5, 3                            -> 10.5/3 = 3.5
    # index = (10/3 + 8.5/3 + 4 + 3.5 + 3.5) / 5 = (37/6 + 11) / 5 = 103/30 = 3.4333...
    assert result.aspect_means["diskriminasi"] == pytest.approx(10 / 3)
    assert result.aspect_means["kecurangan"] == pytest.approx(8.5 / 3)
    assert result.index == pytest.approx(103 / 30)
    assert result.respondents == 3
    assert result.coverage == {"perizinan": 2, "pengaduan": 1}
    assert result.method == "ipak-ipkp-2024 versi 2024.1"
    assert result.ikm is None
    # points = 103/30 / 4 x 17.5 = 1802.5/120 = 15.0208...: under the 15.75 floor
    assert survey_points(result.index, weight=17.5) == pytest.approx(15.020833333)


def test_ipkp_skm_index_worked_by_hand() -> None:
    answers = [
        [4, 4, 3, 4, 3, 3, 4, 3, 2],  # sum 30
        [3, 3, 3, 4, 3, 4, 4, 3, 3],  # sum 30
    ]
    respondents, problems = read(rows(answers, IPKP_CODES), kind="ipkp")
    assert problems == []

    result = compute_index(
        respondents, method=METHOD, instrument=IPKP, service_types=CONTEXT.service_types
    )

    # unsur means U1..U9: 3.5 3.5 3 4 3 3.5 4 3 2.5, sum 30, mean 30/9 = 3.3333
    # IKM = 25 x 10/3 = 83.33 (SKM's 25-100); index = IKM / 25 = 3.3333
    assert result.aspect_means["pengaduan"] == pytest.approx(2.5)
    assert result.ikm == pytest.approx(250 / 3)
    assert result.index == pytest.approx(10 / 3)
    assert result.formula == "skm_ikm"


def small_method(**changes: Any) -> SurveyMethod:
    data: dict[str, Any] = {
        "name": "uji",
        "version": "1",
        "scale": {"min": 1, "max": 4},
        "kinds": {
            "ipak": {
                "formula": "mean_of_aspects",
                "aspects": [
                    {"key": "a", "name": "A", "items": [{"code": "A1", "text": "a"}]},
                    {
                        "key": "b",
                        "name": "B",
                        "items": [
                            {"code": "B1", "text": "b"},
                            {"code": "B2", "text": "b"},
                            {"code": "B3", "text": "b"},
                        ],
                    },
                ],
            }
        },
    }
    return method_from_data(data | changes, source="uji.yaml")


def test_each_aspect_weighs_the_same_whatever_its_number_of_items() -> None:
    method = small_method()
    respondents, problems = read(rows([[4, 1, 1, 1]], ["A1", "B1", "B2", "B3"]), method)
    assert problems == []

    result = compute_index(
        respondents, method=method, instrument=method.instrument("ipak"), service_types=()
    )

    # aspect A = 4, aspect B = (1+1+1)/3 = 1 -> index (4 + 1) / 2 = 2.5
    # (the mean of all four answers would be 7/4 = 1.75: not the formula)
    assert result.index == pytest.approx(2.5)


def test_another_scale_is_rescaled_to_the_0_to_4_index() -> None:
    method = method_from_data(
        {
            "name": "lima",
            "scale": {"min": 1, "max": 5},
            "kinds": {
                "ipak": {
                    "aspects": [{"key": "a", "name": "A", "items": [{"code": "Q1", "text": "q"}]}]
                }
            },
        },
        source="lima.yaml",
    )
    respondents, problems = read(rows([[5], [4]], ["Q1"]), method)
    assert problems == []

    result = compute_index(
        respondents, method=method, instrument=method.instrument("ipak"), service_types=()
    )

    # mean 4.5 on 1-5 -> 4.5 x 4 / 5 = 3.6
    assert result.index == pytest.approx(3.6)


def test_points_and_an_skm_result_convert_as_the_lke_does() -> None:
    # 3.20 / 4 x 17.5 = 14.00 (the WBK floor of pelayanan prima); 3.60 -> 15.75
    assert survey_points(3.2, weight=17.5) == pytest.approx(14.0)
    assert survey_points(3.6, weight=17.5) == pytest.approx(15.75)
    # IKM 82.5 / 25 = 3.30
    assert index_from_ikm(82.5) == pytest.approx(3.3)
    with pytest.raises(ValueError):
        index_from_ikm(101)


def problems_of(lines: list[RespondentRow]) -> list[str]:
    return [str(p) for p in read(lines)[1]]


def test_every_bad_cell_is_named_with_its_row_column_and_value() -> None:
    good = [4] * 10
    lines = rows([good, good, good, good, good, good], IPAK_CODES)
    lines[0] = RespondentRow(2, {**lines[0].cells, "AK3": "5"})
    lines[1] = RespondentRow(3, {**lines[1].cells, "AK4": ""})
    lines[2] = RespondentRow(4, {**lines[2].cells, "tanggal_layanan": "2025-12-31"})
    lines[3] = RespondentRow(5, {**lines[3].cells, "jenis_layanan": "parkir"})
    lines[4] = RespondentRow(6, {**lines[4].cells, "responden": "r001"})
    lines[5] = RespondentRow(7, {**lines[5].cells, "unit": "RSUD", "tanggal_layanan": "31/02/2026"})

    assert problems_of(lines) == [
        "baris 2, kolom 'AK3': jawaban harus 1 sampai 4 (tertulis: \"5\")",
        "baris 3, kolom 'AK4': jawaban kosong; isi 1 sampai 4",
        "baris 4, kolom 'tanggal_layanan': di luar periode 2026-01-01 s.d. 2026-05-31 "
        '(tertulis: "2025-12-31")',
        "baris 5, kolom 'jenis_layanan': jenis layanan tidak dikenal untuk unit DPMPTSP "
        '(yang ada: perizinan; pengaduan) (tertulis: "parkir")',
        "baris 6, kolom 'responden': responden ganda (sama dengan baris 2) (tertulis: \"r001\")",
        "baris 7, kolom 'unit': bukan unit DPMPTSP (tertulis: \"RSUD\")",
        "baris 7, kolom 'tanggal_layanan': tanggal tidak terbaca; tulis TTTT-BB-HH atau "
        'HH/BB/TTTT (tertulis: "31/02/2026")',
    ]


def test_a_respondent_id_longer_than_the_database_keeps_is_refused() -> None:
    lines = rows([[4] * 10], IPAK_CODES)
    long_id = "R" * 256
    lines[0] = RespondentRow(2, {**lines[0].cells, "responden": long_id})

    assert problems_of(lines) == [
        "baris 2, kolom 'responden': id responden lebih dari 255 karakter "
        f'(tertulis: "{"R" * 40}… (256 karakter)")'
    ]


def test_form_exports_are_read_as_people_write_them() -> None:
    lines = rows([["Sangat setuju", "3,0", "3.0", 4, 4, 4, 4, 4, 4, 4]], IPAK_CODES)
    lines[0] = RespondentRow(
        2,
        {**lines[0].cells, "tanggal_layanan": "15/03/2026 10:22:11", "jenis_layanan": "PERIZINAN"},
    )

    (respondent,), problems = read(lines)

    assert problems == []
    assert respondent.answers["AK1"] == 4 and respondent.answers["AK2"] == 3
    assert respondent.served_on == date(2026, 3, 15)
    assert respondent.service_type == "perizinan"


def sample(count: int, types: Sequence[str] = ("perizinan", "pengaduan")) -> Any:
    respondents, problems = read(rows([[4] * 10] * count, IPAK_CODES, types=types))
    assert problems == []
    return respondents


def test_29_respondents_are_refused_without_a_justification_and_accepted_with_one() -> None:
    respondents = sample(29)

    refused = sample_problems(respondents, method=METHOD, context=CONTEXT, justification=None)
    accepted = sample_problems(
        respondents,
        method=METHOD,
        context=CONTEXT,
        justification="Hanya 29 penerima layanan pada periode ini (buku register)",
    )

    assert [str(p) for p in refused] == [
        "hanya 29 responden; paling sedikit 30 per unit kerja, kurang dari itu hanya dengan "
        "alasan yang dicatat (--justification), misalnya jumlah penerima layanan pada "
        "periode itu memang lebih kecil"
    ]
    assert accepted == []
    assert sample_problems(sample(30), method=METHOD, context=CONTEXT, justification=None) == []


def test_a_set_missing_a_service_type_is_refused() -> None:
    problems = sample_problems(
        sample(40, types=("perizinan",)), method=METHOD, context=CONTEXT, justification="x"
    )

    assert [str(p) for p in problems] == [
        "jenis layanan unit tanpa responden: pengaduan (setiap jenis layanan harus terwakili)"
    ]


def test_a_unit_without_service_types_cannot_show_coverage() -> None:
    context = SurveyContext("RSUD", (), date(2026, 1, 1), date(2026, 5, 31))

    problems = sample_problems(sample(30), method=METHOD, context=context, justification=None)

    assert len(problems) == 1 and "belum mencatat jenis layanannya" in str(problems[0])


def test_a_form_export_is_mapped_column_by_column() -> None:
    header = ["timestamp", "nomor responden", "layanan yang diterima", "tanggal selesai"]
    header += [f"pertanyaan {n}" for n in range(1, 11)]
    mapping = [
        (2, "Nomor Responden", "responden"),
        (3, "Layanan yang diterima", "jenis_layanan"),
        (4, "Tanggal selesai", "tanggal_layanan"),
    ] + [(4 + n, f"Pertanyaan {n}", f"AK{n}") for n in range(1, 11)]

    renamed, problems = mapped_header(header, mapping, IPAK)

    assert problems == []
    assert renamed["nomor responden"] == "responden"
    assert renamed["pertanyaan 10"] == "AK10"
    assert renamed["timestamp"] == "timestamp"
    assert header_problems(list(renamed.values()), IPAK) == []
    _, wrong = mapped_header(header, [(2, "Pertanyaan 1", "AK99"), (3, "Umur", "AK1")], IPAK)
    assert [str(p) for p in wrong] == [
        "baris 2, kolom 'item': butir atau kolom tujuan tidak dikenal (tertulis: \"AK99\")",
        "baris 3, kolom 'form column': kolom formulir tidak ada di berkas (tertulis: \"Umur\")",
    ]


def test_a_file_without_an_item_column_is_told_which() -> None:
    header = ["responden", "jenis layanan", "tanggal layanan", *IPAK_CODES[:-1]]

    assert [str(p) for p in header_problems(header, IPAK)] == [
        "kolom 'AK10' tidak ada di kepala kolom"
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"scale": {"min": 4, "max": 1}}, "scale: min 4 dan max 1 tidak sah"),
        ({"kinds": {"ikm": {}}}, "kinds: pilih ipak dan/atau ipkp"),
        (
            {"kinds": {"ipak": {"formula": "median", "aspects": []}}},
            "kinds.ipak.formula: pilih mean_of_aspects, skm_ikm",
        ),
    ],
)
def test_a_bad_method_file_is_refused_with_its_place(change: dict[str, Any], message: str) -> None:
    with pytest.raises(SurveyMethodError, match=message):
        small_method(**change)


def test_item_codes_are_unique_across_the_method() -> None:
    aspect = {"key": "a", "name": "A", "items": [{"code": "Q1", "text": "q"}]}
    with pytest.raises(SurveyMethodError, match="kode butir dipakai lebih dari sekali"):
        method_from_data(
            {"name": "x", "kinds": {"ipak": {"aspects": [aspect]}, "ipkp": {"aspects": [aspect]}}},
            source="x.yaml",
        )


def test_the_lke_weight_of_both_items_is_17_50() -> None:
    framework = load_framework("permenpanrb-90-2021")
    weights = {item.code: item.weight for item in framework.hasil_items}
    assert weights["B.I.a"] == 17.5 and weights["B.II.a"] == 17.5
