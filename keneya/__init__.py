"""Kènèya: community health platform for Mali."""

__version__ = "0.1.0"
