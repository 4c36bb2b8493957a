"""Run the registered benchmarks: `python -m bench` (or `make bench`)."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import platform
import sys

from bench.harness import format_result, registered, run_all

# Modules whose import registers benchmarks; add a new benchmark module here.
BENCHMARK_MODULES = ("bench.contracts",)
# Whole-service scenarios (real servers, PostgreSQL), each against a baseline of the same run.
SCENARIOS = {
    "validate": "bench.monitoring:validate_under_load",
    "authorize": "bench.card_authorization:authorize_under_load",
}


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("-k", "--filter", default="", help="only factories whose name has this")
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds per side (7)")
    parser.add_argument(
        "--min-round-ms", type=float, default=50.0, help="minimum length of one round (50 ms)"
    )
    parser.add_argument(
        "--budget", type=float, default=25.0, help="start no benchmark after this many s (25)"
    )
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="load per side of a service scenario (5 s)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Import the benchmark modules, run what they registered, and print the report."""
    options = _arguments(argv)
    for module in BENCHMARK_MODULES:
        importlib.import_module(module)
    factories = [
        factory for factory in registered() if options.filter.lower() in factory.__name__.lower()
    ]
    print(f"python {platform.python_version()} on {platform.machine()} ({platform.system()})")
    print(f"{len(factories)} benchmark(s); ratio = median time / baseline's (< 1 is faster)\n")
    results = run_all(
        factories,
        rounds=options.rounds,
        min_round_seconds=options.min_round_ms / 1000,
        budget_seconds=options.budget,
        report=lambda result: print(format_result(result), flush=True),
    )
    if len(results) < len(factories):
        print(f"\nbudget spent: {len(factories) - len(results)} benchmark(s) not run")
    for name, target in SCENARIOS.items():
        if options.filter.lower() not in name:
            continue
        module, function = target.split(":")
        scenario = getattr(importlib.import_module(module), function)
        print()
        for line in asyncio.run(scenario(seconds=options.seconds)):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
