"""Migration 0007 on a database that already holds survey results (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError

from persistence.database import make_engine
from persistence.migrate import upgrade_database


def test_results_stored_before_0007_are_the_tpis_and_sources_are_checked(
    database_url: URL,
) -> None:
    upgrade_database(database_url, revision="0006")
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO instansi (id, name, kind, head_elected) "
                "VALUES (1, 'Kab', 'pemerintah_daerah', false)"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO unit_kerja (id, instansi_id, code, name, core_service, "
                "high_corruption_risk, wide_public_impact, priority_regional_service, "
                "service_types, state) VALUES (1, 1, 'U', 'Unit', true, true, true, false, "
                "'[]', 'developing')"
            )
        )
        connection.execute(
            sa.text(
                'INSERT INTO survey_result (unit_id, year, kind, "index", respondents) '
                "VALUES (1, 2025, 'ipak', 3.61, 40)"
            )
        )
    engine.dispose()

    upgrade_database(database_url)

    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                sa.text(
                    "SELECT source, method, coverage, aspect_means, period_id, actor, "
                    "imported_at FROM survey_result"
                )
            ).one()
        assert (row.source, row.method, row.period_id, row.actor) == ("tpi", "", None, "")
        assert row.imported_at is not None
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(sa.text("UPDATE survey_result SET source = 'bps'"))
    finally:
        engine.dispose()
