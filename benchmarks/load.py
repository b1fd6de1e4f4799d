"""Load + instantiate timing of a large module (see load.sh)."""
import argparse, math, os
from datetime import datetime, timezone

from bench_common import machine_line, timed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tern", required=True)
    ap.add_argument("--wasmkit", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--rounds", type=int, default=10)
    args = ap.parse_args()
    engines = {
        "tern": lambda path: [args.tern, "run", path, "--invoke", "noop"],
        "wasmkit": lambda path: [args.wasmkit, "run", path, "noop"],
    }
    best = {}
    for _ in range(args.rounds):
        for engine, command in engines.items():
            for name in ("large", "small"):
                path = os.path.join(args.dir, f"{name}.wasm")
                seconds, proc = timed(command(path))
                if proc.returncode != 0:
                    raise SystemExit(f"{engine} failed on {name}: {proc.stderr[:300]}")
                best[(engine, name)] = min(best.get((engine, name), math.inf), seconds)
    size = os.path.getsize(os.path.join(args.dir, "large.wasm"))
    print(f"# load + instantiate of a {size // 1000} KB module (2400 functions), {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"# machine: {machine_line()}")
    print(f"# best of {args.rounds}; whole process (large) minus whole process (one-function module), ms")
    for engine in engines:
        large, small = best[(engine, "large")], best[(engine, "small")]
        print(f"{engine:8} large {large*1000:7.1f}  small {small*1000:7.1f}  load+instantiate {max(large - small, 0)*1000:7.1f}")
    print("# note: wasmkit translates functions lazily on first call; tern validates and translates every function at load")


if __name__ == "__main__":
    main()
