"""Work items of the development plan, and threshold crossings found by TPI monitoring.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 05:50:23.160008

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "threshold_crossing",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column(
            "predicate",
            sa.Enum(
                "WBK",
                "WBBM",
                name="predicate",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["assessment_period.id"],
            name=op.f("fk_threshold_crossing_period_id_assessment_period"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit_kerja.id"], name=op.f("fk_threshold_crossing_unit_id_unit_kerja")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_threshold_crossing")),
        sa.UniqueConstraint(
            "unit_id",
            "period_id",
            "predicate",
            name=op.f("uq_threshold_crossing_unit_id_period_id_predicate"),
        ),
    )
    op.create_table(
        "work_item",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("owner_member_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_member_id"],
            ["team_member.id"],
            name=op.f("fk_work_item_owner_member_id_team_member"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit_kerja.id"], name=op.f("fk_work_item_unit_id_unit_kerja")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_item")),
        sa.UniqueConstraint("unit_id", "year", "code", name=op.f("uq_work_item_unit_id_year_code")),
    )
    with op.batch_alter_table("work_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_work_item_due_on"), ["due_on"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("work_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_item_due_on"))

    op.drop_table("work_item")
    op.drop_table("threshold_crossing")
