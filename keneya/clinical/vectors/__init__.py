"""Test vectors shared with the tablet: one generator module per JSON file beside it.

``python -m keneya.clinical.vectors.export`` rewrites the JSON files from the engine.
"""
