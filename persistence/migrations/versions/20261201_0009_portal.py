"""The portal (issue 14): sign-in links and sessions (only their tokens' SHA-256 kept), the audit
of every change made in it, the TPI's comments on a unit's questions, and the TPI's review of
each evidence document.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 14:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REVIEW_COLUMNS = ("reviewed_at", "reviewed_by", "review_reason", "review")


def _moment(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _token_table(name: str, *moments: str) -> None:
    op.create_table(
        name,
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        _moment("created_at"),
        _moment("expires_at"),
        *(_moment(moment, nullable=True) for moment in moments),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint("token_sha256", name=op.f(f"uq_{name}_token_sha256")),
    )
    op.create_index(op.f(f"ix_{name}_email"), name, ["email"])


def upgrade() -> None:
    _token_table("portal_sign_in", "used_at")
    _token_table("portal_session", "ended_at")
    op.create_table(
        "audit_entry",
        sa.Column("instansi_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        _moment("occurred_at"),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instansi_id"], ["instansi.id"], name=op.f("fk_audit_entry_instansi_id_instansi")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit_kerja.id"], name=op.f("fk_audit_entry_unit_id_unit_kerja")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    op.create_index(op.f("ix_audit_entry_instansi_id"), "audit_entry", ["instansi_id"])
    op.create_index(op.f("ix_audit_entry_unit_id"), "audit_entry", ["unit_id"])
    op.create_table(
        "question_comment",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("author", sa.String(length=320), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        _moment("created_at"),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit_kerja.id"], name=op.f("fk_question_comment_unit_id_unit_kerja")
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["assessment_period.id"],
            name=op.f("fk_question_comment_period_id_assessment_period"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_comment")),
    )
    op.create_index(op.f("ix_question_comment_unit_id"), "question_comment", ["unit_id"])
    with op.batch_alter_table("evidence_document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("review_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_by", sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("evidence_document", schema=None) as batch_op:
        for column in REVIEW_COLUMNS:
            batch_op.drop_column(column)
    for table in ("question_comment", "audit_entry", "portal_session", "portal_sign_in"):
        op.drop_table(table)
