"""Notices, measures, implementation reports, the dashboard and the daily report."""
