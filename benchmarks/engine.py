"""Side-by-side timing of tern and wasmkit on the shared kernels (see engine.sh)."""
import argparse, math, re, sys
from datetime import datetime, timezone

from bench_common import geomean, kernel_path, load_expected, machine_line, select, tern_result, timed


def wasmkit_result(proc):
    # wasmkit prints the unsigned i32 as [WasmTypes.Value.i32(U)] and exits 0
    # even when the export is missing, so the result line is what counts.
    m = re.search(r"\[WasmTypes\.Value\.i32\((\d+)\)\]", proc.stdout)
    if not m:
        return None
    u = int(m.group(1))
    return u - 2**32 if u >= 2**31 else u


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tern", required=True)
    ap.add_argument("--wasmkit", required=True)
    ap.add_argument("--bench", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--kernels", default="")
    args = ap.parse_args()

    kernels = select(load_expected(args.bench), args.kernels)
    engines = {
        "tern": (lambda path, n: [args.tern, "run", path, "--invoke", "run", str(n)], tern_result),
        "wasmkit": (lambda path, n: [args.wasmkit, "run", path, "run", f"i32:{n}"], wasmkit_result),
    }
    best = {}      # (engine, kernel, n) -> seconds
    failures = []
    for _ in range(args.rounds):
        for name, n, checksum in kernels:
            path = kernel_path(args.bench, name)
            for engine, (command, parse) in engines.items():
                for size, expect in ((n, checksum), (0, None)):
                    seconds, proc = timed(command(path, size))
                    result = parse(proc)
                    if result is None or (expect is not None and result != expect):
                        failures.append(f"{engine} {name} {size}: got {result!r}, expected {expect}; "
                                        f"stderr: {proc.stderr.strip()[:200]}")
                    key = (engine, name, size)
                    best[key] = min(best.get(key, math.inf), seconds)

    print(f"# tern vs wasmkit  {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"# machine: {machine_line()}")
    print(f"# best of {args.rounds} rounds, whole process wall time in ms; net = time(n) - time(0)")
    header = f"{'kernel':8} {'n':>7} {'tern':>8} {'wasmkit':>8} {'ratio':>6} | {'tern net':>8} {'wk net':>8} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    ratios, net_ratios = [], []
    for name, n, _ in kernels:
        t, w = best[("tern", name, n)], best[("wasmkit", name, n)]
        tn = t - best[("tern", name, 0)]
        wn = w - best[("wasmkit", name, 0)]
        ratios.append(t / w)
        net_ratio = tn / wn if wn > 0 and tn > 0 else float("nan")
        net_ratios.append(net_ratio)
        print(f"{name:8} {n:>7} {t*1000:8.1f} {w*1000:8.1f} {t/w:6.2f} | {tn*1000:8.1f} {wn*1000:8.1f} {net_ratio:6.2f}")
    print("-" * len(header))
    geo, geo_net = geomean(ratios), geomean(net_ratios)
    wins = sum(1 for r in ratios if r <= 1.0)
    print(f"{'geomean':8} {'':>7} {'':>8} {'':>8} {geo:6.2f} | {'':>8} {'':>8} {geo_net:6.2f}")
    print(f"# tern at most wasmkit's time on {wins} of {len(ratios)} kernels (ratio = tern / wasmkit; < 1 is faster)")
    startup_t = min(best[("tern", k, 0)] for k, _, _ in kernels)
    startup_w = min(best[("wasmkit", k, 0)] for k, _, _ in kernels)
    print(f"# startup (run(0), whole process): tern {startup_t*1000:.1f} ms, wasmkit {startup_w*1000:.1f} ms")
    if failures:
        print("# CHECKSUM FAILURES:")
        for f in failures:
            print("#   " + f)
        sys.exit(1)
    print("# all checksums match expected.txt")


if __name__ == "__main__":
    main()
