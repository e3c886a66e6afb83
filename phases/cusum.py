"""CUSUM learning curves (Rogers et al. 2004; Bolsin & Colson 2000), as in DOMAIN.md.

Each case is a success (0) or a failure (1). With acceptable failure rate p0, unacceptable p1 and
error rates alpha and beta:
    OR = p1(1 - p0) / (p0(1 - p1));  s = ln((1 - p0)/(1 - p1)) / ln(OR)
    h0 = ln((1 - alpha)/beta) / ln(OR);  h1 = ln((1 - beta)/alpha) / ln(OR)
    C_n = sum(x_i - s). Crossing -h0 shows acceptable performance; crossing +h1 signals
    unacceptable performance.
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
        return cls(**{name: float(values.get(name, getattr(defaults, name)))
                      for name in ("p0", "p1", "alpha", "beta")})

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


@dataclass(frozen=True)
class CusumCurve:
    parameters: CusumParameters
    values: list[float]

    @property
    def current(self) -> float:
        return self.values[-1] if self.values else 0.0

    @property
    def shows_acceptable_performance(self) -> bool:
        return bool(self.values) and self.current <= -self.parameters.h0

    @property
    def signals_unacceptable_performance(self) -> bool:
        return any(v >= self.parameters.h1 for v in self.values)


def cusum_curve(failures: list[bool], parameters: CusumParameters) -> CusumCurve:
    total, values = 0.0, []
    for failed in failures:
        total += (1 if failed else 0) - parameters.s
        values.append(total)
    return CusumCurve(parameters, values)
