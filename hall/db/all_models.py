"""Import every context's models so that the metadata (migrations, schema comparison) sees every table."""

from __future__ import annotations

import hall.models
import queueing.models
import staffing.models  # registers the staffing tables
import staffing.planning.models  # noqa: F401 - registers the planning tables

MODEL_MODULES = (hall.models, queueing.models)
