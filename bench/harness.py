"""A tiny benchmark harness: every benchmark is reported as a ratio to a baseline of the same run.

Absolute timings depend on the machine; the ratio to a baseline measured in the same process,
interleaved round by round, is what stays comparable between a laptop and CI.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

Operation = Callable[[], object]


@dataclass(frozen=True, kw_only=True)
class Benchmark:
    """An operation to time and the baseline it is compared with.

    Attributes:
        name: what is measured, shown in the report.
        run: one operation of the code under test.
        baseline: one operation of the reference doing equivalent work.
        baseline_name: how the report names the baseline.
    """

    name: str
    run: Operation
    baseline: Operation
    baseline_name: str = "baseline"


@dataclass(frozen=True, kw_only=True)
class Measurement:
    """Per-operation timings of one side of a benchmark."""

    median_seconds: float
    rounds: int
    operations_per_round: int

    @property
    def ops_per_second(self) -> float:
        """Operations per second at the median."""
        return 1.0 / self.median_seconds if self.median_seconds > 0 else float("inf")


@dataclass(frozen=True, kw_only=True)
class Result:
    """A benchmark's measurement beside its baseline's."""

    benchmark: Benchmark
    subject: Measurement
    baseline: Measurement

    @property
    def ratio(self) -> float:
        """Median time of the subject over the baseline's: below 1 is faster than the baseline."""
        if self.baseline.median_seconds <= 0:
            return float("inf")
        return self.subject.median_seconds / self.baseline.median_seconds


BenchmarkFactory = Callable[[], Benchmark]
_REGISTRY: dict[str, BenchmarkFactory] = {}


def register(factory: BenchmarkFactory) -> BenchmarkFactory:
    """Register a function building a :class:`Benchmark`; use it as a decorator.

    The factory runs only when the harness runs it, so registering costs no setup work.
    """
    key = f"{factory.__module__}.{factory.__qualname__}"
    _REGISTRY[key] = factory
    return factory


def registered() -> list[BenchmarkFactory]:
    """Every registered factory, in registration order."""
    return list(_REGISTRY.values())


def _time(operation: Operation, number: int) -> float:
    """Seconds taken by ``number`` calls of ``operation``, with the garbage collector paused."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(number):
            operation()
        return time.perf_counter() - start
    finally:
        if collecting:
            gc.enable()


def calibrate(operation: Operation, min_round_seconds: float) -> int:
    """How many calls make one round last at least ``min_round_seconds`` (1, 2, 5, 10, ...)."""
    number = 1
    while True:
        for factor in (1, 2, 5):
            calls = number * factor
            if _time(operation, calls) >= min_round_seconds:
                return calls
        number *= 10


def measure(benchmark: Benchmark, *, rounds: int = 7, min_round_seconds: float = 0.05) -> Result:
    """Time ``benchmark`` and its baseline in alternating rounds and compare their medians.

    Alternating the rounds spreads any drift (CPU frequency, other load) over both sides.
    """
    run_calls = calibrate(benchmark.run, min_round_seconds)
    baseline_calls = calibrate(benchmark.baseline, min_round_seconds)
    run_times: list[float] = []
    baseline_times: list[float] = []
    for _ in range(rounds):
        run_times.append(_time(benchmark.run, run_calls) / run_calls)
        baseline_times.append(_time(benchmark.baseline, baseline_calls) / baseline_calls)
    return Result(
        benchmark=benchmark,
        subject=Measurement(
            median_seconds=statistics.median(run_times),
            rounds=rounds,
            operations_per_round=run_calls,
        ),
        baseline=Measurement(
            median_seconds=statistics.median(baseline_times),
            rounds=rounds,
            operations_per_round=baseline_calls,
        ),
    )


def run_all(
    factories: Iterable[BenchmarkFactory],
    *,
    rounds: int = 7,
    min_round_seconds: float = 0.05,
    budget_seconds: float = 25.0,
    report: Callable[[Result], None] | None = None,
) -> list[Result]:
    """Measure every benchmark, stopping before one starts once ``budget_seconds`` are spent."""
    deadline = time.monotonic() + budget_seconds
    results: list[Result] = []
    for factory in factories:
        if time.monotonic() >= deadline:
            break
        result = measure(factory(), rounds=rounds, min_round_seconds=min_round_seconds)
        results.append(result)
        if report is not None:
            report(result)
    return results


def _duration(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.2f} {unit}"
    return f"{seconds / 1e-9:.0f} ns"


def format_result(result: Result) -> str:
    """Two report lines: the subject and its baseline, with the ratio between them."""
    name, baseline = result.benchmark.name, result.benchmark.baseline_name
    width = max(len(name), len(baseline), 30)
    return (
        f"{name:<{width}}  median {_duration(result.subject.median_seconds):>10}"
        f"  {result.subject.ops_per_second:>12,.0f} ops/s  ratio {result.ratio:.2f}\n"
        f"{'  vs ' + baseline:<{width}}  median {_duration(result.baseline.median_seconds):>10}"
        f"  {result.baseline.ops_per_second:>12,.0f} ops/s"
    )
