"""Tooling to deploy and operate tokenized US stocks on an Arbitrum-style L2."""

__version__ = "0.1.0"
