"""alerting: notification policies, alerts, aggregation groups, notification log, silences

Revision ID: 0007
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notification_policy",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("parent_id", sa.Integer(),
                  sa.ForeignKey("notification_policy.id", ondelete="CASCADE"), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("contact_point_id", sa.Integer(), sa.ForeignKey("contact_point.id"),
                  nullable=True),
        sa.Column("group_by", sa.JSON(), nullable=True),
        sa.Column("matchers", sa.JSON(), nullable=False),
        sa.Column("continue_matching", sa.Boolean(), nullable=False),
        sa.Column("group_wait", sa.Integer(), nullable=True),
        sa.Column("group_interval", sa.Integer(), nullable=True),
        sa.Column("repeat_interval", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_notification_policy_parent", "notification_policy",
                    ["parent_id", "position"])
    op.create_index("ix_notification_policy_contact_point_id", "notification_policy",
                    ["contact_point_id"])
    op.create_table(
        "alert_state",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("fingerprint", sa.String(16), nullable=False, unique=True),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("annotations", sa.JSON(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("timeout", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("generator_url", sa.Text(), nullable=False),
    )
    op.create_index("ix_alert_state_ends_at", "alert_state", ["ends_at"])
    op.create_table(
        "aggregation_group",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("policy_id", sa.Integer(),
                  sa.ForeignKey("notification_policy.id", ondelete="CASCADE"), nullable=False),
        sa.Column("group_key", sa.Text(), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("group_labels", sa.JSON(), nullable=False),
        sa.Column("contact_point_id", sa.Integer(),
                  sa.ForeignKey("contact_point.id", ondelete="SET NULL"), nullable=True),
        sa.Column("group_wait", sa.Integer(), nullable=False),
        sa.Column("group_interval", sa.Integer(), nullable=False),
        sa.Column("repeat_interval", sa.Integer(), nullable=False),
        sa.Column("has_flushed", sa.Boolean(), nullable=False),
        sa.Column("next_flush_at", sa.DateTime(), nullable=False),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("claim_token", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("policy_id", "key_hash", name="uq_aggregation_group_key"),
    )
    op.create_index("ix_aggregation_group_due", "aggregation_group", ["next_flush_at"])
    op.create_table(
        "aggregation_group_member",
        sa.Column("group_id", sa.Integer(),
                  sa.ForeignKey("aggregation_group.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("alert_id", sa.Integer(),
                  sa.ForeignKey("alert_state.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_index("ix_aggregation_group_member_alert_id", "aggregation_group_member",
                    ["alert_id"])
    op.create_table(
        "notification_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("group_key", sa.Text(), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("receiver", sa.String(190), nullable=False),
        sa.Column("firing", sa.JSON(), nullable=False),
        sa.Column("resolved", sa.JSON(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("key_hash", "receiver", name="uq_notification_log"),
    )
    op.create_table(
        "silence",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("matchers", sa.JSON(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(190), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_silence_ends_at", "silence", ["ends_at"])


def downgrade():
    for table in ("silence", "notification_log", "aggregation_group_member",
                  "aggregation_group", "alert_state", "notification_policy"):
        op.drop_table(table)
