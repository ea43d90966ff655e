"""The TPI's pages in a real browser: the TPI member opens the instansi dashboard from the home
page, reviews a unit, accepts the team's answer and comments; the pages fit a phone.
Screenshots are artifacts of the run (build/test-artifacts/portal)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from playwright.sync_api import Browser, expect

from config.framework_files import load_framework
from persistence.unit_of_work import SqlUnitOfWork
from services.portal_units import AnswerChange, save_answer
from tests.builders import Agency
from tests.portal.browser import fits, screenshot, sign_in

NewUow = Callable[[], SqlUnitOfWork]


def test_the_tpi_reviews_a_unit_from_the_dashboard(
    portal: tuple[str, Agency],
    browser: Browser,
    new_uow: NewUow,
    data_dir: Path,
) -> None:
    base, agency = portal
    with new_uow() as uow:
        unit = uow.units.get_unit(unit_id=agency.units["DPMPTSP"])
        assert unit is not None
        save_answer(
            uow,
            unit=unit,
            change=AnswerChange("A.I.1.i.a", {"A.I.1.i.a": "Ya"}),
            framework=load_framework(None),
            actor="siti@uji.go.id",
            day=date(2026, 3, 2),
        )
    page = browser.new_page(viewport={"width": 390, "height": 800})

    sign_in(page, base, "rina@uji.go.id", data_dir)
    page.get_by_role("link", name="Dasbor instansi").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Dasbor")
    expect(page.locator("table.tpi-units")).to_contain_text("DUKCAPIL")
    assert fits(page)
    screenshot(page, "instansi")
    page.locator("tr", has_text="DPMPTSP").get_by_role("link", name="Tinjau").click()
    question = page.locator("#q-A\\.I\\.1\\.i\\.a")
    expect(question).to_contain_text("Berbeda")
    assert fits(page)

    # A.I.1.i (weight 0,50), two questions: Ya (1) and nothing: 0,50 x 1/2 = 0,25.
    question.get_by_role("button", name="Terima").click()
    expect(page.get_by_role("status")).to_have_text("A.I.1.i.a diterima; nilai TPI 0,25")
    question = page.locator("#q-A\\.I\\.1\\.i\\.a")
    expect(question).not_to_contain_text("Berbeda")
    question.get_by_text("Tulis komentar").click()
    question.get_by_label("Komentar untuk A.I.1.i.a").fill("SK tim sudah sesuai.")
    question.get_by_role("button", name="Simpan komentar").click()
    expect(page.locator("#q-A\\.I\\.1\\.i\\.a .tpi-comments")).to_contain_text(
        "SK tim sudah sesuai."
    )
    screenshot(page, "tinjau")
