"""The bottom of sending: errors, the one HTTP seam, SMTP, the outbound policy, deadlines.

Nothing here imports from the layers above (integrations, delivery, views).
"""
from app.transport.errors import SendError, Sent

__all__ = ["SendError", "Sent"]
