"""Measure 五: vulnerable households, visits, relief, applications, help requests."""
