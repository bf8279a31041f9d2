"""Typed models (pydantic v2) of every file and variable users write: the deploy YAML, the
withholding YAML, the rows of the CSVs the tools read, and the environment.

Every model refuses unknown keys and loose types (``"false"`` is not a bool, ``25.9`` is not a
whole number); :func:`stocksuite.config.loading.one_line` turns a validation error into one line
naming the file, the key path or CSV line, the bad value and what is allowed.
"""
