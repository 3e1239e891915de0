"""The chapter's three experiments (preprocessing views, identity mappings, comparison) in one run.

Entry points: :func:`msmrnet.experiments.reproduce.reproduce` (and ``msmrnet reproduce``);
:class:`msmrnet.experiments.data.ExperimentData` feeds them the registered NSL-KDD files or
tables in memory; :mod:`msmrnet.experiments.profiles` sizes them.
"""

from msmrnet.experiments.data import ExperimentData
from msmrnet.experiments.profiles import EXPERIMENTS, PROFILES, Profile, get_profile

__all__ = ["EXPERIMENTS", "PROFILES", "ExperimentData", "Profile", "get_profile"]
