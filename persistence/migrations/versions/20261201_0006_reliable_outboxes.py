"""Outboxes that finish what a failed run left: a threshold crossing stays pending until its
proposal exists (the proposal it led to, and the last reason it is still pending); an outbox
row keeps the message it claimed, so a later run can deliver it whatever day composed it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 06:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("threshold_crossing", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proposal_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("pending_reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_threshold_crossing_proposal_id_proposal"),
            "proposal",
            ["proposal_id"],
            ["id"],
        )
    # Crossings recorded before this revision whose unit has a proposal of that predicate in the
    # period's year are settled; the others are pending, as they are.
    op.execute(
        """
        UPDATE threshold_crossing SET proposal_id = (
            SELECT MIN(p.id) FROM proposal p JOIN assessment_period ap
              ON ap.id = threshold_crossing.period_id
            WHERE p.unit_id = threshold_crossing.unit_id
              AND p.predicate = threshold_crossing.predicate AND p.year = ap.year
        )
        """
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payload", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_column("payload")
    with op.batch_alter_table("threshold_crossing", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_threshold_crossing_proposal_id_proposal"), type_="foreignkey"
        )
        batch_op.drop_column("pending_reason")
        batch_op.drop_column("proposal_id")
