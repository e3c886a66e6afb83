"""CUSUM learning curves (Rogers et al. 2004; Bolsin & Colson 2000), as in DOMAIN.md.

Each case is a success (0) or a failure (1). With acceptable failure rate p0, unacceptable p1 and
error rates alpha and beta:
    OR = p1(1 - p0) / (p0(1 - p1));  s = ln((1 - p0)/(1 - p1)) / ln(OR)
    h0 = ln((1 - alpha)/beta) / ln(OR);  h1 = ln((1 - beta)/alpha) / ln(OR)
    C_n = sum(x_i - s). Crossing -h0 shows acceptable performance; crossing +h1 signals
    unacceptable performance. Each crossing is recorded (case number and limit) and the sum
    restarts from zero at the next case.
"""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class CusumParameters:
    p0: float = 0.15
    p1: float = 0.30
    alpha: float = 0.1
    beta: float = 0.1

    @classmethod
    def from_values(cls, values: dict | None) -> "CusumParameters":
        """From a criterion's stored parameters; anything not set keeps the SPEC default."""
        values = values or {}
        defaults = cls()
        return cls(
            **{
                name: float(values.get(name, getattr(defaults, name)))
                for name in ("p0", "p1", "alpha", "beta")
            }
        )

    @property
    def log_odds_ratio(self) -> float:
        return math.log(self.p1 * (1 - self.p0) / (self.p0 * (1 - self.p1)))

    @property
    def s(self) -> float:
        return math.log((1 - self.p0) / (1 - self.p1)) / self.log_odds_ratio

    @property
    def h0(self) -> float:
        return math.log((1 - self.alpha) / self.beta) / self.log_odds_ratio

    @property
    def h1(self) -> float:
        return math.log((1 - self.beta) / self.alpha) / self.log_odds_ratio


LOWER, UPPER = "lower", "upper"


@dataclass(frozen=True)
class Crossing:
    """The curve reached a limit at this case (1-based, within the curve): the lower one shows
    acceptable performance, the upper one signals unacceptable performance."""

    case: int
    limit: str


@dataclass(frozen=True)
class CusumCurve:
    """``values`` holds the sum after each case as plotted: at a crossing, the value that reached
    the limit; the next case starts again from zero (DOMAIN.md, "Scope and restart")."""

    parameters: CusumParameters
    values: list[float]
    crossings: tuple[Crossing, ...] = ()

    @property
    def current(self) -> float:
        """The sum the next case adds to: zero straight after a crossing."""
        if not self.values or (self.crossings and self.crossings[-1].case == len(self.values)):
            return 0.0
        return self.values[-1]

    @property
    def latest_crossing(self) -> Crossing | None:
        return self.crossings[-1] if self.crossings else None

    @property
    def shows_acceptable_performance(self) -> bool:
        """Met while the latest crossing is the lower limit: a curve that crossed the upper limit
        and then improves can meet it again."""
        return self.latest_crossing is not None and self.latest_crossing.limit == LOWER

    @property
    def signals_unacceptable_performance(self) -> bool:
        return self.latest_crossing is not None and self.latest_crossing.limit == UPPER

    @property
    def restarts(self) -> list[int]:
        """The cases at which the test started again from zero (the one after each crossing)."""
        return [
            crossing.case + 1 for crossing in self.crossings if crossing.case < len(self.values)
        ]


def cusum_curve(failures: list[bool], parameters: CusumParameters) -> CusumCurve:
    """The curve over these outcomes in order, restarting from zero after each crossing, as a
    sequential probability ratio test restarts once it has decided."""
    total, values, crossings = 0.0, [], []
    for number, failed in enumerate(failures, start=1):
        total += (1 if failed else 0) - parameters.s
        values.append(total)
        limit = LOWER if total <= -parameters.h0 else UPPER if total >= parameters.h1 else None
        if limit:
            crossings.append(Crossing(number, limit))
            total = 0.0
    return CusumCurve(parameters, values, tuple(crossings))
