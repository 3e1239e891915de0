"""`msmrnet bench`: our implementation against a plain reference, in one run (see run.py)."""
