#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# check-matrix.sh [SUITE...]
# Builds and tests this tree inside Debian chroots, so the provider is exercised
# against the OpenSSL of each suite (trixie: 3.5, sid: 3.6, experimental: 4.0) and not only
# the host's. "experimental" is a sid root plus Debian experimental's libssl-dev and openssl
# (OpenSSL 4): libssl.so.4 beside sid's libssl.so.3, which its python3, curl and nginx still
# use, as on a machine in the middle of the transition.
#
# Roots are cached under $MATRIX_CACHE/<suite>/root because debootstrap plus the test
# packages costs minutes; they are refreshed with apt-get when older than
# $MATRIX_MAX_AGE seconds or when a wanted package is missing.
# Failing to reach the mirror fails the run: a matrix that silently tested nothing
# would look exactly like one that passed. MATRIX_OFFLINE=1 accepts a stale root.
#
# Settings (environment): MATRIX_SUITES, MATRIX_CACHE, MATRIX_MIRROR, MATRIX_MAX_AGE,
# MATRIX_TARGETS, MATRIX_TIMEOUT, MATRIX_OFFLINE, MATRIX_LOGDIR, MATRIX_VERBOSE.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -gt 0 ]; then suites="$*"; else suites=${MATRIX_SUITES-trixie sid experimental}; fi
cache=${MATRIX_CACHE:-/var/cache/tlsdiag-matrix}
# The Debian archive this machine's apt already uses (the first one serving its own suite),
# so the matrix needs no mirror of its own.
apt_mirror() {
    local codename
    codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
    {
        for f in /etc/apt/sources.list.d/*.sources; do
            [ -r "$f" ] || continue
            awk -v c="$codename" '
                /^URIs:/ { uri = $2 } /^Suites:/ { suites = $0 }
                /^$/ { if (uri != "" && index(suites, " " c)) print uri; uri = ""; suites = "" }
                END { if (uri != "" && index(suites, " " c)) print uri }' "$f"
        done
        if [ -r /etc/apt/sources.list ]; then
            awk -v c="$codename" '$1 == "deb" && $3 == c { print $2 }' /etc/apt/sources.list
        fi
    } | { grep -v -e security -e '^$' || true; } | head -n 1
}
mirror=${MATRIX_MIRROR:-$(apt_mirror)}
max_age=${MATRIX_MAX_AGE:-86400}
# Test targets run after `make clean all`, in this order, when the tree defines them.
targets=${MATRIX_TARGETS:-unit check-integration check-openssl-cli check-install check-transparency-smoke check-mixed-major}
# Targets that need two OpenSSL majors in one root; skipped with a note where there is one.
two_major_targets="check-mixed-major"
# Targets whose clients (python3, curl, node, ...) must run the OpenSSL the tree is built
# against; in a root where they run another major (experimental: the build is for 4, sid's
# clients are on 3) they would only show the mismatch warning, so they are reported as not run.
own_major_targets="check-integration check-install"
target_timeout=${MATRIX_TIMEOUT:-1200}
offline=${MATRIX_OFFLINE:-0}
logdir=${MATRIX_LOGDIR:-$src/build/matrix}
verbose=${MATRIX_VERBOSE:-0}

# What debootstrap installs: enough to build. Everything else goes through apt-get,
# which can tell "not in this suite" apart from a real failure; debootstrap cannot.
bootstrap_pkgs=libssl-dev,gcc,libc6-dev,make,openssl,python3,curl,pkg-config
# What the integration tests use, on top of .ci/packages.
test_pkgs="python3-pymongo python3-openssl python3-service-identity python3-requests
           curl openssl nginx-light faketime procps"

# Suites that are a base suite plus packages from another one (apt-get install -t).
base_suite() { case $1 in experimental) echo sid ;; *) echo "$1" ;; esac; }
overlay_pkgs() { case $1 in experimental) echo "libssl-dev openssl" ;; esac; }
# What the overlay must have delivered: the root's openssl must be this major.
overlay_major() { case $1 in experimental) echo 4 ;; esac; }
# The base suite's libssl-dev, unpacked (not installed) where check-mixed-major builds the
# module for the other major from it; it must match the libssl.so.3 the root runs.
other_dev=/opt/tlsdiag-other-ssl-dev

die() { echo "check-matrix: FAIL: $*" >&2; exit 1; }

[ -n "${suites// /}" ] || die "no suites selected (MATRIX_SUITES is empty)"
[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot, mount); run it as root"
command -v debootstrap >/dev/null || die "debootstrap is not installed (it is in .ci/packages)"
mkdir -p "$cache" "$logdir" || die "cannot create $cache or $logdir"
[ -n "$mirror" ] || die "no Debian archive found in this machine's apt sources; set MATRIX_MIRROR"

# Every mount point under ROOT, deepest first, read from the kernel's own table so a
# run killed halfway is cleaned up by the next one.
mounts_under() {
    awk -v root="$1" '$5 == root || index($5, root "/") == 1 { print length($5), $5 }' \
        /proc/self/mountinfo | sort -rn | cut -d' ' -f2-
}

# Test daemons (nginx, s_server) that outlived a failed test keep /proc busy.
# Only processes whose root is this chroot are touched: we started them all.
kill_chroot_procs() {
    local root=$1 pid link sig
    for sig in TERM KILL; do
        local found=0
        for link in /proc/[0-9]*/root; do
            pid=${link#/proc/}; pid=${pid%/root}
            [ "$(readlink "$link" 2>/dev/null)" = "$root" ] || continue
            kill -s "$sig" "$pid" 2>/dev/null && found=1
        done
        [ $found -eq 1 ] || return 0
        sleep 1
    done
}

unmount_all() {
    local root=$1 m
    [ -d "$root" ] || return 0
    kill_chroot_procs "$root"
    for m in $(mounts_under "$root"); do
        umount "$m" 2>/dev/null || umount -l "$m" || echo "check-matrix: cannot unmount $m" >&2
    done
}

mount_all() {
    local root=$1
    mount -t proc proc "$root/proc"
    # debootstrap made the basic device nodes; ptys and POSIX shared memory
    # (Python's multiprocessing) need their filesystems.
    mkdir -p "$root/dev/pts" "$root/dev/shm"
    mount --bind /dev/pts "$root/dev/pts"
    mount -t tmpfs -o mode=1777,size=256m tmpfs "$root/dev/shm"
}

active_root=""
on_exit() {
    local rc=$?
    [ -z "$active_root" ] || unmount_all "$active_root"
    exit $rc
}
trap on_exit EXIT
trap 'exit 130' INT TERM

in_root() {
    local root=$1; shift
    chroot "$root" /usr/bin/env -i \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive "$@"
}

# The packages a suite should have: ours plus whatever CI installs on the host (a line's
# first word: "npm unless npm" is for hosts whose nodejs carries npm; a root's never does).
wanted_packages() {
    { echo "$test_pkgs"; grep -v -E '^\s*(#|$)' "$src/.ci/packages" 2>/dev/null | awk '{ print $1 }' || true; } |
        tr -s ' \t' '\n' | grep -v '^$' | sort -u
}

age_of() { echo $(( $(date +%s) - $(stat -c %Y "$1" 2>/dev/null || echo 0) )); }

# Retried once: one dropped connection to the mirror should not fail CI,
# two in a row is the mirror being unreachable.
retry() { "$@" || { sleep 5; "$@"; }; }

bootstrap_root() {
    local suite=$1 dir=$2 log=$3 base
    base=$(base_suite "$suite")
    echo "check-matrix: $suite: debootstrap $base from $mirror (log: $log)"
    rm -rf --one-file-system "$dir/root.new"
    if ! retry debootstrap --variant=minbase --include="$bootstrap_pkgs" \
            "$base" "$dir/root.new" "$mirror" >>"$log" 2>&1; then
        tail -n 20 "$log" >&2
        rm -rf --one-file-system "$dir/root.new"
        die "$suite: debootstrap failed (mirror $mirror unreachable?); see $log"
    fi
    # Package scripts must not start services (nginx on port 80) in the host's
    # network namespace.
    printf '#!/bin/sh\nexit 101\n' > "$dir/root.new/usr/sbin/policy-rc.d"
    chmod 755 "$dir/root.new/usr/sbin/policy-rc.d"
    if [ "$base" != "$suite" ]; then
        # Known to apt but never chosen unless asked for (experimental is NotAutomatic).
        echo "deb $mirror $suite main" > "$dir/root.new/etc/apt/sources.list.d/$suite.list"
    fi
    unmount_all "$dir/root"
    rm -rf --one-file-system "$dir/root" "$dir/stamp" "$dir/unavailable"
    mv "$dir/root.new" "$dir/root"
    touch "$dir/bootstrapped"
}

# Older apt exits 0 when an index could not be fetched and keeps the old one; that
# must count as a failure here, so the output is checked too.
# Valid-Until is not checked: sid's Release expires within a week, and a frozen or
# snapshot mirror (as some CI networks provide) would otherwise fail every run.
apt_update() {
    local root=$1 log=$2 out
    out=$(in_root "$root" apt-get -o Acquire::Check-Valid-Until=false update 2>&1) || {
        echo "$out" >>"$log"; return 1; }
    echo "$out" >>"$log"
    ! echo "$out" | grep -qE '^(W|E): (Failed to fetch|Some index files failed)'
}

# Brings the (mounted) root up to date and installs what is wanted and available.
refresh_root() {
    local suite=$1 dir=$2 log=$3 fresh=$4 root=$2/root
    local wanted missing=() p age pyver
    wanted=$(wanted_packages)
    # .ci/packages names the host's CPython test suite (libpython3.11-testsuite on
    # bookworm); the suite's own python3 needs its own version of it.
    pyver=$(in_root "$root" python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    wanted=$(printf '%s\nlibpython%s-testsuite\n' "$wanted" "$pyver" | sort -u)
    for p in $wanted; do
        grep -qx "$p" "$dir/unavailable" 2>/dev/null && continue
        [ "$(in_root "$root" dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] ||
            missing+=("$p")
    done
    age=$(age_of "$dir/stamp")
    local age_text="$((age / 60)) min"
    [ -e "$dir/stamp" ] || age_text="never refreshed"
    local want_major have_major=""
    want_major=$(overlay_major "$suite")
    if [ -n "$want_major" ]; then
        have_major=$(in_root "$root" openssl version 2>/dev/null | sed -n 's/^OpenSSL \([0-9]*\)\..*/\1/p')
        [ "$have_major" = "$want_major" ] || missing+=("openssl-$want_major")
        [ -d "$root$other_dev/usr/include/openssl" ] || missing+=("$other_dev")
    fi
    if [ "$fresh" = 0 ] && [ "$age" -le "$max_age" ] && [ ${#missing[@]} -eq 0 ]; then
        echo "check-matrix: $suite: cached root refreshed $age_text ago, nothing missing"
        return 0
    fi
    if [ "$offline" = 1 ]; then
        [ ${#missing[@]} -eq 0 ] || die "$suite: MATRIX_OFFLINE=1 but packages are missing: ${missing[*]}"
        echo "check-matrix: $suite: WARNING: root not refreshed ($age_text), MATRIX_OFFLINE=1"
        return 0
    fi
    echo "check-matrix: $suite: refreshing (last: $age_text, missing: ${missing[*]:-none}; log: $log)"
    retry apt_update "$root" "$log" ||
        { tail -n 20 "$log" >&2; die "$suite: apt-get update failed (mirror unreachable?); see $log"; }
    in_root "$root" apt-get -y -o Dpkg::Options::=--force-confold dist-upgrade >>"$log" 2>&1 ||
        { tail -n 20 "$log" >&2; die "$suite: apt-get dist-upgrade failed; see $log"; }
    local install=() unavailable=() cand
    for p in $wanted; do
        cand=$(in_root "$root" apt-cache policy "$p" 2>/dev/null | sed -n 's/^ *Candidate: //p')
        if [ -n "$cand" ] && [ "$cand" != "(none)" ]; then
            install+=("$p")
        else
            unavailable+=("$p")
        fi
    done
    for p in ${unavailable[@]+"${unavailable[@]}"}; do
        echo "check-matrix: $suite: note: package $p does not exist in $suite, skipped"
    done
    printf '%s\n' ${unavailable[@]+"${unavailable[@]}"} > "$dir/unavailable"
    retry in_root "$root" apt-get install -y --no-install-recommends "${install[@]}" >>"$log" 2>&1 ||
        { tail -n 20 "$log" >&2; die "$suite: apt-get install failed; see $log"; }
    local overlay
    overlay=$(overlay_pkgs "$suite")
    if [ -n "$overlay" ]; then
        # shellcheck disable=SC2086
        retry in_root "$root" apt-get install -y --no-install-recommends -t "$suite" $overlay \
            >>"$log" 2>&1 ||
            { tail -n 20 "$log" >&2; die "$suite: apt-get install -t $suite $overlay failed; see $log"; }
        have_major=$(in_root "$root" openssl version 2>/dev/null | sed -n 's/^OpenSSL \([0-9]*\)\..*/\1/p')
        [ "$have_major" = "$want_major" ] ||
            die "$suite: wanted OpenSSL $want_major from $suite, the root has '$have_major'; see $log"
        rm -rf "$root$other_dev" "$root/tmp/other-dev"
        mkdir -p "$root/tmp/other-dev"
        retry in_root "$root" sh -c "cd /tmp/other-dev && apt-get download libssl-dev/$(base_suite "$suite")" \
            >>"$log" 2>&1 && in_root "$root" sh -c "dpkg-deb -x /tmp/other-dev/libssl-dev_*.deb $other_dev" ||
            { tail -n 20 "$log" >&2; die "$suite: cannot unpack $(base_suite "$suite")'s libssl-dev; see $log"; }
        rm -rf "$root/tmp/other-dev"
    fi
    in_root "$root" apt-get clean >>"$log" 2>&1 || true
    touch "$dir/stamp"
}

# Copies rather than bind-mounts the tree: `make clean all` writes build/ in it.
copy_tree() {
    local root=$1
    rm -rf --one-file-system "$root/srv/tlsdiag"
    mkdir -p "$root/srv/tlsdiag"
    tar -C "$src" --exclude=./build --exclude=./build-asan --exclude=./.git -cf - . |
        tar -C "$root/srv/tlsdiag" -xf -
}

fmt_secs() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# run_make ROOT LOG TARGET...: one make invocation inside the root, bounded in time.
run_make() {
    local root=$1 log=$2; shift 2
    echo "--- make $*" >>"$log"
    if [ "$verbose" = 1 ]; then
        in_root "$root" timeout "$target_timeout" make -C /srv/tlsdiag "$@" 2>&1 | tee -a "$log"
        return "${PIPESTATUS[0]}"
    fi
    in_root "$root" timeout "$target_timeout" make -C /srv/tlsdiag "$@" >>"$log" 2>&1
}

# Both libssl.so.3 and libssl.so.4 (or any two majors) in the root's library directories.
two_majors() {
    local n
    n=$(find "$1/usr/lib" "$1/lib" -maxdepth 2 -name 'libssl.so.[0-9]*' 2>/dev/null |
        sed -n 's/.*libssl\.so\.\([0-9]*\)$/\1/p' | sort -u | wc -l)
    [ "$n" -ge 2 ]
}

results=()
overall=0

run_suite() {
    local suite=$1 dir=$cache/$1 root=$cache/$1/root log=$logdir/$1.log
    local setup_log=$logdir/$1-setup.log
    local t0 fresh=0 lock_fd verdict="PASS" steps="" t rc
    t0=$(date +%s)
    : > "$log"; : > "$setup_log"
    mkdir -p "$dir"
    # Two runs sharing a cache would debootstrap or apt-get over each other.
    exec {lock_fd}>"$dir/lock"
    flock -w 1800 "$lock_fd" || die "$suite: cache $dir is locked by another run"
    unmount_all "$root"
    if [ ! -e "$dir/bootstrapped" ] || [ ! -x "$root/usr/bin/apt-get" ]; then
        [ "$offline" != 1 ] || die "$suite: MATRIX_OFFLINE=1 but there is no cached root in $dir"
        bootstrap_root "$suite" "$dir" "$setup_log"
        fresh=1
    fi
    active_root=$root
    mount_all "$root"
    refresh_root "$suite" "$dir" "$setup_log" "$fresh"
    copy_tree "$root"
    local setup_took=$(( $(date +%s) - t0 ))

    local ossl pyssl
    ossl=$(in_root "$root" openssl version 2>&1 | head -n1)
    pyssl=$(in_root "$root" python3 -c 'import ssl; print(ssl.OPENSSL_VERSION)' 2>&1 | head -n1)
    local pymajor devmajor
    pymajor=$(in_root "$root" python3 -c 'import ssl; print(ssl.OPENSSL_VERSION_INFO[0])' 2>/dev/null || true)
    devmajor=$(in_root "$root" pkg-config --modversion libcrypto 2>/dev/null | cut -d. -f1 || true)
    echo "check-matrix: $suite: root ready in $(fmt_secs "$setup_took"): $ossl; python3 ssl: $pyssl"

    if run_make "$root" "$log" clean && run_make "$root" "$log" all; then
        steps="build ok"
        for t in $targets; do
            if ! in_root "$root" make -C /srv/tlsdiag -n "$t" >/dev/null 2>&1; then
                echo "check-matrix: $suite: note: the tree has no target '$t', not run"
                steps="$steps, $t absent"
                continue
            fi
            if [[ " $two_major_targets " == *" $t "* ]] && ! two_majors "$root"; then
                echo "check-matrix: $suite: note: '$t' needs two OpenSSL majors, $suite has one; not run"
                steps="$steps, $t n/a"
                continue
            fi
            if [[ " $own_major_targets " == *" $t "* ]] && [ "$pymajor" != "$devmajor" ]; then
                echo "check-matrix: $suite: note: '$t' not run: its clients run OpenSSL $pymajor, the build is for OpenSSL $devmajor"
                steps="$steps, $t n/a (clients on OpenSSL $pymajor)"
                continue
            fi
            echo "check-matrix: $suite: make $t"
            # -k: one failing check inside a target should not hide the others.
            if run_make "$root" "$log" -k "$t"; then
                steps="$steps, $t ok"
            else
                rc=$?
                steps="$steps, $t FAILED"
                [ $rc -ne 124 ] || steps="$steps (timeout ${target_timeout}s)"
                verdict=FAIL
            fi
        done
    else
        steps="build FAILED"
        verdict=FAIL
    fi

    unmount_all "$root"
    active_root=""
    exec {lock_fd}>&-
    local took=$(( $(date +%s) - t0 ))
    if [ "$verdict" = FAIL ]; then
        overall=1
        echo "check-matrix: $suite: last lines of $log:"
        tail -n 60 "$log" | sed "s/^/  [$suite] /"
    fi
    results+=("$(printf '%-8s %-5s %s | %s | setup %s, total %s' "$suite" "$verdict" \
        "${ossl%% (Library*}" "$steps" "$(fmt_secs "$setup_took")" "$(fmt_secs "$took")")")
}

t_start=$(date +%s)
for suite in $suites; do
    run_suite "$suite"
done
echo "check-matrix summary (logs in $logdir):"
printf '  %s\n' "${results[@]}"
echo "check-matrix: total $(fmt_secs $(( $(date +%s) - t_start )))"
exit $overall
