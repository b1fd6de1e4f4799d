"""What the kernel benchmarks (engine.py, limits.py) share: the kernel list,
timing one process, reading tern's result, the measuring rounds, the table of
ratios, the checksum verdict, describing the machine."""
import math, os, platform, subprocess, sys, time


def load_expected(bench):
    """(name, n, checksum) of every kernel in bench/expected.txt, in its order."""
    kernels = []
    with open(os.path.join(bench, "expected.txt")) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                name, n, checksum = line.split()
                kernels.append((name, int(n), int(checksum)))
    return kernels


def select(kernels, names):
    """The kernels named in the comma-separated `names` (all when empty)."""
    if not names:
        return kernels
    wanted = names.split(",")
    return [k for k in kernels if k[0] in wanted]


def kernel_path(bench, name):
    return os.path.join(bench, "kernels", f"{name}.wasm")


def timed(cmd):
    """Wall time of running `cmd` to completion, and the finished process."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    return time.perf_counter() - start, proc


def tern_result(proc):
    """The i32 that `tern run --invoke run N` printed, None if it failed."""
    if proc.returncode != 0:
        return None
    lines = proc.stdout.split()
    return int(lines[0]) if lines else None


def measure(bench, kernels, runners, rounds, alternate=False, label=lambda runner: runner):
    """Best wall time of every runner on every kernel, at its n and at 0 (the
    startup baseline), over `rounds` rounds, and the checksum failures.

    `runners` maps a name to (command(path, size) -> argv, parse(proc) -> int
    or None); each round runs every kernel on all of them, in reverse order
    every other round when `alternate`. A failure reads "`label(runner)`
    kernel size: ...". Returns (best keyed by (runner, kernel, size), failures).
    """
    best = {}
    failures = []
    for round_index in range(rounds):
        order = list(runners.items())
        if alternate and round_index % 2:
            order.reverse()
        for name, n, checksum in kernels:
            path = kernel_path(bench, name)
            for runner, (command, parse) in order:
                for size, expect in ((n, checksum), (0, None)):
                    seconds, proc = timed(command(path, size))
                    result = parse(proc)
                    if result is None or (expect is not None and result != expect):
                        failures.append(f"{label(runner)} {name} {size}: got {result!r}, expected {expect}; "
                                        f"stderr: {proc.stderr.strip()[:200]}")
                    key = (runner, name, size)
                    best[key] = min(best.get(key, math.inf), seconds)
    return best, failures


def ratio_table(kernels, best, columns, titles, ratio):
    """Prints, per kernel, the best time at n of the two runners in `columns`,
    `ratio(first, second)`, the same net of startup (time(n) - time(0)), then
    the geometric means. `titles` heads the four time columns (first, second,
    first net, second net). Returns (ratios, net ratios, geomean of the net
    ratios), in kernel order; a net ratio is NaN unless both nets are > 0.
    """
    first, second = columns
    header = (f"{'kernel':8} {'n':>7} {titles[0]:>8} {titles[1]:>8} {'ratio':>6} | "
              f"{titles[2]:>8} {titles[3]:>8} {'ratio':>6}")
    print(header)
    print("-" * len(header))
    ratios, net_ratios = [], []
    for name, n, _ in kernels:
        a, b = best[(first, name, n)], best[(second, name, n)]
        a_net, b_net = a - best[(first, name, 0)], b - best[(second, name, 0)]
        r = ratio(a, b)
        net_ratio = ratio(a_net, b_net) if a_net > 0 and b_net > 0 else float("nan")
        ratios.append(r)
        net_ratios.append(net_ratio)
        print(f"{name:8} {n:>7} {a*1000:8.1f} {b*1000:8.1f} {r:6.2f} | "
              f"{a_net*1000:8.1f} {b_net*1000:8.1f} {net_ratio:6.2f}")
    print("-" * len(header))
    geo, geo_net = geomean(ratios), geomean(net_ratios)
    print(f"{'geomean':8} {'':>7} {'':>8} {'':>8} {geo:6.2f} | {'':>8} {'':>8} {geo_net:6.2f}")
    return ratios, net_ratios, geo_net


def finish(failures):
    """Lists the checksum failures and exits 1, or says that all matched."""
    if failures:
        print("# CHECKSUM FAILURES:")
        for failure in failures:
            print("#   " + failure)
        sys.exit(1)
    print("# all checksums match expected.txt")


def geomean(values):
    """Geometric mean of the values that are numbers (NaN skipped)."""
    valid = [v for v in values if v == v]
    return math.exp(sum(map(math.log, valid)) / len(valid)) if valid else float("nan")


def machine_line():
    """One line: architecture, CPU count and model, current load."""
    return (f"{platform.machine()}, {os.cpu_count()} CPUs, {cpu_model()}; "
            f"loadavg {os.getloadavg()[0]:.2f}")


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"
