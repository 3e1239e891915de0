"""Data sets: schemas, label mappings, the file registry and loaders."""

from msmrnet.data.registry import FILES, data_dir, load, locate, verify
from msmrnet.data.table import LabeledTable

__all__ = ["FILES", "LabeledTable", "data_dir", "load", "locate", "verify"]
