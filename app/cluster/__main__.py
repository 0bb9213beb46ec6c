"""`python -m app.cluster`: what `make class` runs.

    python -m app.cluster [--workers N] [--host HOST] [--port PORT]   start a class
    python -m app.cluster --compose-config                            print app/deploy/haproxy.cfg
"""

import argparse
import os
import signal
import sys

from app.cluster import proxy
from app.cluster.launcher import ClassError, ClassRoom
from app.config import get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.cluster", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="app processes (default: the number of cores)")
    parser.add_argument("--host", default="127.0.0.1", help="the proxy's address")
    parser.add_argument("--port", type=int, default=8000, help="the proxy's port")
    parser.add_argument("--log-level", default="warning", help="uvicorn's, for every process")
    parser.add_argument("--compose-config", action="store_true",
                        help="print the HAProxy config of app/deploy/compose.yaml and exit")
    args = parser.parse_args(argv)
    if args.compose_config:
        sys.stdout.write(proxy.compose_config())
        return 0
    if args.workers < 1:
        parser.error(f"--workers must be at least 1, got {args.workers}")
    haproxy = proxy.find_haproxy()
    if haproxy is None:
        print(proxy.INSTALL_HINT, file=sys.stderr)
        return 2
    room = ClassRoom(args.workers, args.host, args.port, haproxy, get_settings().data_dir,
                     args.log_level)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # HUP: the terminal closed
        signal.signal(sig, room.request_stop)
    try:
        room.start()
    except ClassError as err:
        print(f"make class: {err}", file=sys.stderr)
        return 0 if room.signalled else 1  # Ctrl-C while starting is no failure
    room.announce()
    code = room.supervise()
    room.stop()
    print("class | stopped", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
