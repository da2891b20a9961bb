"""Encryption at rest for secret settings (Fernet; several keys allow rotation)."""
from __future__ import annotations

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


def encrypt_value(value: str) -> str:
    """Encrypt one secret setting under the newest key."""
    return _box().encrypt(value.encode()).decode()


def decrypt_value(token: str) -> str:
    """Decrypt one secret setting made by encrypt_value."""
    try:
        return _box().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretDecryptionError(
            "a stored secret cannot be decrypted: check HERALD_ENCRYPTION_KEY"
        ) from exc


def rotate_value(token: str) -> str:
    """Re-encrypt a token under the first (newest) key."""
    try:
        return _box().rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretDecryptionError(
            "a stored secret cannot be decrypted with any key of HERALD_ENCRYPTION_KEY"
        ) from exc
