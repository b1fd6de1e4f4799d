"""The cost of the sandbox's checks: the shared kernels under `tern run`
with no limits and with every limit on (see limits.sh)."""
import argparse
from datetime import datetime, timezone

from bench_common import finish, load_expected, machine_line, measure, ratio_table, select, tern_result

# Far more fuel than any kernel burns, so only the cost of counting it shows.
LARGE_FUEL = 10**18
TARGET_RATIO = 1.10


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tern", required=True)
    ap.add_argument("--bench", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--kernels", default="")
    args = ap.parse_args()

    kernels = select(load_expected(args.bench), args.kernels)
    limits = ["--timeout", "60s", "--fuel", str(LARGE_FUEL), "--max-memory", "64MiB", "--max-depth", "10000"]

    def tern_with(options):
        return lambda path, size: [args.tern, "run", *options, path, "--invoke", "run", str(size)]

    configurations = {"off": (tern_with([]), tern_result), "on": (tern_with(limits), tern_result)}
    # Alternate which configuration goes first, so neither always runs
    # on a machine warmed (or disturbed) by the other.
    best, failures = measure(args.bench, kernels, configurations, args.rounds, alternate=True,
                             label=lambda configuration: f"limits {configuration},")

    print(f"# tern run, limits off vs on  {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"# machine: {machine_line()}")
    print(f"# on: {' '.join(limits)}")
    print(f"# best of {args.rounds} interleaved rounds, whole process wall time in ms; net = time(n) - time(0)")
    _, net_ratios, geo_net = ratio_table(kernels, best, ("off", "on"), ("off", "on", "off net", "on net"),
                                         lambda off, on: on / off)
    over = [name for (name, _, _), ratio in zip(kernels, net_ratios) if ratio > TARGET_RATIO]
    verdict = "within" if geo_net <= TARGET_RATIO else "over"
    print(f"# ratio = on / off; target <= {TARGET_RATIO:.2f}: geomean of net ratios {verdict} it"
          + (f"; over it: {', '.join(over)}" if over else ""))
    finish(failures)


if __name__ == "__main__":
    main()
