"""Test notifications from the form (one block) and from the list (a whole contact point)."""
from __future__ import annotations

from flask import current_app

from app import notify
from app.alerts import test_alert_group
from app.contact_points import effective_values
from app.forms import BlockState, FormState, TestInput
from app.models import ContactPoint


def test_block(state: FormState, block: BlockState, contact_point: ContactPoint | None, form):
    """Send a test through the values currently in the block, saved or not."""
    existing = {i.uid: i for i in contact_point.integrations} if contact_point else {}
    block.test = TestInput.parse(form, block.token)
    labels, annotations = block.test.alert_data()
    saved = existing.get(block.uid)
    block.test_result = notify.test_integration(
        block.type,
        effective_values(block.to_input(), existing),
        receiver=state.name.strip() or "Test contact point",
        labels=labels,
        annotations=annotations,
        integration_id=saved.id if saved is not None and saved.type == block.type else None,
    )
    return block.test_result


def test_contact_point(contact_point: ContactPoint) -> list[notify.DeliveryResult]:
    """Send the predefined test alert through every saved integration of a contact point."""
    group = test_alert_group(contact_point.name, current_app.config["HERALD_EXTERNAL_URL"])
    return notify.notify(contact_point, group, is_test=True)
