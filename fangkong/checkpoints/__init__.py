"""Measures 二 and 四: checkpoints, approval, duty rosters and the passage log."""
