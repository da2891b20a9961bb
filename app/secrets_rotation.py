"""Re-encrypt every secret setting under the newest key, in one transaction."""
from __future__ import annotations

from sqlalchemy import select

from app.crypto import rotate_value
from app.extensions import db
from app.models import Integration


def rotate_all() -> int:
    """Rotate every token; a token no key can read stops the run before anything is written."""
    count = 0
    for integration in db.session.scalars(select(Integration)):
        tokens = integration.secure_settings or {}
        if tokens:
            integration.secure_settings = {key: rotate_value(t) for key, t in tokens.items()}
            count += len(tokens)
    db.session.commit()
    return count
