"""Import every context's models so that the metadata (migrations, schema comparison) sees every table."""

from __future__ import annotations

import hall.models
import queueing.models

MODEL_MODULES = (hall.models, queueing.models)
