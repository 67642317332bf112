# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""bench-storm: what a scan storm costs nginx's worker with tlsdiag on, against tlsdiag loaded
but off. Each run starts nginx (one worker, TLS 1.2+ only) and sends COUNT TLS 1.0-only
ClientHellos, each from its own 127.x.y.z address (test/nginx/check_storm.py's scanner), and
reads the worker's CPU time (utime + stime from /proc/PID/stat) before and after, and its
peak resident memory (VmHWM from /proc/PID/status) once the storm is over. Runs
alternate off/on, REPS times each; the median ratio is the figure. Targets (the servers issue):
on/off <= 1.5, at most 50 lines written.

usage: storm_bench.py --build DIR [--count N] [--reps N] [--out FILE]"""
import argparse
import os
import statistics
import sys
from pathlib import Path

sys.dont_write_bytecode = True
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "test" / "nginx"))
sys.path.insert(0, str(ROOT / "test" / "harness"))
import tdlib  # noqa: E402
from check_nginx import Nginx  # noqa: E402
from check_storm import SNIS, lines, storm, tls10_hello  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def worker_cpu(pid):
    fields = Path("/proc/%d/stat" % pid).read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def worker_hwm_kb(pid):
    """The worker's peak resident set (VmHWM) in kB, or None when /proc does not say."""
    try:
        for line in Path("/proc/%d/status" % pid).read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def one(args, pki, scratch, mode, i, hellos):
    env = tdlib.tlsdiag_env(args.build, mode, "json", None, 60)
    nginx = Nginx(args.nginx, scratch / ("%s-%d" % (mode, i)), pki, ["ssl_protocols TLSv1.2 TLSv1.3;"], env)
    try:
        (worker,) = nginx.worker_pids()
        before = worker_cpu(worker)
        storm(nginx.port, args.count, hellos)
        spent = worker_cpu(worker) - before
        hwm = worker_hwm_kb(worker)
    finally:
        nginx.stop()
    return spent, lines(nginx.events), hwm


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--nginx", default="/usr/sbin/nginx")
    ap.add_argument("--count", type=int, default=5000)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--out")
    args = ap.parse_args()
    args.build = str(Path(args.build).resolve())
    if not Path(args.nginx).exists():
        print("bench-storm: skipped: no %s (nginx-light)" % args.nginx)
        return 77
    pki = tdlib.make_pki(args.build)
    hellos = [tls10_hello(s) for s in SNIS]
    cpu = {"0": [], "1": []}
    hwm = {"0": [], "1": []}
    written = []
    with tdlib.scratch("tlsdiag-bench-storm-") as scratch:
        for i in range(args.reps):
            for mode in ("0", "1"):
                spent, n, peak = one(args, pki, Path(scratch), mode, i, hellos)
                cpu[mode].append(spent)
                if peak is not None:
                    hwm[mode].append(peak)
                if mode == "1":
                    written.append(n)
    off, on = statistics.median(cpu["0"]), statistics.median(cpu["1"])
    ratio = on / off if off > 0 else float("inf")

    def peak(mode):
        return "%d kB" % statistics.median(hwm[mode]) if hwm[mode] else "n/a"

    peak_delta = ("%+d kB" % (statistics.median(hwm["1"]) - statistics.median(hwm["0"]))
                  if hwm["0"] and hwm["1"] else "n/a")
    report = "\n".join([
        "## Scan storm (nginx, one worker)",
        "",
        "%d TLS 1.0-only ClientHellos from %d distinct 127/8 addresses, five SNI names; worker CPU "
        "(utime+stime), median of %d alternating runs each." % (args.count, args.count, args.reps),
        "",
        "| | worker CPU | per ClientHello | peak RSS (VmHWM) | lines written |",
        "|---|---|---|---|---|",
        "| tlsdiag loaded, off | %.3f s | %.1f us | %s | 0 |" % (
            off, off / args.count * 1e6, peak("0")),
        "| tlsdiag on | %.3f s | %.1f us | %s | %d |" % (
            on, on / args.count * 1e6, peak("1"), max(written)),
        "",
        "Peak RSS: the worker's VmHWM after the storm, median of the runs; on − off: %s." % (
            peak_delta),
        "",
        "on/off: %.2f (target <= 1.5); lines written: at most %d (target <= 50)%s" % (
            ratio, max(written), "" if ratio <= 1.5 and max(written) <= 50 else "  ** MISSED **"),
        "",
    ])
    print(report)
    if args.out:
        Path(args.out).write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
