"""Named reads for the home pages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import literal_column
from sqlalchemy import select

from tracker.accounts.models import User
from tracker.extensions import db
from tracker.programs.models import Cohort
from tracker.programs.models import Program


@dataclass(frozen=True)
class FilterOptions:
    """The choices the cohort page's filters offer."""

    programs: list[tuple[int, str]]
    cohorts: list[tuple[int, str]]
    supervisors: list[tuple[int, str]]


def program_and_cohort_choices() -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Programs, and cohorts newest first (named with their program when there are several),
    for filter menus (two small queries)."""
    programs = db.session.execute(select(Program.id, Program.name).order_by(Program.name)).all()
    cohorts = db.session.execute(
        select(Cohort.id, Cohort.name, Program.name)
        .join(Program, Program.id == Cohort.program_id)
        .order_by(Cohort.starts_on.desc())
    ).all()
    multiple = len(programs) > 1
    return (
        [(p.id, p.name) for p in programs],
        [(c[0], f"{c[1]} ({c[2]})" if multiple else c[1]) for c in cohorts],
    )


def filter_options() -> FilterOptions:
    """Programs, cohorts and supervisors for the filter menus (three small queries)."""
    programs, cohorts = program_and_cohort_choices()
    # `IS true` written as the partial index ix_users_supervisors says it: SQLite uses a partial
    # index only for the very term of its WHERE, and renders `.is_(True)` as `IS 1`.
    supervisors = db.session.execute(
        select(User.id, User.full_name)
        .where(User.is_supervisor.is_(literal_column("true")), User.active.is_(True))
        .order_by(User.full_name)
    ).all()
    return FilterOptions(
        programs=programs,
        cohorts=cohorts,
        supervisors=[(s.id, s.full_name) for s in supervisors],
    )
