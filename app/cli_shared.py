"""What every command of the command line shares: who runs it, how JSON is printed, which plan it names."""

from __future__ import annotations

import argparse
import json
import sys

from domain.access import Identity, Role
from domain.catalog import Catalog
from service import plans
from store.db import Con, connect


def print_json(data: object) -> None:
    # Strict JSON: Infinity and NaN are refused by strict parsers, so a non-finite number is never
    # printed (allow_nan=False raises rather than print one); callers turn them into null first.
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str, allow_nan=False)
    sys.stdout.write("\n")


def operator(args: argparse.Namespace) -> Identity:
    """The command line is run by whoever can open the store file: an administrator."""
    return Identity(username=args.user, display_name=args.user, role=Role.ADMIN)


def plan_in_force(args: argparse.Namespace) -> tuple[Con, Catalog] | None:
    """The store and the catalog in force (the shipped plans and those published) when `args.plan`
    is one of its plans; None after saying on stderr which plans there are."""
    con = connect(args.db, create=False)
    catalog = plans.catalog_in_force(con)
    if args.plan not in catalog.plans:
        print(f"error: unknown plan {args.plan!r}; known: {', '.join(catalog.plans)}", file=sys.stderr)
        return None
    return con, catalog
