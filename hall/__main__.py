"""``python -m hall`` and the ``hall`` console script."""

from __future__ import annotations

from hall.cli import main

if __name__ == "__main__":
    main()
