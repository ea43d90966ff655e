"""The portal in a real browser: a team member follows the e-mailed link from the local mail
sink, answers LKE questions and sees the score move; a page of another unit is refused; the
pages fit a phone and can be used from the keyboard. Screenshots are artifacts of the run."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.builders import Agency
from tests.portal.browser import fits, screenshot, sign_in, sign_in_link


def test_a_team_member_signs_in_from_the_mail_and_answers_the_lke(
    portal: tuple[str, Agency], browser: Browser, data_dir: Path
) -> None:
    base, agency = portal
    unit_id = agency.units["DPMPTSP"]
    page = browser.new_page(viewport={"width": 1280, "height": 900})

    sign_in(page, base, "siti@uji.go.id", data_dir)

    expect(page).to_have_url(f"{base}/unit/{unit_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dinas Penanaman Modal")
    screenshot(page, "unit")
    page.get_by_role("link", name="Isi LKE online").click()
    expect(page).to_have_url(f"{base}/unit/{unit_id}/lke")

    # A.I.1.i (weight 0,50): Ya (1) with its other question unanswered: 0,50 x 1/2 = 0,25; then
    # B (0,5): 0,50 x 1,5/2 = 0,375 → 0,38. Saved as each answer changes (portal.js).
    first = page.locator("#q-A\\.I\\.1\\.i\\.a")
    first.get_by_label("Ya").check()
    expect(first.locator(".status")).to_have_text("Tersimpan")
    expect(page.locator("#skor .value")).to_have_text("0,25")
    second = page.locator("#q-A\\.I\\.1\\.i\\.b")
    second.get_by_text("Jika sebagian menggunakan prosedur").click()
    expect(second.locator(".status")).to_have_text("Tersimpan")
    expect(page.locator("#skor .value")).to_have_text("0,38")
    wrong = page.locator("#q-A\\.II\\.3\\.iii\\.a")
    wrong.get_by_label("Jumlah pelanggaran tahun ini").fill("banyak")
    wrong.get_by_label("Jumlah pelanggaran tahun ini").press("Tab")
    expect(wrong.locator(".status")).to_contain_text("A.II.3.iii.a")
    screenshot(page, "lke")

    page.reload()  # what was saved is what the page shows again
    expect(page.locator("#q-A\\.I\\.1\\.i\\.a").get_by_label("Ya")).to_be_checked()
    page.goto(f"{base}/unit/{unit_id}")
    expect(page.locator("table.audit")).to_contain_text("Jawaban mandiri A.I.1.i.b")
    expect(page.locator("table.audit")).to_contain_text("siti@uji.go.id")


def test_pages_fit_a_phone_and_work_from_the_keyboard(
    portal: tuple[str, Agency], browser: Browser, data_dir: Path
) -> None:
    base, agency = portal
    page = browser.new_page(viewport={"width": 390, "height": 800})
    page.goto(f"{base}/masuk")
    assert fits(page)
    page.keyboard.press("Tab")
    expect(page.get_by_text("Langsung ke isi")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Alamat e-mail")).to_be_focused()
    page.keyboard.type("agus@uji.go.id")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("tautan masuk telah dikirim")
    screenshot(page, "masuk")
    page.goto(sign_in_link(data_dir, "agus@uji.go.id"))
    expect(page.get_by_role("button", name="Masuk")).to_be_focused()  # autofocus
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/unit/{agency.units['DPMPTSP']}")
    for path in (f"/unit/{agency.units['DPMPTSP']}", f"/unit/{agency.units['DPMPTSP']}/lke"):
        page.goto(base + path)
        assert fits(page), path

    other = page.goto(f"{base}/unit/{agency.units['DUKCAPIL']}")

    assert other is not None and other.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Galat 404")
