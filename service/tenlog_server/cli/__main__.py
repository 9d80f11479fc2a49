"""`python -m tenlog_server.cli`."""

import sys

from tenlog_server.cli import main

sys.exit(main())
