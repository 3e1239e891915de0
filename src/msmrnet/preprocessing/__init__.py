"""Algorithm 1, step 1: one-hot encoding of categorical fields, then dimensionless scaling."""

from msmrnet.preprocessing.tabular import SCALINGS, TabularPreprocessor

__all__ = ["SCALINGS", "TabularPreprocessor"]
