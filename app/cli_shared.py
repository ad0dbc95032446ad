"""What every command of the command line shares: who runs it, and how JSON is printed."""

from __future__ import annotations

import argparse
import json
import sys

from domain.access import Identity, Role


def print_json(data: object) -> None:
    # Strict JSON: Infinity and NaN are refused by strict parsers, so a non-finite number is never
    # printed (allow_nan=False raises rather than print one); callers turn them into null first.
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str, allow_nan=False)
    sys.stdout.write("\n")


def operator(args: argparse.Namespace) -> Identity:
    """The command line is run by whoever can open the store file: an administrator."""
    return Identity(username=args.user, display_name=args.user, role=Role.ADMIN)
