"""Measures 二 and 三: gatherings, the patriotic hygiene campaign, publicity."""
