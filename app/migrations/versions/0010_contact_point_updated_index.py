"""an index on contact_point.updated_at, so the data version pages ask is not a scan

Revision ID: 0010
Revises: 0009
"""
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_contact_point_updated_at", "contact_point", ["updated_at"])


def downgrade():
    op.drop_index("ix_contact_point_updated_at", table_name="contact_point")
