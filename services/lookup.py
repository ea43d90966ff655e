"""Finding an instansi or a unit by what people type: a code, a name, or a number.

People and deployments name an instansi by its code ("KAB-SKM"); older data without a code is
found by its name, and scripts may still pass the database number. A unit is named by its code
within its instansi.
"""

from __future__ import annotations

import difflib

from persistence.tables import Instansi, UnitKerja
from persistence.unit_of_work import UnitOfWork
from zi_domain.indonesian import angka


class NotFoundInData(LookupError):
    """A unit or instansi named by a person or a deployment that the database does not hold."""


MAX_ID = 2**31 - 1
"""The largest database number (an INTEGER key); a longer number is a code, never an id."""


def _as_id(text: str) -> int | None:
    """The database number that `text` spells in ASCII digits ('²' or 25 digits are not one)."""
    digits = text.isascii() and text.isdigit() and len(text) <= len(str(MAX_ID))
    return int(text) if digits and int(text) <= MAX_ID else None


def find_instansi(uow: UnitOfWork, key: str | int) -> Instansi:
    text = str(key).strip()
    found = uow.instansi.get_instansi_by_code(code=text) or uow.instansi.get_instansi_by_name(
        name=text
    )
    if found is None and (number := _as_id(text)) is not None:
        found = uow.instansi.get_instansi(instansi_id=number)
    if found is None:
        known = sorted(i.code or i.name for i in uow.instansi.all_instansi())
        raise NotFoundInData(f"instansi {text!r} tidak ditemukan ({_known_words(text, known)})")
    return found


KNOWN_LISTED = 10
"""Up to this many instansi, a message about an unknown one lists them all; a national
deployment holds hundreds, and then it names only the codes that look like the one typed."""


def _known_words(typed: str, known: list[str]) -> str:
    if not known:
        return "yang ada: belum ada; daftarkan dengan `zi agency import`"
    if len(known) <= KNOWN_LISTED:
        return f"yang ada: {', '.join(known)}"
    by_case = {k.casefold(): k for k in known}
    alike = difflib.get_close_matches(typed.casefold(), list(by_case), n=5, cutoff=0.6)
    count = f"{angka(len(known), 0)} instansi terdaftar"
    if not alike:
        return f"{count}; tidak ada kode yang mirip"
    return f"mungkin: {', '.join(by_case[a] for a in alike)}; {count}"


def find_unit(uow: UnitOfWork, code: str, instansi: str | int | None) -> UnitKerja:
    """A unit by its code within the instansi (any instansi when the code is unique), or by its
    number (within the instansi too: another instansi's unit is not found)."""
    owner_id = None
    if instansi is not None:
        owner = find_instansi(uow, instansi)
        assert owner.id is not None
        owner_id = owner.id
        unit = uow.units.get_unit_by_code(instansi_id=owner.id, code=code)
    else:
        matches = [
            u
            for i in uow.instansi.all_instansi()
            if i.id is not None and (u := uow.units.get_unit_by_code(instansi_id=i.id, code=code))
        ]
        if len(matches) > 1:
            raise NotFoundInData(
                f"unit {code!r}: kode dipakai di {len(matches)} instansi; sebutkan --instansi"
            )
        unit = matches[0] if matches else None
    if unit is None and (number := _as_id(code.strip())) is not None:
        unit = uow.units.get_unit(unit_id=number)
        if unit is not None and owner_id is not None and unit.instansi_id != owner_id:
            unit = None
    if unit is None:
        raise NotFoundInData(f"unit kerja {code!r} tidak ditemukan")
    return unit
