"""Entry point for `python -m talkbase`."""

from talkbase.cli import main

raise SystemExit(main())
