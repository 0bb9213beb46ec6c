"""A class: the same app as N processes behind HAProxy (`make class`, `python -m app.cluster`).

- proxy.py: HAProxy's config from haproxy.cfg.j2 (session paths by a consistent hash of the
  id, the rest to the least busy process), finding and checking HAProxy.
- launcher.py: starts the processes on loopback ports and the proxy on HOST:PORT, restarts
  a process that dies, forwards SIGINT/SIGTERM and stops everything cleanly.

The engine and the web app know nothing of this package.
"""
