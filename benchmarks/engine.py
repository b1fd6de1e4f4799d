"""Side-by-side timing of tern and wasmkit on the shared kernels (see engine.sh)."""
import argparse, re
from datetime import datetime, timezone

from bench_common import finish, load_expected, machine_line, measure, ratio_table, select, tern_result


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
    best, failures = measure(args.bench, kernels, engines, args.rounds)

    print(f"# tern vs wasmkit  {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"# machine: {machine_line()}")
    print(f"# best of {args.rounds} rounds, whole process wall time in ms; net = time(n) - time(0)")
    ratios, _, _ = ratio_table(kernels, best, ("tern", "wasmkit"), ("tern", "wasmkit", "tern net", "wk net"),
                               lambda t, w: t / w)
    wins = sum(1 for r in ratios if r <= 1.0)
    print(f"# tern at most wasmkit's time on {wins} of {len(ratios)} kernels (ratio = tern / wasmkit; < 1 is faster)")
    startup_t = min(best[("tern", k, 0)] for k, _, _ in kernels)
    startup_w = min(best[("wasmkit", k, 0)] for k, _, _ in kernels)
    print(f"# startup (run(0), whole process): tern {startup_t*1000:.1f} ms, wasmkit {startup_w*1000:.1f} ms")
    finish(failures)


if __name__ == "__main__":
    main()
