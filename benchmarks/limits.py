"""The cost of the sandbox's checks: the shared kernels under `tern run`
with no limits and with every limit on (see limits.sh)."""
import argparse, math, sys
from datetime import datetime, timezone

from bench_common import geomean, kernel_path, load_expected, machine_line, select, tern_result, timed

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
    configurations = {"off": [], "on": limits}
    best = {}      # (configuration, kernel, n) -> seconds
    failures = []
    for round_index in range(args.rounds):
        # Alternate which configuration goes first, so neither always runs
        # on a machine warmed (or disturbed) by the other.
        order = list(configurations.items())
        if round_index % 2:
            order.reverse()
        for name, n, checksum in kernels:
            for configuration, options in order:
                for size, expect in ((n, checksum), (0, None)):
                    command = [args.tern, "run", *options, kernel_path(args.bench, name), "--invoke", "run", str(size)]
                    seconds, proc = timed(command)
                    result = tern_result(proc)
                    if result is None or (expect is not None and result != expect):
                        failures.append(f"limits {configuration}, {name} {size}: got {result!r}, expected {expect}; "
                                        f"stderr: {proc.stderr.strip()[:200]}")
                    key = (configuration, name, size)
                    best[key] = min(best.get(key, math.inf), seconds)

    print(f"# tern run, limits off vs on  {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"# machine: {machine_line()}")
    print(f"# on: {' '.join(limits)}")
    print(f"# best of {args.rounds} interleaved rounds, whole process wall time in ms; net = time(n) - time(0)")
    header = f"{'kernel':8} {'n':>7} {'off':>8} {'on':>8} {'ratio':>6} | {'off net':>8} {'on net':>8} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    ratios, net_ratios = [], []
    for name, n, _ in kernels:
        off, on = best[("off", name, n)], best[("on", name, n)]
        off_net, on_net = off - best[("off", name, 0)], on - best[("on", name, 0)]
        net_ratio = on_net / off_net if off_net > 0 and on_net > 0 else float("nan")
        ratios.append(on / off)
        net_ratios.append(net_ratio)
        print(f"{name:8} {n:>7} {off*1000:8.1f} {on*1000:8.1f} {on/off:6.2f} | "
              f"{off_net*1000:8.1f} {on_net*1000:8.1f} {net_ratio:6.2f}")
    print("-" * len(header))
    geo, geo_net = geomean(ratios), geomean(net_ratios)
    print(f"{'geomean':8} {'':>7} {'':>8} {'':>8} {geo:6.2f} | {'':>8} {'':>8} {geo_net:6.2f}")
    over = [name for (name, _, _), ratio in zip(kernels, net_ratios) if ratio > TARGET_RATIO]
    verdict = "within" if geo_net <= TARGET_RATIO else "over"
    print(f"# ratio = on / off; target <= {TARGET_RATIO:.2f}: geomean of net ratios {verdict} it"
          + (f"; over it: {', '.join(over)}" if over else ""))
    if failures:
        print("# CHECKSUM FAILURES:")
        for failure in failures:
            print("#   " + failure)
        sys.exit(1)
    print("# all checksums match expected.txt")


if __name__ == "__main__":
    main()
