"""Pydantic models of every request, response and message, one module per area."""
