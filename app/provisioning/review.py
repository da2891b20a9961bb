"""Integrations flagged for review: imported template text Herald could not translate."""
from __future__ import annotations

from app.integrations.base import IntegrationType, Values


def with_default_templates(integration_type: IntegrationType, values: Values) -> Values:
    """The values with every templated field emptied, so that its built-in default is used."""
    return {key: "" if key in integration_type.by_key and integration_type.by_key[key].template
            else value for key, value in values.items()}
