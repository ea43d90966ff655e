"""Persistence of zi-orchestrator: tables, migrations, repositories and the unit of work.

Modelled on cosmicpython (repositories behind a unit of work, so that services can be tested with
a fake) and on full-stack-fastapi-template (SQLModel Base/Create/Public/table classes, Alembic).
"""
