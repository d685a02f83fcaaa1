"""Run localstripe (a fake Stripe API) on 127.0.0.1:<port>, in memory only.

localstripe normally listens on every interface and pickles its store to
/tmp/localstripe.pickle on each write, which concurrent test runs would share;
the tests need neither.

    python tests/billing/localstripe_server.py PORT
"""

from __future__ import annotations

import socket
import sys

from aiohttp import web
from localstripe import resources, server


def main(port: int) -> None:
    resources.Store.dump_to_disk = lambda self: None
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    web.run_app(server.app, sock=sock, print=None, access_log=None)


if __name__ == "__main__":
    main(int(sys.argv[1]))
