"""Surveys from their respondents (issue 13): each survey result records who ran it (mandiri,
tpi, tpn), its period, the method (name and version), the respondents per service type, each
aspect's mean, SKM's IKM, the justification of a sample under the minimum, the file's digest and
the LKE version it made; the respondents themselves, one row each with their answers as JSON.

Results stored before this revision came without a source: they are the TPI's (the only one the
product knew), with no period, method or coverage.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 11:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(*values: str, name: str) -> sa.Enum:
    """A VARCHAR(32) with a named CHECK, as persistence.sqltypes.enum_column declares it."""
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    with op.batch_alter_table("survey_result", schema=None) as batch_op:
        batch_op.add_column(sa.Column("period_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "source",
                _enum("mandiri", "tpi", "tpn", name="survey_source"),
                nullable=False,
                server_default="tpi",
            )
        )
        batch_op.add_column(
            sa.Column("method", sa.String(length=128), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("coverage", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch_op.add_column(
            sa.Column("aspect_means", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch_op.add_column(sa.Column("ikm", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("justification", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("source_file", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("assessment_version", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("actor", sa.String(length=255), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column(
                "imported_at",
                sa.DateTime(timezone=True),
                nullable=False,
                server_default=sa.func.current_timestamp(),
            )
        )
        batch_op.create_index(
            "ix_survey_result_unit_id_period_id", ["unit_id", "period_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_survey_result_period_id_assessment_period"),
            "assessment_period",
            ["period_id"],
            ["id"],
        )
    op.create_table(
        "survey_respondent",
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("respondent", sa.String(length=255), nullable=False),
        sa.Column("service_type", sa.String(length=255), nullable=False),
        sa.Column("served_on", sa.Date(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["survey_result.id"],
            name=op.f("fk_survey_respondent_survey_id_survey_result"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_respondent")),
        sa.UniqueConstraint(
            "survey_id", "respondent", name=op.f("uq_survey_respondent_survey_id_respondent")
        ),
    )


def downgrade() -> None:
    op.drop_table("survey_respondent")
    with op.batch_alter_table("survey_result", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_survey_result_period_id_assessment_period"), type_="foreignkey"
        )
        batch_op.drop_index("ix_survey_result_unit_id_period_id")
        batch_op.drop_constraint(batch_op.f("ck_survey_result_survey_source"), type_="check")
        for column in (
            "imported_at",
            "actor",
            "assessment_version",
            "source_file",
            "sha256",
            "justification",
            "ikm",
            "aspect_means",
            "coverage",
            "method",
            "source",
            "period_id",
        ):
            batch_op.drop_column(column)
