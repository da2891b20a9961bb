"""Test notifications from the form (one block) and from the list (a whole contact point)."""
from __future__ import annotations

from flask import current_app

from app.alerts import test_alert_group
from app.contact_points import effective_values, retarget_errors
from app.crypto import SecretDecryptionError
from app.delivery import notify
from app.forms import BlockState, FormState, TestInput
from app.integrations.base import to_storage
from app.models import ContactPoint, Integration


def test_block(state: FormState, block: BlockState, contact_point: ContactPoint | None, form):
    """Send a test through the values currently in the block, saved or not."""
    existing = {i.uid: i for i in contact_point.integrations} if contact_point else {}
    block.test = TestInput.parse(form, block.token)
    labels, annotations = block.test.alert_data()
    given = block.to_input()
    refused = retarget_errors(given, existing)
    if refused:
        block.test_result = notify.refused(block.integration_type, " ".join(refused.values()))
        return block.test_result
    values = effective_values(given, existing)
    saved = existing.get(block.uid)
    # An attempt is recorded against the saved integration only if it tested its settings.
    same = saved is not None and saved.type == block.type and _unchanged(saved, block, values)
    block.test_result = notify.test_integration(
        block.type,
        values,
        receiver=state.name.strip() or "Test contact point",
        labels=labels,
        annotations=annotations,
        integration_id=saved.id if same else None,
    )
    return block.test_result


def _unchanged(saved: Integration, block: BlockState, values: dict) -> bool:
    """Whether the block holds exactly the saved integration's settings and secrets."""
    settings, secrets = to_storage(block.integration_type, values)
    if settings != saved.settings or set(secrets) != saved.configured_secret_keys:
        return False
    try:
        return secrets == saved.secrets
    except SecretDecryptionError:  # the stored ones cannot be read: not the same
        return False


def test_contact_point(contact_point: ContactPoint) -> list[notify.DeliveryResult]:
    """Send the predefined test alert through every saved integration of a contact point."""
    group = test_alert_group(contact_point.name, current_app.config["HERALD_EXTERNAL_URL"])
    return notify.notify(contact_point, group)
