"""Numbers and dates written the Indonesian way (75,00; 1.234,50; Senin, 31 Mei 2027)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from types import MappingProxyType
from typing import Any

from zi_domain.rounding import lke_round

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


def angka(value: float, decimals: int = 2) -> str:
    """75.5 → '75,50'; thousands with dots, as the LKE prints numbers."""
    if decimals == 0 and type(value) is int and -1000 < value < 1000:
        return str(value)  # no separator to place: a report prints 100,000 of these
    shown = lke_round(value) if decimals == 2 else round(value, decimals)
    text = f"{shown:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def tanggal(day: date, *, with_weekday: bool = False) -> str:
    """date(2027, 5, 31) → '31 Mei 2027' (or 'Senin, 31 Mei 2027')."""
    text = f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    return f"{DAYS[day.weekday()]}, {text}" if with_weekday else text


_SIZE_UNITS = ("KB", "MB", "GB", "TB")


def ukuran(size_bytes: int) -> str:
    """A file size: 512 → '512 B', 1_572_864 → '1,5 MB' (units of 1024)."""
    if size_bytes < 1024:
        return f"{size_bytes} B"
    value = float(size_bytes)
    for unit in _SIZE_UNITS:
        value /= 1024
        if value < 1024 or unit == _SIZE_UNITS[-1]:
            return f"{angka(value, 1)} {unit}"
    raise AssertionError("unreachable")


# The filters of every Jinja2 template the product renders (documents, reports, e-mails): a
# number shown to a person is `x | angka` (the LKE's half-up rounding), a date `d | tanggal`.
TEMPLATE_FILTERS: Mapping[str, Callable[..., Any]] = MappingProxyType(
    {"angka": angka, "tanggal": tanggal}
)
