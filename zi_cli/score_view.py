"""The readable `zi score` tables: areas, halves, hasil, total, floors, shortfalls, missing,
and what to fix first (`zi_domain.gaps.fix_first`, the ranking every output shows).

The file name and the framework's texts pass `shown`: Rich reads markup in titles and cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from zi_cli.output import shown
from zi_domain.framework import AnswerType, Framework
from zi_domain.gaps import Gap
from zi_domain.indonesian import angka
from zi_domain.predicates import WBBM, next_predicate
from zi_domain.unit_score import UnitScore, rule_name


def print_unit_score(
    console: Console, result: UnitScore, framework: Framework, *, title: str
) -> None:
    halves = [h for h in framework.halves]
    areas = Table(title=f"Nilai LKE: {shown(title)} ({shown(framework.name)})")
    areas.add_column("Area")
    areas.add_column("Bobot", justify="right")
    for half in halves:
        areas.add_column(half.name, justify="right")
    areas.add_column("Nilai", justify="right")
    areas.add_column("%", justify="right")
    for area in result.areas:
        areas.add_row(
            f"{area.number}. {shown(area.name)}",
            angka(area.weight),
            *(angka(area.halves[h.key]) for h in halves),
            angka(area.score),
            angka(area.percent),
        )
    areas.add_section()
    half_totals = [sum(a.halves[h.key] for a in result.areas) for h in halves]
    areas.add_row(
        "Pengungkit",
        angka(framework.pengungkit_weight),
        *(angka(v) for v in half_totals),
        angka(result.pengungkit),
        angka(result.pengungkit / framework.pengungkit_weight * 100),
    )
    console.print(areas)

    hasil = Table(title="Hasil")
    hasil.add_column("Komponen")
    hasil.add_column("Bobot", justify="right")
    hasil.add_column("Nilai", justify="right")
    for group in framework.hasil_groups:
        hasil.add_row(
            f"[bold]{shown(group.name)}[/]",
            angka(group.weight),
            angka(result.hasil_components[group.key]),
        )
        for item in group.items:
            hasil.add_row(
                f"  {shown(item.code)} {shown(item.text)}",
                angka(item.weight),
                angka(result.hasil_components[item.key]),
            )
    hasil.add_section()
    hasil.add_row("Hasil", angka(framework.hasil_weight), angka(result.hasil))
    hasil.add_row(
        "[bold]Nilai total[/]", angka(framework.total_weight), f"[bold]{angka(result.total)}[/]"
    )
    console.print(hasil)

    for predicate in framework.predicates:
        met = result.meets[predicate.name]
        verdict = "[green]memenuhi[/]" if met else "[red]belum memenuhi[/]"
        console.print(f"Batas nilai {shown(predicate.name)}: {verdict}", highlight=False)
        for shortfall in result.shortfalls[predicate.name]:
            console.print(
                f"  - {shown(rule_name(shortfall.rule, framework))}: "
                f"minimal {angka(shortfall.required)}, "
                f"tercapai {angka(shortfall.actual)}",
                highlight=False,
            )
        if predicate.requires_predicate:
            console.print(
                f"  (syarat lain: unit telah berpredikat {shown(predicate.requires_predicate)})",
                highlight=False,
            )
    if result.missing:
        console.print(
            f"[yellow]Belum dijawab ({len(result.missing)}, dihitung 0):[/] "
            + ", ".join(shown(code) for code in result.missing),
            highlight=False,
        )
    else:
        console.print("Semua pertanyaan telah dijawab.")


# --- what to fix first ----------------------------------------------------------------------

FIX_FIRST_SHOWN = 5
"""Items of the ranking that `zi score` prints by default (`--perbaikan` shows more)."""


def aim(held: str | None, framework: Framework) -> str:
    """The predicate whose floors the ranking closes first: the next one on the ladder (WBK, or
    WBBM for a unit that holds WBK), the floors it holds for a WBBM unit, or, for a framework
    with other predicates, its first."""
    chosen = WBBM if held == WBBM else next_predicate(held)
    names = [p.name for p in framework.predicates]
    return chosen if chosen in names else names[0]


def answer_words(value: float, answer_type: AnswerType) -> str:
    """An item's value (0..1) as the answer that gives it: 'B', '87,50%', '3,19'."""
    if answer_type.kind == "choice":
        for answer, worth in answer_type.values.items():
            if abs(worth - value) < 1e-9:
                return answer
        return angka(value)
    if answer_type.kind == "percentage":
        return f"{angka(value * 100)}%"
    return angka(value * answer_type.maximum)


def _answer_types(framework: Framework) -> dict[str, AnswerType]:
    types = {q.code: q.answer_type for q in framework.questions}
    return types | {i.code: i.answer_type for i in framework.hasil_items}


def fix_first_json(gaps: Sequence[Gap], framework: Framework, predicate: str) -> dict[str, Any]:
    """The whole ranking for `--json`: each item's value 0..1 and top answer, the points the
    total would gain there, the missing floor points it would supply, the floors in words."""
    return {
        "predicate": predicate,
        "items": [
            {
                "code": gap.code,
                "text": gap.text,
                "value": gap.value,
                "top_answer": gap.top_answer,
                "gain": gap.gain,
                "toward_floors": gap.toward_floors,
                "helps": [rule_name(rule, framework) for rule in gap.helps],
            }
            for gap in gaps
        ],
    }


def print_fix_first(
    console: Console,
    gaps: Sequence[Gap],
    framework: Framework,
    *,
    predicate: str,
    missing: Sequence[str],
    shown_items: int = FIX_FIRST_SHOWN,
) -> None:
    """The first `shown_items` of the ranking (0: all), both numbers for each, in 80 columns."""
    if not gaps:
        console.print("Semua butir LKE sudah pada jawaban tertinggi.")
        return
    listed = gaps if shown_items == 0 else gaps[:shown_items]
    rest = len(gaps) - len(listed)
    more = f"; {rest} butir lain: --perbaikan 0 untuk semua" if rest else ""
    table = Table(
        title=f"Yang perlu diperbaiki lebih dulu menuju {shown(predicate)}",
        caption="Yang menutup kekurangan batas nilai lebih dulu, lalu menurut tambahan poin "
        f"total{more}",
    )
    table.add_column("No.", justify="right", no_wrap=True)
    table.add_column("Butir LKE")
    table.add_column("Menuju batas", justify="right", no_wrap=True)
    table.add_column("Poin total", justify="right", no_wrap=True)
    types, unanswered = _answer_types(framework), set(missing)
    for number, gap in enumerate(listed, start=1):
        now = (
            "belum dijawab"
            if gap.code in unanswered
            else f"kini {answer_words(gap.value, types[gap.code])}"
        )
        lines = [
            f"[bold]{shown(gap.code)}[/] {shown(gap.text)}",
            f"[dim]{now} → {shown(gap.top_answer)}[/]",
        ]
        if gap.helps:
            helps = ", ".join(rule_name(rule, framework) for rule in gap.helps)
            lines.append(f"[dim]menutup: {shown(helps)}[/]")
        table.add_row(
            str(number),
            "\n".join(lines),
            f"+{angka(gap.toward_floors)}" if gap.toward_floors > 0 else "—",
            f"+{angka(gap.gain)}",
        )
    console.print(table)
