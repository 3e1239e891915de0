"""Scoring new flow records with a trained model: streaming reader (reader.py) and detector (detector.py).

Nothing heavy is imported here, so the command line can show its help quickly.
"""

#: Rows read and scored at a time. Peak memory depends on this, not on the file's length
#: (`msmrnet detect` at 10,000 rows per chunk: 529 MB resident for 22,544 rows, 536 MB for 225,440).
DEFAULT_CHUNK_ROWS = 20_000
