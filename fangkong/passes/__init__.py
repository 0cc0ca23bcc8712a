"""Measure 四: green-channel passes for supply vehicles and their offline verification."""
