"""The framework file: the bundled LKE is complete, and a broken file is refused precisely."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from config.calendar import BUNDLED_CALENDAR
from config.framework_files import BUNDLED_DIR, load_framework_file
from config.survey_methods import SURVEYS_DIR
from config.yaml_files import read_yaml
from tests.domain.worksheets import lke
from zi_domain.framework_data import FrameworkError, framework_from_data

BUNDLED = BUNDLED_DIR / "permenpanrb-90-2021.yaml"
MINI = Path(__file__).parents[1] / "data" / "lke-mini-2030.yaml"


def test_bundled_lke_has_every_item_of_lampiran_iii() -> None:
    framework = lke()
    halves = {
        h.key: [q for q in framework.questions if q.half_key == h.key] for h in framework.halves
    }
    assert len(framework.questions) == 110
    assert (len(halves["pemenuhan"]), len(halves["reform"])) == (87, 23)
    indicators = [i.half_key for i in framework.indicators]
    assert (indicators.count("pemenuhan"), indicators.count("reform")) == (25, 17)
    assert [i.code for i in framework.hasil_items] == ["B.I.a", "B.I.b", "B.II.a"]
    assert [a.weight for a in framework.areas] == [8, 7, 10, 10, 15, 10]
    assert all(q.text for q in framework.questions)
    assert all(
        q.options or q.answer_type.kind != "choice" or q.answer_type.name == "ya_tidak"
        for q in framework.questions
    )


def test_bundled_lke_texts_as_printed() -> None:
    """Spot checks against the print of Lampiran III."""
    questions = {q.code: q for q in lke().questions}
    first = questions["A.I.1.i.a"]
    assert (
        first.text == "Unit kerja telah membentuk tim untuk melakukan pembangunan Zona Integritas"
    )
    assert first.explanation == "Ya, jika Tim telah dibentuk di dalam unit kerja."
    assert questions["A.I.1.i.b"].options["C"] == "Jika tidak di seleksi."
    lhkpn = questions["A.II.5.iii.a"]
    assert [i.key for i in lhkpn.inputs] == ["wajib_lapor", "sudah_lapor"]
    assert len(lhkpn.inputs[0].parts) == 3


def test_floors_of_tabel_6() -> None:
    framework = lke()
    wbk = {f.rule: f.minimum for f in framework.predicate("WBK").floors}
    wbbm = {f.rule: f.minimum for f in framework.predicate("WBBM").floors}
    assert wbk == {
        "total": 75,
        "pengungkit": 40,
        "area_percent": 60,
        "bersih_akuntabel": 18.25,
        "ipak": 15.75,
        "kinerja": 2.5,
        "pelayanan_prima": 14,
    }
    assert wbbm == {
        "total": 85,
        "pengungkit": 48,
        "area_percent": 75,
        "bersih_akuntabel": 19.5,
        "ipak": 15.75,
        "kinerja": 3.75,
        "pelayanan_prima": 15.75,
    }
    assert framework.predicate("WBBM").requires_predicate == "WBK"


def bundled_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    return data


def first_question(data: dict[str, Any]) -> dict[str, Any]:
    question: dict[str, Any] = data["pengungkit"]["halves"][0]["areas"][0]["indicators"][0][
        "questions"
    ][0]
    return question


def second_question(data: dict[str, Any]) -> dict[str, Any]:
    question: dict[str, Any] = data["pengungkit"]["halves"][0]["areas"][0]["indicators"][0][
        "questions"
    ][1]
    return question


def set_path(*path: Any, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target = data
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return change


BREAKAGES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    (
        "duplicate code",
        lambda d: second_question(d).update(code="A.I.1.i.a"),
        "code or key 'A.I.1.i.a' appears more than once",
    ),
    (
        "unknown answer type",
        lambda d: first_question(d).update(type="ya_mungkin"),
        "(A.I.1.i.a).type: unknown answer type 'ya_mungkin'",
    ),
    (
        "indicator weight off",
        set_path("pengungkit", "halves", 0, "areas", 0, "indicators", 0, "weight", value=0.75),
        "A.I area 1 (its indicators) is 4 but its parts sum to 4.25",
    ),
    (
        "area weight off",
        set_path("pengungkit", "areas", 4, "weight", value=14),
        "pengungkit (areas) is 60 but its parts sum to 59",
    ),
    (
        "hasil weight off",
        set_path("hasil", "groups", 1, "weight", value=17),
        "hasil (groups) is 40 but its parts sum to 39.5",
    ),
    ("missing text", lambda d: first_question(d).pop("text"), "(A.I.1.i.a): missing field 'text'"),
    (
        "options do not match the type",
        lambda d: second_question(d)["options"].pop("C"),
        "(A.I.1.i.b).options: options A/B do not match the answer type abc (A/B/C)",
    ),
    (
        "unknown input in formula",
        lambda d: next(
            q
            for h in d["pengungkit"]["halves"]
            for a in h["areas"]
            for i in a["indicators"]
            for q in i["questions"]
            if q["code"] == "A.II.3.iii.a"
        ).update(numerator="pelanggaran_tahun_lalu - pelanggaran_tahun_ini"),
        "unknown input 'pelanggaran_tahun_lalu'",
    ),
    (
        "unknown floor rule",
        lambda d: d["predicates"][0]["floors"].append({"rule": "ikm", "min": 1}),
        "predicates[0].floors[7].rule: unknown rule 'ikm'",
    ),
    (
        "question outside its indicator",
        lambda d: first_question(d).update(code="A.I.1.ii.z"),
        "question A.I.1.ii.z is not under its indicator's code A.I.1.i",
    ),
    (
        "weight not a number",
        lambda d: (
            first_question(d).update(type="abc", options={"A": "a", "B": "b", "C": "c"})
            or d["pengungkit"].update(weight="enam puluh")
        ),
        "pengungkit.weight: expected a number, found 'enam puluh'",
    ),
    ("unsupported format", set_path("format", value=9), "unsupported format 9"),
]


@pytest.mark.parametrize(("name", "breakage", "message"), BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_broken_file_is_refused_with_place_and_problem(
    name: str, breakage: Callable[[dict[str, Any]], None], message: str, tmp_path: Path
) -> None:
    data = copy.deepcopy(bundled_data())
    breakage(data)
    path = tmp_path / "permenpanrb-90-2021.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(FrameworkError) as refused:
        load_framework_file(path)
    assert str(refused.value).startswith("permenpanrb-90-2021.yaml: ")
    assert message in str(refused.value)


def test_unreadable_yaml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rusak.yaml"
    path.write_text("format: 1\nname: [unclosed\n", encoding="utf-8")
    with pytest.raises(FrameworkError, match=r"^rusak.yaml: cannot be read"):
        load_framework_file(path)


@pytest.mark.parametrize(
    "path",
    [*sorted(BUNDLED_DIR.glob("*.yaml")), *sorted(SURVEYS_DIR.glob("*.yaml")), BUNDLED_CALENDAR],
    ids=lambda p: p.name,
)
def test_data_files_read_as_pyyaml_reads_them(path: Path) -> None:
    """`read_yaml` takes libyaml's loader where it can: every bundled file reads the same."""
    assert read_yaml(path) == yaml.safe_load(path.read_text(encoding="utf-8"))


def test_a_data_file_cannot_build_python_objects(tmp_path: Path) -> None:
    path = tmp_path / "jahat.yaml"
    path.write_text("format: !!python/object/apply:os.getcwd []\n", encoding="utf-8")
    with pytest.raises(yaml.YAMLError, match="python/object/apply"):
        read_yaml(path)
    with pytest.raises(FrameworkError, match=r"^jahat.yaml: cannot be read"):
        load_framework_file(path)


def test_name_must_match_file(tmp_path: Path) -> None:
    path = tmp_path / "lain.yaml"
    path.write_text(BUNDLED.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(FrameworkError, match="differs from the file name"):
        load_framework_file(path)


def test_another_regulation_is_only_a_data_file() -> None:
    framework = load_framework_file(MINI)
    assert framework.name == "lke-mini-2030"
    assert framework_from_data(yaml.safe_load(MINI.read_text()), source="x").total_weight == 100
