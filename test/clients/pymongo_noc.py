#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""PyMongo without its C extensions: test/clients/pymongo_client.py (same arguments), after
proving that the PyMongo imported (the copy a case's setup: put first on PYTHONPATH, its *.so
files removed) is the pure-Python one: pymongo.has_c() is False, else exit 3."""
import runpy
import sys
from pathlib import Path

import pymongo

if pymongo.has_c():
    print("pymongo_noc: %s has its C extensions" % pymongo.__file__, file=sys.stderr)
    sys.exit(3)
sys.argv[0] = str(Path(__file__).with_name("pymongo_client.py"))
runpy.run_path(sys.argv[0], run_name="__main__")
