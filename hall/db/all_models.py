"""Import every context's models so that the metadata (migrations, schema comparison) sees every table."""

from __future__ import annotations

import hall.models

MODEL_MODULES = (hall.models,)
