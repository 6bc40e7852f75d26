"""``python -m conference``: the same commands as the ``conference`` console script."""

import sys

from .cli import main

sys.exit(main())
