"""After the award: decree dates and validity on lifecycle events, TPN's own score on proposals,
complaints of maladministration.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 03:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("lifecycle_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decree_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("valid_until", sa.Date(), nullable=True))

    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tpn_total", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column("tpn_scores", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )

    op.create_table(
        "complaint",
        sa.Column("instansi_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=True),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instansi_id"], ["instansi.id"], name=op.f("fk_complaint_instansi_id_instansi")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit_kerja.id"], name=op.f("fk_complaint_unit_id_unit_kerja")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint")),
    )
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_complaint_instansi_id"), ["instansi_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaint_unit_id"), ["unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_unit_id"))
        batch_op.drop_index(batch_op.f("ix_complaint_instansi_id"))
    op.drop_table("complaint")
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.drop_column("tpn_scores")
        batch_op.drop_column("tpn_total")
    with op.batch_alter_table("lifecycle_event", schema=None) as batch_op:
        batch_op.drop_column("valid_until")
        batch_op.drop_column("decree_date")
