"""Test notifications from the form (one block): read the block, call the domain."""
from __future__ import annotations

from app import testing
from app.forms import BlockState, FormState, TestInput
from app.models import ContactPoint


def test_block(state: FormState, block: BlockState, contact_point: ContactPoint | None, form):
    """Send a test through the values currently in the block, saved or not."""
    block.test = TestInput.parse(form, block.token)
    labels, annotations = block.test.alert_data()
    block.test_result = testing.test_values(
        block.to_input(), contact_point, state.name.strip() or "Test contact point",
        labels, annotations)
    return block.test_result
