"""The database schema, as SQLModel classes.

Each table follows the full-stack-fastapi-template layout: `XBase` holds the fields a caller
supplies, `XCreate` is what the repositories accept, and `X(table=True)` is the row, which is
also what callers read back (nothing serves the rows over an API, so there are no `XPublic`
read models). Identifiers are English; the Indonesian terms of art (instansi, unit kerja,
pengungkit, hasil, WBK, WBBM, SK, LHKPN...) are kept because they are the domain's names and
have no faithful translation.

The schema is created only by the Alembic migrations in `persistence/migrations/`; a change here
needs a new revision (see `persistence/migrations/README`).

Annotations are not postponed (no `from __future__ import annotations`) because SQLModel reads
them at class creation to build the columns.
"""

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from persistence.sqltypes import UtcDateTime, enum_column, utc_now
from zi_domain.predicates import Predicate

# Named constraints make Alembic's batch mode (SQLite) able to drop or alter them later, and keep
# the names identical on SQLite and PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CODE_LENGTH = 64
"""An LKE question code ("A.I.1.i.a") or a raw count row ("A.II.1.i.a:agen_perubahan")."""

STATE_LENGTH = 32
SHA256_PATTERN = r"^[0-9a-f]{64}$"


class InstansiKind(enum.StrEnum):
    """Decides which Indeks RB floor applies (CC for a regional government, B for a ministry)."""

    KEMENTERIAN_LEMBAGA = "kementerian_lembaga"
    PEMERINTAH_DAERAH = "pemerintah_daerah"


class AssessmentKind(enum.StrEnum):
    """A unit's self-assessment and the TPI's are kept apart: only the TPI's counts for TPN."""

    SELF = "self"
    TPI = "tpi"


class SurveyKind(enum.StrEnum):
    IPAK = "ipak"
    IPKP = "ipkp"


class SurveySource(enum.StrEnum):
    """Who ran a survey: the unit itself while building, the TPI, or TPN (through BPS or a
    third party, for units past its pre-evaluation; its result replaces the TPI's)."""

    MANDIRI = "mandiri"
    TPI = "tpi"
    TPN = "tpn"


class BpkOpinion(enum.StrEnum):
    """The four audit opinions of BPK; only WTP satisfies the instansi prerequisite."""

    WTP = "WTP"
    WDP = "WDP"
    TW = "TW"
    TMP = "TMP"


class NotificationStatus(enum.StrEnum):
    """The outbox states: claimed before sending, so that a rerun never sends twice."""

    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"


def _utc_field(*, index: bool = False) -> Any:
    return Field(default_factory=utc_now, sa_type=UtcDateTime, index=index)


def _text_field() -> Any:
    return Field(default=None, sa_type=sa.Text)


def _json_field() -> Any:
    return Field(default_factory=dict, sa_type=sa.JSON)


# --- instansi -------------------------------------------------------------------------------


class InstansiBase(SQLModel):
    name: str = Field(max_length=255, unique=True)
    kind: InstansiKind = Field(sa_type=enum_column(InstansiKind, name="instansi_kind"))
    code: str | None = Field(
        default=None, max_length=64, unique=True, description="The natural key of imports."
    )
    region: str | None = Field(default=None, max_length=255)
    head_name: str | None = Field(default=None, max_length=255)
    head_title: str | None = Field(default=None, max_length=255)
    head_elected: bool = Field(
        default=False, description="An elected head (Bupati, Gubernur) signs without a NIP."
    )


class InstansiCreate(InstansiBase):
    pass


class Instansi(InstansiBase, table=True):
    id: int | None = Field(default=None, primary_key=True)


class InstansiPrerequisiteBase(SQLModel):
    """The instansi's yearly results that gate every proposal (Tabel 5)."""

    instansi_id: int = Field(foreign_key="instansi.id", ondelete="CASCADE")
    year: int = Field(ge=2000, le=2100)
    bpk_opinion: BpkOpinion = Field(sa_type=enum_column(BpkOpinion, name="bpk_opinion"))
    sakip_grade: str = Field(max_length=2)
    indeks_rb: str = Field(max_length=2)
    spip_level: int = Field(ge=1, le=5)


class InstansiPrerequisiteCreate(InstansiPrerequisiteBase):
    pass


class InstansiPrerequisite(InstansiPrerequisiteBase, table=True):
    __tablename__ = "instansi_prerequisite"
    __table_args__ = (sa.UniqueConstraint("instansi_id", "year"),)

    id: int | None = Field(default=None, primary_key=True)


# --- unit kerja -----------------------------------------------------------------------------


class UnitKerjaBase(SQLModel):
    instansi_id: int = Field(foreign_key="instansi.id")
    code: str = Field(max_length=64, description="The instansi's own code (e.g. satker code).")
    name: str = Field(max_length=255)
    core_service: bool = False
    high_corruption_risk: bool = False
    wide_public_impact: bool = False
    priority_regional_service: bool = Field(
        default=False,
        description="PermenPANRB 5/2024: may be proposed before the instansi prerequisites.",
    )
    service_types: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    predicate: Predicate | None = Field(
        default=None, sa_type=enum_column(Predicate, name="predicate")
    )
    state: str = Field(max_length=STATE_LENGTH, index=True)


class UnitKerjaCreate(UnitKerjaBase):
    pass


class UnitKerja(UnitKerjaBase, table=True):
    __tablename__ = "unit_kerja"
    __table_args__ = (sa.UniqueConstraint("instansi_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)


class UnitPrerequisiteBase(SQLModel):
    """The unit's yearly prerequisites (Tabel 5): findings followed up, LHKPN/LHKASN filed."""

    unit_id: int = Field(foreign_key="unit_kerja.id", ondelete="CASCADE")
    year: int = Field(ge=2000, le=2100)
    follow_up_findings_percent: float = Field(ge=0, le=100)
    lhkpn_percent: float = Field(ge=0, le=100)
    lhkasn_percent: float = Field(ge=0, le=100)
    internal_sakip_grade: str = Field(max_length=2)


class UnitPrerequisiteCreate(UnitPrerequisiteBase):
    pass


class UnitPrerequisite(UnitPrerequisiteBase, table=True):
    __tablename__ = "unit_prerequisite"
    __table_args__ = (sa.UniqueConstraint("unit_id", "year"),)

    id: int | None = Field(default=None, primary_key=True)


class TeamMemberBase(SQLModel):
    """A member of a unit's ZI team, or of the instansi's TPI when `unit_id` is None."""

    instansi_id: int = Field(foreign_key="instansi.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit_kerja.id", index=True)
    name: str = Field(max_length=255)
    role: str = Field(max_length=64)
    email: str = Field(max_length=320)
    nip: str | None = Field(default=None, max_length=32)


class TeamMemberCreate(TeamMemberBase):
    pass


class TeamMember(TeamMemberBase, table=True):
    __tablename__ = "team_member"

    id: int | None = Field(default=None, primary_key=True)


class LifecycleEventBase(SQLModel):
    """An append-only record of a lifecycle step (declaration, designation, transition...)."""

    instansi_id: int = Field(foreign_key="instansi.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit_kerja.id", index=True)
    year: int
    kind: str = Field(max_length=STATE_LENGTH)
    from_state: str | None = Field(default=None, max_length=STATE_LENGTH)
    to_state: str = Field(max_length=STATE_LENGTH)
    sk_number: str | None = Field(default=None, max_length=128)  # the decree it records
    decree_date: date | None = None  # an award's, a revocation's: the two-year bar counts from it
    valid_until: date | None = None  # an award's validity, as its decree says
    criteria: dict[str, Any] = _json_field()
    actor: str = Field(max_length=255)
    occurred_at: datetime = _utc_field()
    note: str | None = _text_field()


class LifecycleEventCreate(LifecycleEventBase):
    pass


class LifecycleEvent(LifecycleEventBase, table=True):
    __tablename__ = "lifecycle_event"

    id: int | None = Field(default=None, primary_key=True)


# --- assessments ----------------------------------------------------------------------------


class AssessmentPeriodBase(SQLModel):
    instansi_id: int = Field(foreign_key="instansi.id")
    year: int = Field(ge=2000, le=2100)
    name: str = Field(max_length=128)
    starts_on: date
    ends_on: date


class AssessmentPeriodCreate(AssessmentPeriodBase):
    pass


class AssessmentPeriod(AssessmentPeriodBase, table=True):
    __tablename__ = "assessment_period"
    __table_args__ = (sa.UniqueConstraint("instansi_id", "year", "name"),)

    id: int | None = Field(default=None, primary_key=True)


class AssessmentBase(SQLModel):
    unit_id: int = Field(foreign_key="unit_kerja.id")
    period_id: int = Field(foreign_key="assessment_period.id")
    kind: AssessmentKind = Field(sa_type=enum_column(AssessmentKind, name="assessment_kind"))
    framework: str = Field(max_length=64)


class AssessmentCreate(AssessmentBase):
    pass


class Assessment(AssessmentBase, table=True):
    # (period_id, kind) is how the scorer reads a whole period's TPI answers at once.
    __table_args__ = (
        sa.UniqueConstraint("unit_id", "period_id", "kind"),
        sa.Index("ix_assessment_period_id_kind", "period_id", "kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    updated_at: datetime = _utc_field()


class AnswerBase(SQLModel):
    """One LKE answer as given ("Ya", "B", "12"), and its value once scored."""

    code: str = Field(max_length=CODE_LENGTH)
    answer: str = Field(sa_type=sa.Text)
    value: float | None = None
    note: str | None = _text_field()
    reviewer: str | None = Field(default=None, max_length=255)


class AnswerCreate(AnswerBase):
    pass


class Answer(AnswerBase, table=True):
    __table_args__ = (sa.UniqueConstraint("assessment_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", ondelete="CASCADE")
    updated_at: datetime = _utc_field()


class AssessmentVersionBase(SQLModel):
    """One imported state of an assessment's answers; the answer rows hold the latest one.

    A version is added only when the answers differ from the latest version (`sha256` of the
    sorted code/answer pairs), so re-importing the same workbook changes nothing.
    """

    assessment_id: int = Field(foreign_key="assessment.id", ondelete="CASCADE", index=True)
    version: int = Field(ge=1)
    sha256: str = Field(min_length=64, max_length=64, regex=SHA256_PATTERN)
    answers: dict[str, Any] = _json_field()
    total: float
    source: str = Field(max_length=500)
    actor: str = Field(max_length=255)
    imported_at: datetime = _utc_field()


class AssessmentVersionCreate(AssessmentVersionBase):
    pass


class AssessmentVersion(AssessmentVersionBase, table=True):
    __tablename__ = "assessment_version"
    __table_args__ = (sa.UniqueConstraint("assessment_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)


class EvidenceDocumentBase(SQLModel):
    unit_id: int = Field(foreign_key="unit_kerja.id")
    code: str = Field(max_length=CODE_LENGTH)
    title: str = Field(max_length=500)
    location: str = Field(sa_type=sa.Text)
    year: int = Field(ge=2000, le=2100)
    sha256: str = Field(min_length=64, max_length=64, regex=SHA256_PATTERN)
    uploaded_at: datetime = _utc_field()
    # The file itself (migration 0008): kept in the evidence store under the data folder by its
    # SHA-256 (`stored_path`, relative to the store); rows recorded before it have none of these.
    size_bytes: int | None = Field(default=None, ge=0, sa_type=sa.BigInteger)
    document_date: date | None = None
    original_name: str | None = Field(default=None, max_length=500)
    stored_path: str | None = _text_field()
    # The TPI's review in the portal (migration 0009): accepted or rejected with a reason.
    review: str | None = Field(default=None, max_length=STATE_LENGTH)
    review_reason: str | None = _text_field()
    reviewed_by: str | None = Field(default=None, max_length=320)
    reviewed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class EvidenceDocumentCreate(EvidenceDocumentBase):
    pass


class EvidenceDocument(EvidenceDocumentBase, table=True):
    __tablename__ = "evidence_document"
    __table_args__ = (sa.Index("ix_evidence_document_unit_id_code", "unit_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)


class SurveyResultBase(SQLModel):
    """A survey's index for a unit (IPAK feeds LKE B.I.a, IPKP B.II.a), with what it came from:
    who ran it, the method (name and version), n, respondents per service type, each aspect's
    mean, and the justification recorded when n is under the method's minimum."""

    unit_id: int = Field(foreign_key="unit_kerja.id")
    year: int = Field(ge=2000, le=2100)
    kind: SurveyKind = Field(sa_type=enum_column(SurveyKind, name="survey_kind"))
    index: float = Field(ge=0, le=4)
    respondents: int = Field(ge=0)
    period_id: int | None = Field(default=None, foreign_key="assessment_period.id")
    source: SurveySource = Field(
        default=SurveySource.TPI, sa_type=enum_column(SurveySource, name="survey_source")
    )
    method: str = Field(default="", max_length=128)
    coverage: dict[str, Any] = _json_field()  # service type -> respondents
    aspect_means: dict[str, Any] = _json_field()  # aspect key -> mean on the answer scale
    ikm: float | None = Field(default=None, ge=25, le=100)  # SKM's IKM, when computed as SKM
    justification: str | None = _text_field()
    sha256: str | None = Field(default=None, min_length=64, max_length=64, regex=SHA256_PATTERN)
    source_file: str | None = Field(default=None, max_length=500)
    assessment_version: int | None = Field(default=None, ge=1)  # the LKE version it made
    actor: str = Field(default="", max_length=255)


class SurveyResultCreate(SurveyResultBase):
    pass


class SurveyResult(SurveyResultBase, table=True):
    __tablename__ = "survey_result"
    __table_args__ = (
        sa.Index("ix_survey_result_unit_id_year", "unit_id", "year"),
        sa.Index("ix_survey_result_unit_id_period_id", "unit_id", "period_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    imported_at: datetime = _utc_field()


class SurveyRespondentBase(SQLModel):
    """One respondent of a survey, answers as JSON (item code -> scale value): one row per
    respondent keeps a 20,000-respondent import to one bulk INSERT of 20,000 rows."""

    survey_id: int = Field(foreign_key="survey_result.id", ondelete="CASCADE")
    row: int = Field(ge=1)  # the line of the file it came from
    respondent: str = Field(max_length=255)
    service_type: str = Field(max_length=255)
    served_on: date
    answers: dict[str, Any] = _json_field()


class SurveyRespondentCreate(SurveyRespondentBase):
    pass


class SurveyRespondent(SurveyRespondentBase, table=True):
    __tablename__ = "survey_respondent"
    __table_args__ = (sa.UniqueConstraint("survey_id", "respondent"),)

    id: int | None = Field(default=None, primary_key=True)


class ScoreSnapshotBase(SQLModel):
    """A unit's score as of a day; `details` keeps areas, components, shortfalls, missing codes."""

    unit_id: int = Field(foreign_key="unit_kerja.id")
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    as_of: date
    framework: str = Field(max_length=64)
    total: float
    pengungkit: float
    hasil: float
    meets_wbk: bool
    meets_wbbm: bool
    details: dict[str, Any] = _json_field()


class ScoreSnapshotCreate(ScoreSnapshotBase):
    pass


class ScoreSnapshot(ScoreSnapshotBase, table=True):
    # One row per (unit, assessment, day): recomputing the same day replaces, never duplicates.
    __tablename__ = "score_snapshot"
    __table_args__ = (sa.UniqueConstraint("unit_id", "assessment_id", "as_of"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = _utc_field()


# --- development and monitoring ------------------------------------------------------------


class WorkItemBase(SQLModel):
    """One task of a unit's ZI work plan: an LKE indicator to build up, or a self-survey."""

    unit_id: int = Field(foreign_key="unit_kerja.id")
    year: int = Field(ge=2000, le=2100)
    code: str = Field(max_length=CODE_LENGTH)
    title: str = Field(max_length=500)
    owner_member_id: int | None = Field(default=None, foreign_key="team_member.id")
    due_on: date = Field(index=True)
    completed_on: date | None = None
    completed_by: str | None = Field(default=None, max_length=255)


class WorkItemCreate(WorkItemBase):
    pass


class WorkItem(WorkItemBase, table=True):
    # One item per unit, year and code: creating the work plan twice adds nothing.
    __tablename__ = "work_item"
    __table_args__ = (sa.UniqueConstraint("unit_id", "year", "code"),)

    id: int | None = Field(default=None, primary_key=True)


class ThresholdCrossingBase(SQLModel):
    """The first monitoring run in a period that found a unit meeting a predicate's floors and
    prerequisites; the event to TPN's proposal flow is emitted once, for this row."""

    unit_id: int = Field(foreign_key="unit_kerja.id")
    period_id: int = Field(foreign_key="assessment_period.id")
    predicate: Predicate = Field(sa_type=enum_column(Predicate, name="predicate"))
    as_of: date
    total: float


class ThresholdCrossingCreate(ThresholdCrossingBase):
    pass


class ThresholdCrossing(ThresholdCrossingBase, table=True):
    # The UNIQUE is what makes a rerun, or two runs at once, emit the event a single time.
    __tablename__ = "threshold_crossing"
    __table_args__ = (sa.UniqueConstraint("unit_id", "period_id", "predicate"),)

    id: int | None = Field(default=None, primary_key=True)
    recorded_at: datetime = _utc_field()
    # The crossing's own outbox state: pending until the proposal it leads to exists (set in the
    # proposal's transaction); why it is still pending, as the last attempt found.
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id")
    pending_reason: str | None = _text_field()


# --- reminders and notifications ------------------------------------------------------------


class DeadlineBase(SQLModel):
    instansi_id: int = Field(foreign_key="instansi.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit_kerja.id", index=True)
    kind: str = Field(max_length=STATE_LENGTH)
    title: str = Field(max_length=500)
    due_on: date = Field(index=True)


class DeadlineCreate(DeadlineBase):
    pass


class Deadline(DeadlineBase, table=True):
    id: int | None = Field(default=None, primary_key=True)


class NotificationBase(SQLModel):
    """An outbox row: the UNIQUE key is the guard against sending the same message twice."""

    idempotency_key: str = Field(max_length=255, unique=True)
    recipient: str = Field(max_length=320)
    kind: str = Field(max_length=STATE_LENGTH)
    subject: str = Field(max_length=500)


class NotificationCreate(NotificationBase):
    pass


class Notification(NotificationBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    status: NotificationStatus = Field(
        default=NotificationStatus.CLAIMED,
        sa_type=enum_column(NotificationStatus, name="notification_status"),
        index=True,
    )
    message_id: str | None = Field(default=None, max_length=255)
    claimed_at: datetime = _utc_field()
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    error: str | None = _text_field()
    # The message as claimed (JSON), so that a later run can send what this one left unsent.
    payload: str | None = _text_field()


# --- proposals to TPN -----------------------------------------------------------------------


class ProposalBase(SQLModel):
    unit_id: int = Field(foreign_key="unit_kerja.id")
    year: int = Field(ge=2000, le=2100)
    predicate: Predicate = Field(sa_type=enum_column(Predicate, name="predicate"))
    state: str = Field(max_length=STATE_LENGTH)
    package_path: str | None = _text_field()
    package_sha256: str | None = Field(
        default=None, min_length=64, max_length=64, regex=SHA256_PATTERN
    )
    tpi_total: float | None = Field(default=None, ge=0, le=100)  # the score its package carries
    # TPN's own result (its field evaluation and survey replace the TPI's): total and components
    tpn_total: float | None = Field(default=None, ge=0, le=100)
    tpn_scores: dict[str, Any] = _json_field()


class ProposalCreate(ProposalBase):
    pass


class Proposal(ProposalBase, table=True):
    # A resubmission is a new revision; the UNIQUE makes two concurrent ones collide, not both win.
    __table_args__ = (sa.UniqueConstraint("unit_id", "year", "predicate", "revision"),)

    id: int | None = Field(default=None, primary_key=True)
    revision: int = Field(default=1, ge=1)
    created_at: datetime = _utc_field()


class ProposalEventBase(SQLModel):
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    from_state: str | None = Field(default=None, max_length=STATE_LENGTH)
    to_state: str = Field(max_length=STATE_LENGTH)
    actor: str = Field(max_length=255)
    occurred_at: datetime = _utc_field()


class ProposalEventCreate(ProposalEventBase):
    pass


class ProposalEvent(ProposalEventBase, table=True):
    __tablename__ = "proposal_event"

    id: int | None = Field(default=None, primary_key=True)


# --- after the award ---------------------------------------------------------------------------


class ComplaintBase(SQLModel):
    """A complaint of maladministration about a unit (Lampiran II Bab III A): the TPI handles
    it, and it may be the reason the TPI reports that a unit no longer meets its predicate."""

    instansi_id: int = Field(foreign_key="instansi.id", index=True)
    unit_id: int = Field(foreign_key="unit_kerja.id", index=True)
    received_on: date
    summary: str = Field(sa_type=sa.Text)
    source: str | None = Field(default=None, max_length=255)
    actor: str = Field(max_length=255)
    recorded_at: datetime = _utc_field()


class ComplaintCreate(ComplaintBase):
    pass


class Complaint(ComplaintBase, table=True):
    id: int | None = Field(default=None, primary_key=True)


# --- the portal ----------------------------------------------------------------------------------


class PortalSignInBase(SQLModel):
    """A sign-in link sent by e-mail. Only its token's SHA-256 is kept: the link works once,
    until `expires_at`."""

    email: str = Field(max_length=320, index=True)
    token_sha256: str = Field(min_length=64, max_length=64, unique=True, regex=SHA256_PATTERN)
    created_at: datetime = _utc_field()
    expires_at: datetime = Field(sa_type=UtcDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class PortalSignInCreate(PortalSignInBase):
    pass


class PortalSignIn(PortalSignInBase, table=True):
    __tablename__ = "portal_sign_in"

    id: int | None = Field(default=None, primary_key=True)


class PortalSessionBase(SQLModel):
    """A signed-in browser: its cookie's SHA-256, whose it is, and until when it holds."""

    email: str = Field(max_length=320, index=True)
    token_sha256: str = Field(min_length=64, max_length=64, unique=True, regex=SHA256_PATTERN)
    created_at: datetime = _utc_field()
    expires_at: datetime = Field(sa_type=UtcDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class PortalSessionCreate(PortalSessionBase):
    pass


class PortalSession(PortalSessionBase, table=True):
    __tablename__ = "portal_session"

    id: int | None = Field(default=None, primary_key=True)


class AuditEntryBase(SQLModel):
    """A change made in the portal: who, when, what, and the value before and after."""

    instansi_id: int = Field(foreign_key="instansi.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit_kerja.id", index=True)
    actor: str = Field(max_length=320)
    action: str = Field(max_length=STATE_LENGTH)
    subject: str = Field(max_length=255)
    old_value: str | None = _text_field()
    new_value: str | None = _text_field()
    occurred_at: datetime = _utc_field()


class AuditEntryCreate(AuditEntryBase):
    pass


class AuditEntry(AuditEntryBase, table=True):
    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)


class QuestionCommentBase(SQLModel):
    """A TPI member's comment on one LKE question of a unit: its team sees it under the question
    and in the next weekly digest."""

    unit_id: int = Field(foreign_key="unit_kerja.id", index=True)
    period_id: int = Field(foreign_key="assessment_period.id")
    code: str = Field(max_length=CODE_LENGTH)
    author: str = Field(max_length=320)
    body: str = Field(sa_type=sa.Text)
    created_at: datetime = _utc_field()


class QuestionCommentCreate(QuestionCommentBase):
    pass


class QuestionComment(QuestionCommentBase, table=True):
    __tablename__ = "question_comment"

    id: int | None = Field(default=None, primary_key=True)
