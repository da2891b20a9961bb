"""worker heartbeats, for readiness

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "worker_heartbeat",
        sa.Column("worker_id", sa.String(64), primary_key=True),
        sa.Column("threads", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_worker_heartbeat_seen_at", "worker_heartbeat", ["seen_at"])


def downgrade():
    op.drop_table("worker_heartbeat")
