"""The draws the twin makes for every simulated visitor, kept apart so that they can be compiled (``hall.compiled``).

Each is exactly the standard library's draw (same formula, same uniforms), so a seeded run gives the same numbers
compiled or not; ``tests/unit/simulation/test_distributions.py`` holds them to ``random.Random``.
"""

from __future__ import annotations

import math
import random


def exponential_draw(rng: random.Random, rate: float) -> float:
    """Draw one exponential duration at ``rate`` per minute: exactly ``rng.expovariate(rate)``.

    The same formula as CPython's ``Random.expovariate`` (one uniform, ``-log(1 - u) / rate``), so a seeded run
    draws the same numbers; written out because the twin draws it for every visitor and, compiled
    (``hall.compiled``), it is then a C call instead of a Python one. A unit test holds it to the standard library.
    """
    return -math.log(1.0 - rng.random()) / rate


class Exponential:
    """The exponential sampler: ``exponential_draw(rng, rate)`` as a callable object (native when compiled)."""

    __slots__ = ("rate",)

    def __init__(self, rate: float) -> None:
        self.rate = rate

    def __call__(self, rng: random.Random) -> float:
        return -math.log(1.0 - rng.random()) / self.rate

    def __reduce__(self) -> tuple[type[Exponential], tuple[float]]:
        return Exponential, (self.rate,)  # a compiled (native) class pickles only through this

    def __repr__(self) -> str:
        return f"Exponential(rate={self.rate!r})"
