"""The Test buttons' domain: send a test to a block's values, saved or not, or a contact point.

Secrets a block leaves untouched come from storage, never from the browser; a stored
secret is never sent to a destination that was changed in the form.
"""
from __future__ import annotations

from flask import current_app

from app.alerts import test_alert_group
from app.contact_points import IntegrationInput, effective_values, retarget_errors
from app.crypto import SecretDecryptionError
from app.delivery import notify
from app.delivery.notify import DeliveryResult
from app.integrations import get_type
from app.integrations.base import to_storage
from app.models import ContactPoint, Integration


def test_values(
    given: IntegrationInput,
    contact_point: ContactPoint | None,
    receiver: str,
    labels: dict[str, str],
    annotations: dict[str, str],
) -> DeliveryResult:
    """Send a test through one block's values; recorded against the saved integration only
    when the block holds exactly its settings and secrets."""
    existing = {i.uid: i for i in contact_point.integrations} if contact_point else {}
    integration_type = get_type(given.type)
    refused = retarget_errors(given, existing)
    if refused:
        return notify.refused(integration_type, " ".join(refused.values()))
    values = effective_values(given, existing)
    saved = existing.get(given.uid) if given.uid else None
    same = saved is not None and saved.type == given.type and _unchanged(saved, given, values)
    return notify.test_integration(
        given.type, values, receiver=receiver, labels=labels, annotations=annotations,
        integration_id=saved.id if same else None)


def _unchanged(saved: Integration, given: IntegrationInput, values: dict) -> bool:
    """Whether the values are exactly the saved integration's settings and secrets."""
    settings, secrets = to_storage(get_type(given.type), values)
    if settings != saved.settings or set(secrets) != saved.configured_secret_keys:
        return False
    try:
        return secrets == saved.secrets
    except SecretDecryptionError:  # the stored ones cannot be read: not the same
        return False


def test_contact_point(contact_point: ContactPoint) -> list[DeliveryResult]:
    """Send the predefined test alert through every saved integration of a contact point."""
    group = test_alert_group(contact_point.name, current_app.config["HERALD_EXTERNAL_URL"])
    return notify.notify(contact_point, group)


test_values.__test__ = False  # type: ignore[attr-defined]  # pytest: not a test
test_contact_point.__test__ = False  # type: ignore[attr-defined]
