"""Encryption at rest for secret settings (Fernet; several keys allow rotation)."""
from __future__ import annotations

import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


class SecretDecryptionError(RuntimeError):
    """A stored secret cannot be decrypted with any configured key."""


def _box() -> MultiFernet:
    keys = current_app.config["HERALD_ENCRYPTION_KEYS"]
    box = current_app.extensions.get("herald_fernet")
    if box is None or box[0] != keys:
        box = (list(keys), MultiFernet([Fernet(key.encode()) for key in keys]))
        current_app.extensions["herald_fernet"] = box
    return box[1]


def encrypt_secrets(values: dict[str, Any]) -> str:
    """Encrypt a dict of secret settings into one token ('' when there are none)."""
    if not values:
        return ""
    return _box().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def decrypt_secrets(token: str | None) -> dict[str, Any]:
    """Decrypt a token made by encrypt_secrets."""
    if not token:
        return {}
    try:
        return json.loads(_box().decrypt(token.encode()))
    except InvalidToken as exc:
        raise SecretDecryptionError(
            "a stored secret cannot be decrypted: check HERALD_ENCRYPTION_KEY"
        ) from exc


def rotate_token(token: str) -> str:
    """Re-encrypt a token under the first (newest) key."""
    return _box().rotate(token.encode()).decode() if token else ""
