"""The readable `zi score` table: areas, halves, hasil, total, floors, shortfalls, missing.

The file name and the framework's texts pass `shown`: Rich reads markup in titles and cells.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from zi_cli.output import shown
from zi_domain.framework import Framework
from zi_domain.indonesian import angka
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
