"""Evidence files (issue 13): each evidence document may now carry the file itself, kept in the
evidence store under the data folder by its SHA-256: its size, the date on the document, the
file's original name and its path inside the store. Rows recorded before this revision keep
these empty (a title and a location only).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 12:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("stored_path", "original_name", "document_date", "size_bytes")


def upgrade() -> None:
    with op.batch_alter_table("evidence_document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("size_bytes", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("document_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("original_name", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("stored_path", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("evidence_document", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.drop_column(column)
