"""What the kernel benchmarks (engine.py, limits.py) share: the kernel list,
timing one process, reading tern's result, describing the machine."""
import math, os, platform, subprocess, time


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
