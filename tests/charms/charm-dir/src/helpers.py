"""Helpers for the charm-dir test charm (a sibling module of charm.py)."""

from __future__ import annotations


def render(template: str, unit: str) -> str:
    """Fill the `{unit}` placeholder of `template` with the unit name."""
    return template.replace("{unit}", unit)
