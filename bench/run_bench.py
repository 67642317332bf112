#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""Runs handshake_bench in every mode, alternating, and reports what tlsdiag costs.

Modes, one process each (the config and TLSDIAG are read once per process):
  base   a config that activates only `default` (base.cnf)
  off    build/openssl.cnf, TLSDIAG unset: the provider loaded and idle
  on     TLSDIAG=1, explanations to stderr (a file here)
  trace  TLSDIAG=trace, TLSDIAG_OUTPUT=file:...
  base2  base again: the A/A comparison that shows how far timing noise alone goes

Timing: for each workload, one process per mode, all alive at once and pinned to one
CPU; the driver asks them in turn for a batch of handshakes (tens of milliseconds of
CPU), rotating the order every round (base off on trace base2, off on trace base2
base, ...). Only one process runs at a time, so the modes alternate every few tenths
of a second and share whatever state the machine is in. Ratios pair the batches of a
round; the report gives, over repetitions, their median, min and max.
bench/README.md explains the method and the targets.
"""
import argparse
import concurrent.futures
import datetime
import itertools
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

MODES = ["base", "off", "on", "trace", "base2"]
TLSDIAG_MODES = ["off", "on", "trace"]

# name -> (handshake_bench workload, extra environment, what it is)
WORKLOADS = {
    "tls13-rsa": ("tls13-rsa", {}, "TLS 1.3, ECDHE + RSA-2048, full handshake"),
    "tls13-ecdsa": ("tls13-ecdsa", {}, "TLS 1.3, ECDHE + ECDSA P-256, full handshake"),
    "tls12-rsa": ("tls12-rsa", {}, "TLS 1.2, ECDHE-RSA-2048, full handshake"),
    "resume13": ("resume13", {}, "TLS 1.3 resumption (ticket, psk_dhe_ke)"),
    "fail-suppressed": ("fail-verify", {},
                        "TLS 1.3, client rejects the self-signed server cert; "
                        "default repeat window: repeats suppressed"),
    "fail-every": ("fail-verify", {"TLSDIAG_REPEAT_WINDOW": "0", "TLSDIAG_RATE_LIMIT": "0"},
                   "same failure, TLSDIAG_REPEAT_WINDOW=0 and TLSDIAG_RATE_LIMIT=0: "
                   "every failure explained"),
}
SUCCESS = ["tls13-rsa", "tls13-ecdsa", "tls12-rsa", "resume13"]
# Memory: SSL objects held open half way through the handshake (both hellos are kept until it
# completes), and established ones (a live connection, where the target applies).
IDLE = {"idle": "in handshake: the client's hello sent, the server's first flight sent in answer",
        "idle-open": "established: the handshake completed, the connection left open"}
FAILURE = ["fail-suppressed", "fail-every"]

# Targets, fixed by the project; never loosen them.
OFF_MIN, ON_MIN, TRACE_MIN = 0.999, 0.99, 0.97
ON_INSTR_MAX = 0.005          # extra instructions per successful handshake, on mode
ON_ALLOCS_MAX = 0.05          # extra allocations per successful handshake: "none" (README)
LIVE_BYTES_MAX = 256          # extra bytes per live SSL object, on mode
SUPPRESSED_MAX = 0.01         # a suppressed repeat: "almost nothing" (README)


class BenchError(Exception):
    pass


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Process:
    def __init__(self, mode, workload, stem, callgrind):
        self.mode, self.workload, self.callgrind = mode, workload, callgrind
        self.trace_path, self.stderr_path = stem + ".trace", stem + ".stderr"
        self.env = self.proc = None


class Runner:
    def __init__(self, args):
        self.args = args
        self.dir = os.path.abspath(args.dir)
        self.keys = os.path.join(self.dir, "keys")
        self.out = os.path.join(self.dir, "out")
        self.cg_dir = os.path.join(self.dir, "callgrind")
        self.seq = itertools.count(1)  # next() is atomic: callgrind runs share it across threads
        # One CPU for every timed run: no migrations, and every mode gets the same core.
        cpus = sorted(os.sched_getaffinity(0))
        self.timed_cpu = {cpus[-1]}

    def env_for(self, mode, workload, output_path):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("TLSDIAG") and k not in ("OPENSSL_CONF", "OPENSSL_MODULES")}
        env["OPENSSL_CONF"] = os.path.abspath(
            self.args.tlsdiag_cnf if mode in TLSDIAG_MODES else self.args.base_cnf)
        if mode == "on":
            env["TLSDIAG"] = "1"
        elif mode == "trace":
            env["TLSDIAG"] = "trace"
            env["TLSDIAG_OUTPUT"] = "file:" + output_path
            # What trace costs is a line per handshake: the default rate limit would hold
            # nearly all of them back in a timed run.
            env["TLSDIAG_RATE_LIMIT"] = "0"
        env.update(WORKLOADS[workload][1] if workload in WORKLOADS else {})
        return env

    def launch(self, verb, mode, workload, count, warmup, callgrind=None, pin=True):
        """Starts one handshake_bench process ("run" or "serve")."""
        stem = os.path.join(self.out, "%s.%s.%d" % (workload, mode, next(self.seq)))
        bench_workload = WORKLOADS[workload][0] if workload in WORKLOADS else workload
        cmd = [self.args.bin, verb, self.keys, bench_workload, str(count), str(warmup)]
        if callgrind:
            # Zero on entry, dump on return: unlike --toggle-collect, which only counts the
            # thread that entered the function, this counts every thread, and tlsdiag
            # runs part of a failure's diagnosis on a thread of its own.
            cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + callgrind,
                   "--zero-before=bench_measured_handshakes",
                   "--dump-after=bench_measured_handshakes"] + cmd
        p = Process(mode, workload, stem, callgrind)
        p.env = self.env_for(mode, workload, p.trace_path)
        with open(p.stderr_path, "wb") as err:
            p.proc = subprocess.Popen(
                cmd, env=p.env, stdin=subprocess.PIPE if verb == "serve" else subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=err,
                preexec_fn=(lambda: os.sched_setaffinity(0, self.timed_cpu)) if pin else None)
        return p

    def collect(self, p, stdout):
        """Waits for a process and returns its totals plus what tlsdiag wrote, in bytes."""
        rc = p.proc.wait()
        with open(p.stderr_path, "rb") as f:
            stderr = f.read()
        if rc != 0:
            raise BenchError("%s %s exited %d:\n%s" % (
                p.workload, p.mode, rc, stderr.decode(errors="replace")[-2000:]))
        lines = [l for l in stdout.splitlines() if l.startswith("{")]
        if not lines:
            raise BenchError("%s %s printed no result" % (p.workload, p.mode))
        result = json.loads(lines[-1])
        # Under valgrind, its own report shares stderr: what tlsdiag wrote is not measured.
        result["stderr_bytes"] = 0 if p.callgrind else len(stderr)
        result["trace_bytes"] = os.path.getsize(p.trace_path) if os.path.exists(p.trace_path) else 0
        for path in (p.trace_path, p.stderr_path):
            if os.path.exists(path):
                os.unlink(path)
        expected = 1 if p.mode in TLSDIAG_MODES else 0
        if result.get("provider_loaded") != expected:
            raise BenchError("%s %s: tlsdiag provider loaded=%s, expected %d (OPENSSL_CONF=%s)"
                             % (p.workload, p.mode, result.get("provider_loaded"), expected,
                                p.env["OPENSSL_CONF"]))
        if not p.callgrind:
            self.check_output(p.mode, p.workload, result)
        return result

    def run(self, mode, workload, count, warmup, callgrind=None, pin=True):
        """One process, one batch of count handshakes (or count idle objects)."""
        p = self.launch("run", mode, workload, count, warmup, callgrind, pin)
        stdout, _ = p.proc.communicate()
        return self.collect(p, stdout.decode())

    def interleaved(self, workload, per_batch, warmup, rounds):
        """One process per mode, all alive, all on one CPU; asks each in turn for a
        batch. The order rotates by one every round: every mode takes every place in
        the round equally often, and no process ever runs twice in a row (which would
        hand it a warm cache the others do not get). Returns {mode: totals +
        batch_times}."""
        procs = {}
        try:
            for mode in MODES:
                procs[mode] = self.launch("serve", mode, workload, per_batch, warmup)
            for mode, p in procs.items():
                if p.proc.stdout.readline() != b"ready\n":
                    p.proc.stdin.close()
                    self.collect(p, "")  # raises with the process's stderr
                    raise BenchError("%s %s did not get ready" % (workload, mode))
            times = {mode: [] for mode in MODES}
            for k in range(rounds):
                for mode in MODES[k % len(MODES):] + MODES[:k % len(MODES)]:
                    p = procs[mode]
                    p.proc.stdin.write(b"go\n")
                    p.proc.stdin.flush()
                    line = p.proc.stdout.readline()
                    if not line:
                        self.collect(p, "")
                        raise BenchError("%s %s stopped answering" % (workload, mode))
                    times[mode].append(float(line))
            results = {}
            for mode, p in procs.items():
                p.proc.stdin.close()
                results[mode] = self.collect(p, p.proc.stdout.read().decode())
                results[mode]["per_batch"] = per_batch
                results[mode]["batch_times"] = times[mode]
            procs = {}
            return results
        finally:
            for p in procs.values():
                if p.proc.poll() is None:
                    p.proc.kill()
                    p.proc.wait()

    def keygen(self):
        os.makedirs(self.keys, exist_ok=True)
        env = self.env_for("base", "", "")
        subprocess.run([self.args.bin, "keygen", self.keys], env=env, check=True)

    @staticmethod
    def check_output(mode, workload, r):
        """Each mode is what it claims: base and off write nothing, trace writes its
        file, on explains failures. Numbers from a mode that is silently something
        else would be worse than none, so this fails the bench."""
        wrote = r["stderr_bytes"] + r["trace_bytes"]
        if mode in ("base", "base2", "off") and wrote:
            raise BenchError("%s %s wrote %d bytes; expected silence" % (workload, mode, wrote))
        if mode == "trace" and workload != "idle" and not r["trace_bytes"]:
            raise BenchError("%s trace: the TLSDIAG_OUTPUT file stayed empty" % workload)
        if mode == "on" and workload == "fail-every" and not r["stderr_bytes"]:
            raise BenchError("fail-every on: no explanation on stderr")

    def check_modes(self):
        """A few handshakes in every mode, to fail in seconds rather than minutes."""
        for workload in list(WORKLOADS) + list(IDLE):
            for mode in MODES:
                self.run(mode, workload, 4 if workload in IDLE else 3, 1)

    def calibrate(self):
        """Handshakes per batch so that a batch takes about --batch-ms of CPU in base."""
        per_batch = {}
        for workload in WORKLOADS:
            r = self.run("base", workload, 20, 2)
            per_batch[workload] = max(2, int(r["count"] / r["cpu_s"] * self.args.batch_ms / 1000))
        return per_batch

    def timed(self, per_batch, rounds):
        runs = {w: {m: [] for m in MODES} for w in list(WORKLOADS) + list(IDLE)}
        for rep in range(self.args.reps):
            log("rep %d/%d" % (rep + 1, self.args.reps))
            for workload in WORKLOADS:
                results = self.interleaved(workload, per_batch[workload],
                                           max(2, per_batch[workload] // 4), rounds)
                for mode in MODES:
                    runs[workload][mode].append(results[mode])
            # Memory is not timed: one process after the other is enough.
            for mode in (MODES if rep % 2 == 0 else MODES[::-1]):
                for idle in IDLE:
                    runs[idle][mode].append(self.run(mode, idle, self.args.idle, 0))
        return runs

    def callgrind(self, plan):
        """plan: [(workload, mode)]. Returns {(workload, mode): (Ir per handshake, file)}."""
        os.makedirs(self.cg_dir, exist_ok=True)

        def one(item):
            workload, mode = item
            path = os.path.join(self.cg_dir, "%s.%s.out" % (workload, mode))
            r = self.run(mode, workload, self.args.cg_count, 2, callgrind=path, pin=False)
            # The first dump is the measured loop; the rest of the process is dropped.
            if not os.path.exists(path + ".1"):
                raise BenchError("callgrind wrote no dump of the measured loop: " + path)
            os.replace(path + ".1", path)
            total = cg_summary(path)
            if not total:
                raise BenchError("no instruction count in " + path)
            return item, (total / r["count"], path)

        with concurrent.futures.ThreadPoolExecutor(max_workers=self.args.jobs) as pool:
            return dict(pool.map(one, plan))


# ---- statistics ------------------------------------------------------------------------

def rate(r):
    """Handshakes per CPU-second, from the process's median batch."""
    return r["per_batch"] / statistics.median(r["batch_times"])


def ratio(m, b):
    """Throughput of mode run m over base run b of the same repetition: the median over
    rounds of base batch time / mode batch time. The two batches of a round ran within
    a few tenths of a second of each other, on the same CPU."""
    return statistics.median(tb / tm for tm, tb in zip(m["batch_times"], b["batch_times"]))


def extra_seconds(m, b):
    """CPU seconds per handshake that mode run m spent beyond base run b."""
    return statistics.median(tm - tb for tm, tb in zip(m["batch_times"], b["batch_times"])) \
        / m["per_batch"]


def span(values):
    return statistics.median(values), min(values), max(values)


def paired(runs, mode, fn):
    """fn(mode_run, base_run) for each repetition."""
    return [fn(m, b) for m, b in zip(runs[mode], runs["base"])]


def fmt_span(s, fmt="%.3f"):
    med, lo, hi = s
    return (fmt + " [" + fmt + "–" + fmt + "]") % (med, lo, hi)


def verdict(ok):
    return "PASS" if ok else "MISS"


# ---- callgrind profile -----------------------------------------------------------------

def cg_summary(path):
    """The events a callgrind dump collected ("summary:"; "totals:" of a dump taken
    inside the program also carries the frames still live across it)."""
    with open(path) as f:
        for line in f:
            if line.startswith("summary:"):
                return int(line.split()[1])
    return None


THREAD_BASE = re.compile(r"^(clone|start_thread)('\d+)?$")


def exclusive(path):
    """Exclusive Ir per function, without the frames a dump taken mid-program charges
    with more than their own: those live across the zeroing and the dump (main, the
    timed loop: the whole cost) and the bottom frames of threads (their whole cost).
    No real function comes near half of a handshake's instructions."""
    limit = 0.5 * cg_summary(path)
    return {k: ir for k, ir in annotate(path, False).items()
            if ir < limit and not THREAD_BASE.match(k[0])}


ANNOTATE_LINE = re.compile(r"^\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(.*?) \[(.*)\]\s*$")


def annotate(path, inclusive):
    """{(function, object): Ir} from callgrind_annotate."""
    out = subprocess.run(
        ["callgrind_annotate", "--threshold=100", "--inclusive=" + ("yes" if inclusive else "no"),
         path], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True).stdout.decode()
    costs = {}
    for line in out.splitlines():
        m = ANNOTATE_LINE.match(line)
        if m:
            fn = m.group(2)
            fn = fn.split(":", 1)[1] if ":" in fn else fn
            costs[(fn, os.path.basename(m.group(3)))] = int(m.group(1).replace(",", ""))
    return costs


def own_ir(excl):
    """Instructions executed inside tlsdiag.so itself, from exclusive() costs."""
    return sum(ir for (fn, obj), ir in excl.items() if obj.startswith("tlsdiag"))


def profile_section(cg, count, workload, mode, top=15):
    """Where the mode's extra instructions go: tlsdiag.so's own functions (inclusive),
    and the functions anywhere whose exclusive cost grew against base."""
    on_path, base_path = cg[(workload, mode)][1], cg[(workload, "base")][1]
    lines = ["", "#### %s, %s mode vs base (Ir per handshake)" % (workload, mode), ""]
    incl = annotate(on_path, True)
    ours = sorted(((ir, fn) for (fn, obj), ir in incl.items() if obj.startswith("tlsdiag")),
                  reverse=True)[:top]
    excl_on, excl_base = exclusive(on_path), exclusive(base_path)
    own = own_ir(excl_on)
    lines.append("Instructions executed inside tlsdiag.so itself: %.0f per handshake."
                 % (own / count))
    lines.append("")
    if ours:
        lines += ["| tlsdiag.so function | inclusive Ir / handshake |", "|---|---:|"]
        lines += ["| `%s` | %.0f |" % (fn, ir / count) for ir, fn in ours]
    else:
        lines.append("(no function of tlsdiag.so ran in the measured loop)")
    deltas = []
    for key in set(excl_on) | set(excl_base):
        d = excl_on.get(key, 0) - excl_base.get(key, 0)
        if d:
            deltas.append((d, key))
    deltas.sort(reverse=True)
    lines += ["", "| function [object], exclusive Ir grown vs base | Δ Ir / handshake |",
              "|---|---:|"]
    lines += ["| `%s` [%s] | %+.0f |" % (fn, obj, d / count) for d, (fn, obj) in deltas[:top]]
    return lines


# The entry points libssl and libcrypto call in tlsdiag.so: whatever runs under them (inside the
# module or in OpenSSL getters it calls) is tlsdiag's to remove; the rest of a mode's extra
# instructions is OpenSSL's own machinery for carrying a provider and ex_data callbacks.
ENTRY_POINTS = ("td_info_cb", "td_msg_cb", "ssl_free", "ssl_dup", "ctx_new", "store_ctx_free")

# issue 18's table: extra instructions against base, per mode (workloads: None = every one).
ISSUE_TARGETS = [
    ("off", SUCCESS, 0.0005, "off (loaded, TLSDIAG unset)"),
    ("on", SUCCESS, 0.0010, "on, successful handshake"),
    ("trace", SUCCESS, 0.0030, "trace, successful handshake"),
    ("on", ["fail-suppressed"], 0.0020, "failing handshake, repeat suppressed"),
    ("on", ["fail-every"], 0.0200, "failing handshake, every one explained"),
]


def attribution(cg, count, workload, mode):
    """(total extra Ir, Ir under tlsdiag's entry points, Ir of tlsdiag.so's own code) per
    handshake, against base."""
    total = cg[(workload, mode)][0] - cg[(workload, "base")][0]
    path = cg[(workload, mode)][1]
    incl = annotate(path, True)
    ours = sum(ir for (fn, obj), ir in incl.items()
               if obj.startswith("tlsdiag") and fn in ENTRY_POINTS) / count
    own = own_ir(exclusive(path)) / count
    ours = min(ours, max(total, 0))
    return total, ours, min(own, ours)


def attribution_section(cg, count):
    """Each target of issue 18 beside its figure, and what of the figure is tlsdiag's: a
    missed target whose OpenSSL-side remainder alone exceeds it cannot be met by any change
    to tlsdiag that keeps its hooks (ex_data callbacks are the only way in a provider has).
    tlsdiag's part is split again into its own code and what that code calls (OpenSSL's
    getters, the ex_data slot its state takes, libc's malloc and memcpy)."""
    lines = ["", "## Issue 18's targets: whose instructions", "",
             "Extra instructions per handshake against base. *tlsdiag* is everything under its "
             "entry points (%s): *own* its code in tlsdiag.so, *calls* the OpenSSL and libc "
             "functions that code calls (getters, the SSL's ex_data slot that holds the "
             "connection's state, malloc); *OpenSSL* is the rest: activating one more provider "
             "(every key decode walks the providers), libssl calling the callbacks, and the "
             "ex_data machinery an index with callbacks switches on for every SSL and "
             "X509_STORE_CTX." % ", ".join("`%s`" % e for e in ENTRY_POINTS), "",
             "| mode | workload | extra | target | tlsdiag (own + calls) | OpenSSL | verdict |",
             "|---|---|---:|---:|---:|---:|---|"]
    for mode, workloads, target, what in ISSUE_TARGETS:
        for w in workloads:
            if (w, mode) not in cg or (w, "base") not in cg:
                continue
            base_ir = cg[(w, "base")][0]
            total, ours, own = attribution(cg, count, w, mode)
            rest = total - ours
            if total <= target * base_ir:
                v = "met"
            elif rest > target * base_ir:
                v = "missed: OpenSSL's part alone is over the target"
            else:
                v = "missed: tlsdiag's part (%.0f Ir over)" % (total - target * base_ir)
            lines.append("| %s | %s | %+.3f %% | %.2f %% | %+.3f %% (%+.3f + %+.3f) | %+.3f %% | %s |"
                         % (what, w, 100 * total / base_ir, 100 * target, 100 * ours / base_ir,
                            100 * own / base_ir, 100 * (ours - own) / base_ir,
                            100 * rest / base_ir, v))
    return lines


# ---- report -----------------------------------------------------------------------------

def provider_info(args):
    so = os.path.join(os.path.dirname(os.path.abspath(args.tlsdiag_cnf)), "tlsdiag.so")
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL).stdout.decode().strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "provider", "include"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.strip()
    except OSError:
        rev, dirty = "?", b""
    built = datetime.datetime.fromtimestamp(os.path.getmtime(so)).strftime("%Y-%m-%d %H:%M") \
        if os.path.exists(so) else "?"
    return "%s%s, tlsdiag.so built %s" % (rev, " + uncommitted provider changes" if dirty else "",
                                           built)


def report(args, per_batch, rounds, runs, cg, elapsed):
    md = []
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ossl = subprocess.run(["openssl", "version"], stdout=subprocess.PIPE).stdout.decode().strip()
    md += ["# tlsdiag benchmark%s" % (" (smoke: tiny sizes, numbers not meaningful)"
                                       if args.smoke else ""), "",
           "%s UTC · %s · %d CPUs · %s · %s · %s" % (
               datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"), platform.node(),
               os.cpu_count(), cpu, ossl, provider_info(args)),
           "",
           "%d repetitions. In each, every workload runs one process per mode, all pinned to "
           "one CPU and alive together; the driver asks them in turn for a batch of "
           "handshakes (about %d ms of CPU), %d rounds, the order rotating every round. "
           "Throughput is handshakes per CPU-second of the process (both ends of each "
           "connection are in it), from its median batch. A ratio is, inside one repetition, "
           "the median over rounds of base batch time / mode batch time; the tables give "
           "the median over repetitions [min–max]. Total bench time %.0f s."
           % (args.reps, args.batch_ms, rounds, elapsed), ""]

    md += ["## Workloads", "", "| workload | what | handshakes per batch |", "|---|---|---:|"]
    for w, (_, _, what) in WORKLOADS.items():
        md.append("| %s | %s | %d |" % (w, what, per_batch[w]))
    for w, what in IDLE.items():
        md.append("| %s | %d SSL objects kept alive, %s; ECDSA | – |" % (w, args.idle, what))
    md.append("")

    md += ["## Throughput (handshakes per CPU-second)", "",
           "| workload | base | off/base | on/base | trace/base | A/A base2/base |",
           "|---|---:|---:|---:|---:|---:|"]
    for w in WORKLOADS:
        r = runs[w]
        row = ["%.0f [%.0f–%.0f]" % span([rate(x) for x in r["base"]])]
        for mode in ["off", "on", "trace", "base2"]:
            row.append(fmt_span(span(paired(r, mode, ratio))))
        md.append("| %s | %s |" % (w, " | ".join(row)))
    md.append("")

    md += ["## What tlsdiag wrote", "",
           "| workload | on: stderr bytes / handshake | trace: file bytes / handshake |",
           "|---|---:|---:|"]
    for w in WORKLOADS:
        r = runs[w]
        md.append("| %s | %.0f | %.0f |" % (
            w, statistics.median(x["stderr_bytes"] / x["count"] for x in r["on"]),
            statistics.median(x["trace_bytes"] / x["count"] for x in r["trace"])))
    md.append("")

    md += ["## Instructions per handshake (callgrind, %d handshakes per run)" % args.cg_count, "",
           "| workload | base Ir | off | on | trace | A/A base2 |", "|---|---:|---:|---:|---:|---:|"]
    for w in WORKLOADS:
        if (w, "base") not in cg:
            continue
        base_ir = cg[(w, "base")][0]
        cells = []
        for mode in ["off", "on", "trace", "base2"]:
            cells.append("%+.3f %%" % (100 * (cg[(w, mode)][0] / base_ir - 1))
                         if (w, mode) in cg else "–")
        md.append("| %s | %.0f | %s |" % (w, base_ir, " | ".join(cells)))
    md.append("")

    md += ["## Allocations per handshake (all allocations in the process, both ends)", "",
           "| workload | base allocs | base bytes | on − base allocs | on − base bytes "
           "| trace − base allocs | trace − base bytes | A/A allocs |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for w in WORKLOADS:
        r = runs[w]
        per = lambda x, k: x[k] / x["count"]  # noqa: E731
        diff = lambda mode, k: statistics.median(  # noqa: E731
            paired(r, mode, lambda m, b: per(m, k) - per(b, k)))
        md.append("| %s | %.1f | %.0f | %+.3f | %+.1f | %+.3f | %+.1f | %+.3f |" % (
            w, statistics.median(per(x, "allocs") for x in r["base"]),
            statistics.median(per(x, "alloc_bytes") for x in r["base"]),
            diff("on", "allocs"), diff("on", "alloc_bytes"),
            diff("trace", "allocs"), diff("trace", "alloc_bytes"), diff("base2", "allocs")))
    md.append("")

    mem_extra = {}
    for w, what in IDLE.items():
        idle = runs[w]
        md += ["## Memory per SSL object, %s (%s, %d objects)" % (w, what, args.idle), "",
               "| mode | RSS / object | heap / object | extra RSS vs base | extra heap vs base |",
               "|---|---:|---:|---:|---:|"]
        for mode in MODES:
            rss = statistics.median(x["rss_bytes"] / x["objects"] for x in idle[mode])
            heap = statistics.median(x["heap_bytes"] / x["objects"] for x in idle[mode])
            if mode == "base":
                md.append("| base | %.0f | %.0f | – | – |" % (rss, heap))
                continue
            d_rss = statistics.median(paired(idle, mode, lambda m, b: (m["rss_bytes"] - b["rss_bytes"])
                                             / m["objects"]))
            d_heap = statistics.median(paired(idle, mode, lambda m, b: (m["heap_bytes"] - b["heap_bytes"])
                                              / m["objects"]))
            mem_extra[(w, mode)] = (d_rss, d_heap)
            md.append("| %s | %.0f | %.0f | %+.1f | %+.1f |" % (mode, rss, heap, d_rss, d_heap))
        md.append("")

    # ---- targets
    targets = []

    def aa_note(w, value, target):
        aa = span(paired(runs[w], "base2", ratio))
        noise = max(abs(aa[1] - 1), abs(aa[2] - 1))
        if value < target and abs(1 - value) <= noise:
            return " (within A/A noise ±%.1f %%: timing cannot resolve this; see Ir)" % (100 * noise)
        return ""

    for w in WORKLOADS:
        v = statistics.median(paired(runs[w], "off", ratio))
        targets.append(("off throughput ≥ %.3f × base: %s" % (OFF_MIN, w), "%.4f" % v,
                        verdict(v >= OFF_MIN) + aa_note(w, v, OFF_MIN)))
    for w in SUCCESS:
        v = statistics.median(paired(runs[w], "on", ratio))
        targets.append(("on throughput ≥ %.2f × base: %s" % (ON_MIN, w), "%.4f" % v,
                        verdict(v >= ON_MIN) + aa_note(w, v, ON_MIN)))
    for w in SUCCESS:
        v = statistics.median(paired(runs[w], "trace", ratio))
        targets.append(("trace throughput ≥ %.2f × base: %s" % (TRACE_MIN, w), "%.4f" % v,
                        verdict(v >= TRACE_MIN) + aa_note(w, v, TRACE_MIN)))
    for w in SUCCESS:
        if (w, "on") in cg:
            v = cg[(w, "on")][0] / cg[(w, "base")][0] - 1
            targets.append(("on instructions ≤ +%.1f %%: %s" % (100 * ON_INSTR_MAX, w),
                            "%+.3f %%" % (100 * v), verdict(v <= ON_INSTR_MAX)))
    for w in SUCCESS:
        v = statistics.median(paired(runs[w], "on", lambda m, b: m["allocs"] / m["count"]
                                     - b["allocs"] / b["count"]))
        targets.append(("on: no allocation per successful handshake (< %.2f): %s"
                        % (ON_ALLOCS_MAX, w), "%+.3f allocs" % v, verdict(v < ON_ALLOCS_MAX)))
    d_rss, d_heap = mem_extra[("idle-open", "on")]
    targets.append(("on: ≤ %d bytes per live (established) connection (RSS and heap)"
                    % LIVE_BYTES_MAX, "RSS %+.0f B, heap %+.0f B" % (d_rss, d_heap),
                    verdict(d_rss <= LIVE_BYTES_MAX and d_heap <= LIVE_BYTES_MAX)))
    # an explained failure costs less than one full handshake
    extra = paired(runs["fail-every"], "on", extra_seconds)
    full = [statistics.median(x["batch_times"]) / x["per_batch"] for x in runs["tls13-rsa"]["base"]]
    v = statistics.median(e / f for e, f in zip(extra, full))
    targets.append(("on: an explained failure costs < 1 full handshake (CPU time)",
                    "%.3f handshakes" % v, verdict(v < 1)))
    if ("fail-every", "on") in cg:
        v = (cg[("fail-every", "on")][0] - cg[("fail-every", "base")][0]) / cg[("tls13-rsa", "base")][0]
        targets.append(("on: an explained failure costs < 1 full handshake (instructions)",
                        "%.3f handshakes" % v, verdict(v < 1)))
    v = statistics.median(paired(runs["fail-suppressed"], "on", ratio))
    targets.append(("on: a suppressed repeat costs ≤ %.0f %% of a failing handshake (throughput)"
                    % (100 * SUPPRESSED_MAX), "%.4f × base" % v,
                    verdict(v >= 1 - SUPPRESSED_MAX) + aa_note("fail-suppressed", v,
                                                              1 - SUPPRESSED_MAX)))
    if ("fail-suppressed", "on") in cg:
        v = cg[("fail-suppressed", "on")][0] / cg[("fail-suppressed", "base")][0] - 1
        targets.append(("on: a suppressed repeat costs ≤ %.0f %% of a failing handshake "
                        "(instructions)" % (100 * SUPPRESSED_MAX), "%+.3f %%" % (100 * v),
                        verdict(v <= SUPPRESSED_MAX)))

    md += ["## Targets", "", "| target | measured | verdict |", "|---|---:|---|"]
    md += ["| %s | %s | %s |" % t for t in targets]
    missed = [t for t in targets if t[2].startswith("MISS")]
    md += ["", "%d of %d targets met%s." % (len(targets) - len(missed), len(targets),
                                             " (smoke run: sizes too small for the verdicts "
                                             "to mean anything)" if args.smoke else "")]

    md += attribution_section(cg, args.cg_count)

    cg_dir = os.path.relpath(os.path.join(args.dir, "callgrind"))
    if cg_dir.startswith(".."):
        cg_dir = os.path.abspath(cg_dir)
    md += ["", "## Where tlsdiag's instructions go (callgrind)", "",
           "Raw profiles: `%s/WORKLOAD.MODE.out` (`callgrind_annotate --inclusive=yes FILE`)."
           % cg_dir]
    for w, mode in [("tls13-rsa", "on"), ("tls13-rsa", "trace"), ("fail-every", "on"),
                    ("fail-suppressed", "on"), ("tls13-ecdsa", "off")]:
        if (w, mode) in cg and (w, "base") in cg:
            md += profile_section(cg, args.cg_count, w, mode)
    md.append("")
    return "\n".join(md), missed


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--dir", required=True, help="work directory (build/bench)")
    ap.add_argument("--base-cnf", required=True)
    ap.add_argument("--tlsdiag-cnf", required=True)
    ap.add_argument("--reps", type=int, default=6)
    ap.add_argument("--seconds", type=float, default=0.75,
                    help="CPU seconds each mode is timed for, per workload and repetition")
    ap.add_argument("--batch-ms", type=float, default=50, help="CPU milliseconds per batch")
    ap.add_argument("--idle", type=int, default=10000, help="idle SSL objects")
    ap.add_argument("--cg-count", type=int, default=30, help="handshakes per callgrind run")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--smoke", action="store_true", help="once, at a tiny size")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if args.smoke:
        args.reps, args.idle, args.cg_count = 1, 200, 2
    if args.reps < 1 or args.idle < 2 or args.cg_count < 1 or args.batch_ms <= 0 \
            or args.seconds <= 0:
        ap.error("sizes must be positive")
    if not shutil.which("valgrind") or not shutil.which("callgrind_annotate"):
        sys.exit("bench: valgrind (callgrind) is required; it is listed in .ci/packages")

    started = time.monotonic()
    runner = Runner(args)
    for d in (runner.out,):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    try:
        runner.keygen()
        if args.smoke:
            per_batch, rounds = {w: 3 for w in WORKLOADS}, 2
        else:
            log("bench: checking that every mode is what it claims")
            runner.check_modes()
            per_batch = runner.calibrate()
            # whole turns of the rotation, so that every mode takes every place alike
            turns = max(1, round(args.seconds * 1000 / args.batch_ms / len(MODES)))
            rounds = turns * len(MODES)
            log("bench: %d rounds of batches of %s handshakes" % (rounds, per_batch))
        runs = runner.timed(per_batch, rounds)
        if args.smoke:
            plan = [(w, m) for w in ["tls13-rsa", "fail-every"] for m in ["base", "on"]]
        else:
            plan = [(w, m) for w in SUCCESS for m in MODES] + \
                   [(w, m) for w in FAILURE for m in ["base", "on", "trace"]]
        log("bench: callgrind, %d runs of %d handshakes" % (len(plan), args.cg_count))
        cg = runner.callgrind(plan)
        text, missed = report(args, per_batch, rounds, runs, cg, time.monotonic() - started)
    except BenchError as e:
        sys.exit("bench: FAILED: %s" % e)
    with open(args.out, "w") as f:
        f.write(text)
    with open(os.path.splitext(args.out)[0] + ".json", "w") as f:
        json.dump({"per_batch": per_batch, "rounds": rounds, "runs": runs,
                   "callgrind": {"%s/%s" % k: v[0] for k, v in cg.items()}}, f, indent=1)
    print(text)
    print("bench: wrote %s" % args.out, file=sys.stderr)
    if missed and args.strict and not args.smoke:
        sys.exit(1)


if __name__ == "__main__":
    main()
