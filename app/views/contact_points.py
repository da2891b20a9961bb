"""Contact points: the list, the create/edit form and its htmx fragments."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("contact_points", __name__)
