"""Run the contract server by hand: ``python -m tests.server --seed DIR``."""

from __future__ import annotations

import argparse
import logging
import sqlite3
import tempfile
import threading
from pathlib import Path

from .app import ContractServer
from .seeding import seed_directory


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.server",
        description="The course server contract on a loopback port, for demos and tests.",
    )
    parser.add_argument("--seed", type=Path, required=True, help="folder of CoursePackage JSON")
    parser.add_argument("--port", type=int, default=8765, help="port (0: any free one)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind")
    parser.add_argument("--seed-mode", action="store_true", help="serve only the seed API")
    parser.add_argument("--db", type=Path, help="SQLite file (default: a temporary one)")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO)

    if not args.seed.is_dir():
        parser.error(f"{args.seed} is not a folder")
    with tempfile.TemporaryDirectory(prefix="contract-server-") as scratch:
        db_path = args.db or Path(scratch) / "server.db"
        server = ContractServer(db_path, seed_mode=args.seed_mode, host=args.host, port=args.port)
        server.add_tenant("demo", "Demo")
        try:
            server.add_user("demo", "demo", "demo", name="Demo Learner")
        except sqlite3.IntegrityError:  # an existing --db already has the demo user
            logging.getLogger(__name__).info("user demo already exists")
        courses = seed_directory(server, args.seed, "demo")
        server.start()
        mode = "seed mode" if args.seed_mode else "full mode"
        print(f"Contract server ({mode}) at {server.url}")
        print(f"Sign in as demo / demo. Published: {', '.join(courses) or 'nothing'}")
        print("Ctrl-C stops it.")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("Stopping.")
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
