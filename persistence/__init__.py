"""Persistence of zi-orchestrator: tables, migrations, repositories, the unit of work and the
e-mail outbox.

Modelled on cosmicpython (repositories behind a unit of work, so that services can be tested with
a fake) and on full-stack-fastapi-template (SQLModel Base/Create/table classes, Alembic). The
outbox (`persistence.outbox`) stands apart from the unit of work: each of its claims and marks
commits at once.
"""
