"""``python -m msmrnet`` is the same as the ``msmrnet`` command."""

import sys

from msmrnet.cli.main import main

sys.exit(main())
