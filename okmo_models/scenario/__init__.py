"""Scenario files: the declared schema, the loader and the cross-field checks."""
