"""Measure 一: returnees: registration, screening, routing and 14-day observation."""
