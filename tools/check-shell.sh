#!/bin/sh
# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# The shell of every recipe line inside `make check` and `make check-fast` (the Makefile sets
# .SHELLFLAGS to this script when CHECK_SKIP_LOG is set): runs the line with /bin/sh as make
# would, and when it exits 77 ("skipped": its tool is absent, not root, ...) appends a line to
# $CHECK_SKIP_LOG, so the check loop can count the target as skipped. Make itself reports every
# failing recipe as status 2, which is why the loop cannot see the 77 otherwise.
/bin/sh "$@"
status=$?
if [ "$status" -eq 77 ] && [ -n "${CHECK_SKIP_LOG:-}" ]; then
    echo "77 $*" >> "$CHECK_SKIP_LOG"
fi
exit "$status"
