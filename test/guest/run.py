"""Entry point of the guest checks: run.py TARGET BUILD [BUILD...]

Each make target of test/guest/guest.mk names one TARGET here. A target runs a list of check
modules (t_*.py) against a build directory, prints ok/FAIL per check and ends with one
"TARGET: N passed, N failed" line."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from guestlib import Build, Checks  # noqa: E402
import t_fork  # noqa: E402
import t_hostile  # noqa: E402
import t_output  # noqa: E402
import t_privilege  # noqa: E402
import t_reload  # noqa: E402
import t_repeat  # noqa: E402
import t_threads  # noqa: E402


def plan(target, build, tmp):
    if target == "check-threads":
        yield from t_threads.cases(build, tmp)
    elif target == "check-tsan":
        yield from t_threads.tsan_canary(build, tmp)
        # TSan makes each handshake about 8 times slower: fewer of them, same 8 threads.
        yield from t_threads.cases(build, tmp, per_thread=150, same_per_thread=50)
    elif target == "check-asan":
        yield from t_threads.cases(build, tmp, per_thread=100, same_per_thread=50)
        yield from t_fork.cases(build, tmp)
        yield from t_reload.cases(build, tmp)
    elif target == "check-fork":
        yield from t_fork.cases(build, tmp)
    elif target == "check-reload":
        yield from t_reload.cases(build, tmp)
    elif target == "check-repeat":
        yield from t_repeat.cases(build, tmp)
    elif target == "check-output-faults":
        yield from t_output.cases(build, tmp)
    elif target == "check-hostile":
        yield from t_hostile.cases(build, tmp)
    elif target == "check-privilege":
        yield from t_privilege.cases(build, tmp)
    else:
        raise SystemExit(f"run.py: unknown target {target}")


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: run.py TARGET BUILD")
    target, build = sys.argv[1], Build(sys.argv[2])
    checks = Checks(target)
    for name, fn, *args in plan(target, build, checks.tmp):
        checks.run(name, fn, *args)
    checks.finish()


if __name__ == "__main__":
    main()
