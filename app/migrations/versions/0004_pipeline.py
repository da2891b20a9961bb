"""delivery pipeline: outbox, history columns, fallback contact point

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("dispatch_id", sa.String(32), nullable=False),
        sa.Column("contact_point_id", sa.Integer(),
                  sa.ForeignKey("contact_point.id", ondelete="SET NULL"), nullable=True),
        sa.Column("integration_id", sa.Integer(),
                  sa.ForeignKey("integration.id", ondelete="SET NULL"), nullable=True),
        sa.Column("contact_point_name", sa.String(190), nullable=False),
        sa.Column("integration_type", sa.String(64), nullable=False),
        sa.Column("group", sa.JSON(), nullable=False),
        sa.Column("group_key", sa.String(1024), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("claimed_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("first_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("fallback_of_id", sa.Integer(),
                  sa.ForeignKey("notification.id", ondelete="SET NULL"), nullable=True),
        sa.Column("fallback_done", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_notification_due", "notification", ["status", "due_at"])
    op.create_index("ix_notification_dispatch", "notification", ["dispatch_id"])
    op.create_index("ix_notification_contact_point_id", "notification", ["contact_point_id"])

    with op.batch_alter_table("contact_point") as batch:
        batch.add_column(sa.Column("fallback_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_contact_point_fallback", "contact_point",
                                 ["fallback_id"], ["id"], ondelete="SET NULL")

    # History outlives a deleted integration or contact point (SET NULL, not CASCADE) and
    # carries what was sent: the table is rebuilt with the new definition and the rows copied.
    op.create_table(
        "delivery_attempt_new",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("integration_id", sa.Integer(),
                  sa.ForeignKey("integration.id", ondelete="SET NULL"), nullable=True),
        sa.Column("contact_point_id", sa.Integer(),
                  sa.ForeignKey("contact_point.id", ondelete="SET NULL"), nullable=True),
        sa.Column("notification_id", sa.Integer(),
                  sa.ForeignKey("notification.id", ondelete="SET NULL"), nullable=True),
        sa.Column("contact_point_name", sa.String(190), nullable=False, server_default=""),
        sa.Column("integration_type", sa.String(64), nullable=False, server_default=""),
        sa.Column("integration_label", sa.String(190), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("warning", sa.Text(), nullable=False),
        sa.Column("is_test", sa.Boolean(), nullable=False),
        sa.Column("group_status", sa.String(16), nullable=False, server_default=""),
        sa.Column("alert_names", sa.Text(), nullable=False, server_default=""),
        sa.Column("group_key", sa.Text(), nullable=False, server_default=""),
        sa.Column("request", sa.JSON(), nullable=True),
        sa.Column("response", sa.JSON(), nullable=True),
    )
    op.execute(
        "INSERT INTO delivery_attempt_new (id, integration_id, contact_point_id, "
        "contact_point_name, integration_type, created_at, duration_ms, outcome, status_code, "
        "error, warning, is_test) "
        "SELECT a.id, a.integration_id, i.contact_point_id, COALESCE(c.name, ''), "
        "COALESCE(i.type, ''), a.created_at, a.duration_ms, a.outcome, a.status_code, a.error, "
        "a.warning, a.is_test FROM delivery_attempt a "
        "LEFT JOIN integration i ON i.id = a.integration_id "
        "LEFT JOIN contact_point c ON c.id = i.contact_point_id"
    )
    op.drop_table("delivery_attempt")
    op.rename_table("delivery_attempt_new", "delivery_attempt")
    if op.get_bind().dialect.name == "postgresql":  # keep the id sequence past copied ids
        op.execute("SELECT setval(pg_get_serial_sequence('delivery_attempt', 'id'), "
                   "COALESCE((SELECT MAX(id) FROM delivery_attempt), 0) + 1, false)")
    op.create_index("ix_delivery_attempt_integration", "delivery_attempt",
                    ["integration_id", "id"])
    op.create_index("ix_delivery_attempt_contact_point", "delivery_attempt",
                    ["contact_point_id", "id"])
    op.create_index("ix_delivery_attempt_created", "delivery_attempt", ["created_at"])
    op.create_index("ix_delivery_attempt_notification_id", "delivery_attempt",
                    ["notification_id"])


def downgrade():
    with op.batch_alter_table("delivery_attempt") as batch:
        for index in ("ix_delivery_attempt_contact_point", "ix_delivery_attempt_created",
                      "ix_delivery_attempt_notification_id"):
            batch.drop_index(index)
        for column in ("contact_point_id", "notification_id", "contact_point_name",
                       "integration_type", "integration_label", "group_status", "alert_names",
                       "group_key", "request", "response"):
            batch.drop_column(column)
    with op.batch_alter_table("contact_point") as batch:
        batch.drop_column("fallback_id")
    op.drop_table("notification")
