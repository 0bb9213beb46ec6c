"""The reverse proxy of a class: HAProxy's config from haproxy.cfg.j2, and HAProxy itself."""

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

HERE = Path(__file__).resolve().parent
TEMPLATE = "haproxy.cfg.j2"
INSTALL_HINT = ("HAProxy is not installed. Install Debian's package as root: "
                "sudo apt-get install -y haproxy   (then run make class again)")


@dataclass(frozen=True)
class Server:
    """One app process as the proxy sees it: its name (LL_WORKER) and host:port."""

    name: str
    address: str


@dataclass(frozen=True)
class ServerTemplate:
    """Servers found by DNS (a compose service's replicas): prefix1…prefixN at one name."""

    prefix: str
    count: int
    address: str


@dataclass(frozen=True)
class Resolvers:
    name: str
    nameserver: str


def bind_address(host: str, port: int) -> str:
    """HAProxy's `bind` argument: '127.0.0.1:8000'; for '::' (every IPv6 address) ':::8000',
    which HAProxy reads by its last colon."""
    return f"{host}:{port}"


def render(bind: str, servers: list[Server] | None = None,
           server_template: ServerTemplate | None = None,
           resolvers: Resolvers | None = None, origin: str = "make class") -> str:
    """The HAProxy config for app processes `servers` (or DNS-found `server_template`)."""
    if (servers is None) == (server_template is None):
        raise ValueError("give either servers or a server_template")
    if server_template is not None and resolvers is None:
        raise ValueError("a server_template needs resolvers")
    env = Environment(loader=FileSystemLoader(HERE), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, autoescape=False)
    return env.get_template(TEMPLATE).render(
        bind=bind, servers=servers or [], server_template=server_template,
        resolvers=resolvers, origin=origin).strip() + "\n"


def find_haproxy() -> str | None:
    """The haproxy binary: on PATH, or Debian's /usr/sbin/haproxy (not on a user's PATH)."""
    found = shutil.which("haproxy")
    if found:
        return found
    debian = Path("/usr/sbin/haproxy")
    return str(debian) if debian.exists() and os.access(debian, os.X_OK) else None


def check(haproxy: str, config: Path) -> str:
    """'' when `haproxy -c` accepts the config file, else HAProxy's own complaint."""
    result = subprocess.run([haproxy, "-c", "-f", str(config)],
                            capture_output=True, text=True, timeout=30)
    if result.returncode == 0:
        return ""
    return ((result.stderr + result.stdout).strip()
            or f"haproxy -c exited with {result.returncode}")


COMPOSE_PORT = 8000
COMPOSE_SLOTS = 8  # the most app replicas the compose proxy finds (docker compose --scale)


def compose_config() -> str:
    """The config app/deploy/compose.yaml mounts: replicas of service `app` found by Docker's
    DNS (at most COMPOSE_SLOTS), the proxy on every address of its container."""
    return render(f"*:{COMPOSE_PORT}",
                  server_template=ServerTemplate("app", COMPOSE_SLOTS, f"app:{COMPOSE_PORT}"),
                  resolvers=Resolvers("docker", "127.0.0.11:53"),
                  origin="app/deploy/compose.yaml; python -m app.cluster --compose-config")
