"""Tuition ledger, payment plans and final-assessment records.

Ledger entries are append-only (a mistake is corrected with a new entry); at most one payment
plan per enrollment is active (partial unique index); exam attempts, case and competency
evaluations are kept as history (the latest evaluation counts).

Revision ID: 20261127_05
Revises: 20261127_04
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "20261127_05"
down_revision = "20261127_04"
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = (
    """CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END""",
    """CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END""",
)
POSTGRES_TRIGGERS = (
    """CREATE FUNCTION ledger_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'ledger entries are append-only'; END $$""",
    """CREATE TRIGGER ledger_entries_no_change BEFORE UPDATE OR DELETE ON ledger_entries
       FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only()""",
)


def upgrade():
    op.create_table('ledger_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=True),
    sa.Column('reference', sa.String(length=80), nullable=False),
    sa.Column('tuition', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('posted_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind IN ('payment', 'refund') AND method IN ('card', 'bank_transfer', 'check', 'cash', 'other')) OR (kind NOT IN ('payment', 'refund') AND method IS NULL)", name=op.f('ck_ledger_entries_method')),
    sa.CheckConstraint("NOT tuition OR kind = 'charge'", name=op.f('ck_ledger_entries_tuition_is_charge')),
    sa.CheckConstraint("kind IN ('charge', 'payment', 'scholarship', 'discount', 'refund')", name=op.f('ck_ledger_entries_kind')),
    sa.CheckConstraint("posted_on >= '2000-01-01'", name=op.f('ck_ledger_entries_posted_on')),
    sa.CheckConstraint('amount_cents > 0 AND amount_cents <= 10000000', name=op.f('ck_ledger_entries_amount')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_ledger_entries_enrollment_id_enrollments'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_ledger_entries_recorded_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entries'))
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_entries_enrollment', ['enrollment_id', 'posted_on'], unique=False)

    op.create_table('payment_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), server_default='1', nullable=False),
    sa.Column('opening_credits_cents', sa.Integer(), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_payment_plans_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_payment_plans_enrollment_id_enrollments'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_plans'))
    )
    with op.batch_alter_table('payment_plans', schema=None) as batch_op:
        batch_op.create_index('ix_payment_plans_enrollment', ['enrollment_id'], unique=False)
        batch_op.create_index('uq_payment_plans_one_active', ['enrollment_id'], unique=True, sqlite_where=sa.text('active'), postgresql_where=sa.text('active'))

    op.create_table('instalments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.CheckConstraint('amount_cents > 0 AND amount_cents <= 10000000', name=op.f('ck_instalments_amount')),
    sa.ForeignKeyConstraint(['plan_id'], ['payment_plans.id'], name=op.f('fk_instalments_plan_id_payment_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instalments')),
    sa.UniqueConstraint('plan_id', 'due_on', name=op.f('uq_instalments_plan_id_due_on'))
    )

    triggers = POSTGRES_TRIGGERS if op.get_bind().dialect.name == "postgresql" else SQLITE_TRIGGERS
    for statement in triggers:
        op.execute(statement)

    op.create_table('exam_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('taken_on', sa.Date(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("taken_on >= '2000-01-01'", name=op.f('ck_exam_attempts_taken_on')),
    sa.CheckConstraint('score >= 0 AND score <= 100', name=op.f('ck_exam_attempts_score')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_exam_attempts_enrollment_id_enrollments'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_exam_attempts_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_attempts'))
    )
    with op.batch_alter_table('exam_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_exam_attempts_enrollment', ['enrollment_id'], unique=False)

    op.create_table('case_evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('evaluated_on', sa.Date(), nullable=False),
    sa.Column('result', sa.String(length=10), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('evaluator_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("evaluated_on >= '2000-01-01'", name=op.f('ck_case_evaluations_evaluated_on')),
    sa.CheckConstraint("result IN ('passed', 'failed')", name=op.f('ck_case_evaluations_result')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_case_evaluations_enrollment_id_enrollments'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['evaluator_id'], ['users.id'], name=op.f('fk_case_evaluations_evaluator_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_evaluations'))
    )
    with op.batch_alter_table('case_evaluations', schema=None) as batch_op:
        batch_op.create_index('ix_case_evaluations_enrollment', ['enrollment_id'], unique=False)

    op.create_table('competency_evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('evaluated_on', sa.Date(), nullable=False),
    sa.Column('comments', sa.Text(), nullable=False),
    sa.Column('evaluator_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("evaluated_on >= '2000-01-01'", name=op.f('ck_competency_evaluations_evaluated_on')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_competency_evaluations_enrollment_id_enrollments'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['evaluator_id'], ['users.id'], name=op.f('fk_competency_evaluations_evaluator_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competency_evaluations'))
    )
    with op.batch_alter_table('competency_evaluations', schema=None) as batch_op:
        batch_op.create_index('ix_competency_evaluations_enrollment', ['enrollment_id'], unique=False)

    op.create_table('competency_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('domain', sa.String(length=40), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.CheckConstraint('rating >= 1 AND rating <= 4', name=op.f('ck_competency_ratings_rating')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['competency_evaluations.id'], name=op.f('fk_competency_ratings_evaluation_id_competency_evaluations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competency_ratings')),
    sa.UniqueConstraint('evaluation_id', 'domain', name=op.f('uq_competency_ratings_evaluation_id_domain'))
    )


def downgrade():
    op.drop_table('competency_ratings')
    with op.batch_alter_table('competency_evaluations', schema=None) as batch_op:
        batch_op.drop_index('ix_competency_evaluations_enrollment')

    op.drop_table('competency_evaluations')
    with op.batch_alter_table('case_evaluations', schema=None) as batch_op:
        batch_op.drop_index('ix_case_evaluations_enrollment')

    op.drop_table('case_evaluations')
    with op.batch_alter_table('exam_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_exam_attempts_enrollment')

    op.drop_table('exam_attempts')
    op.drop_table('instalments')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS ledger_entries_no_change ON ledger_entries")
        op.execute("DROP FUNCTION IF EXISTS ledger_entries_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS ledger_entries_no_delete")
        op.execute("DROP TRIGGER IF EXISTS ledger_entries_no_update")
    with op.batch_alter_table('payment_plans', schema=None) as batch_op:
        batch_op.drop_index('uq_payment_plans_one_active', sqlite_where=sa.text('active'), postgresql_where=sa.text('active'))
        batch_op.drop_index('ix_payment_plans_enrollment')

    op.drop_table('payment_plans')
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_entries_enrollment')

    op.drop_table('ledger_entries')
