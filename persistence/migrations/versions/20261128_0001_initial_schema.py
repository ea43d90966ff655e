"""Initial schema: instansi, units, assessments and answers, scores, reminders, proposals.

Revision ID: 0001
Revises:
Create Date: 2026-11-28 05:26:45

Written by autogenerate, then tidied: tables in the order of the domain, `id` first, indexes
created without batch mode (a new table needs no copy), downgrade by dropping whole tables.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(*values: str, name: str) -> sa.Enum:
    """A VARCHAR(32) with a named CHECK, as persistence.sqltypes.enum_column declares it."""
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), nullable=False)


def _utc(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "instansi",
        _id(),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column(
            "kind",
            _enum("kementerian_lembaga", "pemerintah_daerah", name="instansi_kind"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instansi")),
        sa.UniqueConstraint("name", name=op.f("uq_instansi_name")),
    )
    op.create_table(
        "instansi_prerequisite",
        _id(),
        sa.Column("instansi_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column(
            "bpk_opinion", _enum("WTP", "WDP", "TW", "TMP", name="bpk_opinion"), nullable=False
        ),
        sa.Column("sakip_grade", sa.String(length=2), nullable=False),
        sa.Column("indeks_rb", sa.String(length=2), nullable=False),
        sa.Column("spip_level", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instansi_id"],
            ["instansi.id"],
            name=op.f("fk_instansi_prerequisite_instansi_id_instansi"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instansi_prerequisite")),
        sa.UniqueConstraint(
            "instansi_id", "year", name=op.f("uq_instansi_prerequisite_instansi_id_year")
        ),
    )
    op.create_table(
        "unit_kerja",
        _id(),
        sa.Column("instansi_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("core_service", sa.Boolean(), nullable=False),
        sa.Column("high_corruption_risk", sa.Boolean(), nullable=False),
        sa.Column("wide_public_impact", sa.Boolean(), nullable=False),
        sa.Column("priority_regional_service", sa.Boolean(), nullable=False),
        sa.Column("predicate", _enum("WBK", "WBBM", name="predicate"), nullable=True),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["instansi_id"], ["instansi.id"], name=op.f("fk_unit_kerja_instansi_id_instansi")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_kerja")),
        sa.UniqueConstraint("instansi_id", "code", name=op.f("uq_unit_kerja_instansi_id_code")),
    )
    op.create_index(op.f("ix_unit_kerja_state"), "unit_kerja", ["state"])
    op.create_table(
        "unit_prerequisite",
        _id(),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("follow_up_findings_percent", sa.Float(), nullable=False),
        sa.Column("lhkpn_percent", sa.Float(), nullable=False),
        sa.Column("lhkasn_percent", sa.Float(), nullable=False),
        sa.Column("internal_sakip_grade", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit_kerja.id"],
            name=op.f("fk_unit_prerequisite_unit_id_unit_kerja"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_prerequisite")),
        sa.UniqueConstraint("unit_id", "year", name=op.f("uq_unit_prerequisite_unit_id_year")),
    )
    op.create_table(
        "team_member",
        _id(),
        sa.Column("instansi_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.ForeignKeyConstraint(
            ["instansi_id"], ["instansi.id"], name=op.f("fk_team_member_instansi_id_instansi")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit_kerja.id"], name=op.f("fk_team_member_unit_id_unit_kerja")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_member")),
    )
    op.create_index(op.f("ix_team_member_instansi_id"), "team_member", ["instansi_id"])
    op.create_index(op.f("ix_team_member_unit_id"), "team_member", ["unit_id"])
    op.create_table(
        "lifecycle_event",
        _id(),
        sa.Column("instansi_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("from_state", sa.String(length=32), nullable=True),
        sa.Column("to_state", sa.String(length=32), nullable=False),
        sa.Column("sk_number", sa.String(length=128), nullable=True),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        _utc("occurred_at"),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["instansi_id"], ["instansi.id"], name=op.f("fk_lifecycle_event_instansi_id_instansi")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit_kerja.id"], name=op.f("fk_lifecycle_event_unit_id_unit_kerja")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lifecycle_event")),
    )
    op.create_index(op.f("ix_lifecycle_event_instansi_id"), "lifecycle_event", ["instansi_id"])
    op.create_index(op.f("ix_lifecycle_event_unit_id"), "lifecycle_event", ["unit_id"])

    op.create_table(
        "assessment_period",
        _id(),
        sa.Column("instansi_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instansi_id"],
            ["instansi.id"],
            name=op.f("fk_assessment_period_instansi_id_instansi"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_period")),
        sa.UniqueConstraint(
            "instansi_id",
            "year",
            "name",
            name=op.f("uq_assessment_period_instansi_id_year_name"),
        ),
    )
    op.create_table(
        "assessment",
        _id(),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("self", "tpi", name="assessment_kind"), nullable=False),
        sa.Column("framework", sa.String(length=64), nullable=False),
        _utc("updated_at"),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["assessment_period.id"],
            name=op.f("fk_assessment_period_id_assessment_period"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit_kerja.id"], name=op.f("fk_assessment_unit_id_unit_kerja")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
        sa.UniqueConstraint(
            "unit_id", "period_id", "kind", name=op.f("uq_assessment_unit_id_period_id_kind")
        ),
    )
    op.create_index("ix_assessment_period_id_kind", "assessment", ["period_id", "kind"])
    op.create_table(
        "answer",
        _id(),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("reviewer", sa.String(length=255), nullable=True),
        _utc("updated_at"),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_answer_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer")),
        sa.UniqueConstraint("assessment_id", "code", name=op.f("uq_answer_assessment_id_code")),
    )
    op.create_table(
        "evidence_document",
        _id(),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        _utc("uploaded_at"),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit_kerja.id"], name=op.f("fk_evidence_document_unit_id_unit_kerja")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_document")),
    )
    op.create_index("ix_evidence_document_unit_id_code", "evidence_document", ["unit_id", "code"])
    op.create_table(
        "survey_result",
        _id(),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("ipak", "ipkp", name="survey_kind"), nullable=False),
        sa.Column("index", sa.Float(), nullable=False),
        sa.Column("respondents", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit_kerja.id"], name=op.f("fk_survey_result_unit_id_unit_kerja")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_result")),
    )
    op.create_index("ix_survey_result_unit_id_year", "survey_result", ["unit_id", "year"])
    op.create_table(
        "score_snapshot",
        _id(),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("framework", sa.String(length=64), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("pengungkit", sa.Float(), nullable=False),
        sa.Column("hasil", sa.Float(), nullable=False),
        sa.Column("meets_wbk", sa.Boolean(), nullable=False),
        sa.Column("meets_wbbm", sa.Boolean(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        _utc("created_at"),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_score_snapshot_assessment_id_assessment"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit_kerja.id"], name=op.f("fk_score_snapshot_unit_id_unit_kerja")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_score_snapshot")),
        sa.UniqueConstraint(
            "unit_id",
            "assessment_id",
            "as_of",
            name=op.f("uq_score_snapshot_unit_id_assessment_id_as_of"),
        ),
    )
    op.create_index(op.f("ix_score_snapshot_assessment_id"), "score_snapshot", ["assessment_id"])

    op.create_table(
        "deadline",
        _id(),
        sa.Column("instansi_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instansi_id"], ["instansi.id"], name=op.f("fk_deadline_instansi_id_instansi")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit_kerja.id"], name=op.f("fk_deadline_unit_id_unit_kerja")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadline")),
    )
    op.create_index(op.f("ix_deadline_due_on"), "deadline", ["due_on"])
    op.create_index(op.f("ix_deadline_instansi_id"), "deadline", ["instansi_id"])
    op.create_index(op.f("ix_deadline_unit_id"), "deadline", ["unit_id"])
    op.create_table(
        "notification",
        _id(),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column(
            "status", _enum("claimed", "sent", "failed", name="notification_status"), nullable=False
        ),
        sa.Column("message_id", sa.String(length=255), nullable=True),
        _utc("claimed_at"),
        _utc("sent_at", nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_notification_idempotency_key")),
    )
    op.create_index(op.f("ix_notification_status"), "notification", ["status"])

    op.create_table(
        "proposal",
        _id(),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("predicate", _enum("WBK", "WBBM", name="predicate"), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("package_path", sa.Text(), nullable=True),
        sa.Column("package_sha256", sa.String(length=64), nullable=True),
        _utc("created_at"),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit_kerja.id"], name=op.f("fk_proposal_unit_id_unit_kerja")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal")),
        sa.UniqueConstraint(
            "unit_id",
            "year",
            "predicate",
            "revision",
            name=op.f("uq_proposal_unit_id_year_predicate_revision"),
        ),
    )
    op.create_table(
        "proposal_event",
        _id(),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("from_state", sa.String(length=32), nullable=True),
        sa.Column("to_state", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        _utc("occurred_at"),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposal.id"], name=op.f("fk_proposal_event_proposal_id_proposal")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_event")),
    )
    op.create_index(op.f("ix_proposal_event_proposal_id"), "proposal_event", ["proposal_id"])


def downgrade() -> None:
    # Dependants first; dropping a table drops its indexes and constraints.
    for table in (
        "proposal_event",
        "proposal",
        "notification",
        "deadline",
        "score_snapshot",
        "survey_result",
        "evidence_document",
        "answer",
        "assessment",
        "assessment_period",
        "lifecycle_event",
        "team_member",
        "unit_prerequisite",
        "unit_kerja",
        "instansi_prerequisite",
        "instansi",
    ):
        op.drop_table(table)
