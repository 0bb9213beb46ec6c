"""The many-machines files, checked by the tools that parse them (no Docker engine here):
`haproxy -c` on every HAProxy config the repo ships or generates, a YAML load and a
schema-shaped check of compose.yaml and the Kubernetes manifests, and the Dockerfile's command
run for real."""

import json
import os
import re
import signal
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from app.cluster import proxy
from app.config import ROOT
from tests.helpers import free_port, wait_until

DEPLOY = ROOT / "app" / "deploy"
KUBE = DEPLOY / "kubernetes"
API_VERSIONS = {"Deployment": "apps/v1", "StatefulSet": "apps/v1", "Service": "v1",
                "Secret": "v1", "Ingress": "networking.k8s.io/v1",
                "Kustomization": "kustomize.config.k8s.io/v1beta1"}
DNS_1123 = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
SESSION_PATHS = ["/api/sessions/3fa2b1c4d5e6f708", "/api/sessions/3fa2b1c4d5e6f708/step",
                 "/api/sessions/3fa2b1c4d5e6f708/stream", "/api/sessions/3fa2b1c4d5e6f708/fork"]
OTHER_PATHS = ["/", "/api/sessions", "/api/datasets", "/api/datasets/ab12", "/static/js/x.js"]


# ---- HAProxy ------------------------------------------------------------------------------
def haproxy_or_skip() -> str:
    path = proxy.find_haproxy()
    if path is None:
        message = ("\n\n*** HAProxy CONFIG CHECKS NOT RUN: no haproxy found. Install it with "
                   "`apt-get install -y haproxy`. ***\n")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def class_config(host: str, workers: int) -> str:
    servers = [proxy.Server(f"w{i}", f"127.0.0.1:{9000 + i}") for i in range(1, workers + 1)]
    return proxy.render(proxy.bind_address(host, 8000), servers)


@pytest.mark.parametrize("name, text", [
    ("make class on loopback, 2 workers", class_config("127.0.0.1", 2)),
    ("make class on every address, 16 workers", class_config("0.0.0.0", 16)),
    ("make class on IPv6, 1 worker", class_config("::", 1)),
    ("compose, rendered", proxy.compose_config()),
    ("compose, shipped", (DEPLOY / "haproxy.cfg").read_text()),
])
def test_haproxy_accepts_every_config(name: str, text: str, tmp_path: Path) -> None:
    haproxy = haproxy_or_skip()
    path = tmp_path / "haproxy.cfg"
    path.write_text(text)
    assert proxy.check(haproxy, path) == "", name


def test_haproxy_refuses_a_broken_config(tmp_path: Path) -> None:
    """The check above can fail: HAProxy names what it does not understand."""
    haproxy = haproxy_or_skip()
    path = tmp_path / "haproxy.cfg"
    path.write_text(class_config("127.0.0.1", 2).replace("balance hash", "balance hsah"))
    complaint = proxy.check(haproxy, path)
    assert "ALERT" in complaint and "balance" in complaint, complaint


def test_the_shipped_compose_proxy_config_is_the_template_rendered() -> None:
    """app/deploy/haproxy.cfg is generated (python -m app.cluster --compose-config): it may not
    drift from the template make class uses."""
    assert (DEPLOY / "haproxy.cfg").read_text() == proxy.compose_config()


def test_both_proxy_configs_route_sessions_by_the_hash_of_their_id() -> None:
    for text in (class_config("127.0.0.1", 2), proxy.compose_config()):
        sessions = backend(text, "sessions")
        assert "balance hash path,field(4,/)" in sessions and "hash-type consistent" in sessions
        assert "balance leastconn" in backend(text, "anyone")
        acl = re.search(r"acl session_path path_reg (\S+)", text)
        assert acl is not None
        assert all(re.match(acl.group(1), p) for p in SESSION_PATHS)
        assert not any(re.match(acl.group(1), p) for p in OTHER_PATHS)
        # field(4,/) of a session path is its id
        assert {p.split("/")[3] for p in SESSION_PATHS} == {"3fa2b1c4d5e6f708"}
        assert "timeout tunnel 1h" in text and "http-request set-header X-Forwarded-For %[src]" \
            in text


def backend(text: str, name: str) -> str:
    match = re.search(rf"^backend {name}\n(.*?)(?=^\S|\Z)", text, re.M | re.S)
    assert match is not None, name
    return match.group(1)


# ---- compose ------------------------------------------------------------------------------
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return data


def test_compose_services_have_health_checks_and_the_data_volume() -> None:
    spec = compose()
    services = spec["services"]
    assert set(services) == {"postgres", "app", "proxy"}
    for name, service in services.items():
        test = service["healthcheck"]["test"]
        assert isinstance(test, list) and test[0] in ("CMD", "CMD-SHELL") and len(test) > 1, name
    volume, _, mount = services["postgres"]["volumes"][0].partition(":")
    assert volume in spec["volumes"] and mount == "/var/lib/postgresql/data"
    for name, service in services.items():
        for other, rule in service.get("depends_on", {}).items():
            assert other in services and rule == {"condition": "service_healthy"}, name


def test_compose_app_image_store_and_proxy_fit_together() -> None:
    services = compose()["services"]
    app = services["app"]
    assert (DEPLOY / app["build"]["context"] / app["build"]["dockerfile"]).resolve() == \
        ROOT / "Dockerfile"
    env = app["environment"]
    url = re.fullmatch(r"postgresql://ll:\$\{POSTGRES_PASSWORD\}@(\w+):5432/lens",
                       env["LL_DATABASE_URL"])
    assert url is not None and url.group(1) in services
    pg = services["postgres"]["environment"]
    assert (pg["POSTGRES_USER"], pg["POSTGRES_DB"]) == ("ll", "lens")
    assert env["LL_TOKEN"].startswith("${LL_TOKEN:?")  # one token for every container
    # the proxy mounts the shipped config, whose servers are the app service on its port
    source, _, target = services["proxy"]["volumes"][0].partition(":")
    assert (DEPLOY / source).resolve() == DEPLOY / "haproxy.cfg"
    assert target.startswith("/usr/local/etc/haproxy/haproxy.cfg")
    template = re.search(r"server-template \w+ (\d+) (\w+):(\d+)", proxy.compose_config())
    assert template is not None
    assert template.group(2) == "app" and template.group(3) == env["LL_PORT"]
    assert app["deploy"]["replicas"] <= int(template.group(1))
    assert services["proxy"]["ports"][0].endswith(":8000")


# ---- Kubernetes ---------------------------------------------------------------------------
def manifests() -> dict[str, list[dict[str, Any]]]:
    """Every YAML document of app/deploy/kubernetes, by file name."""
    return {p.name: [d for d in yaml.safe_load_all(p.read_text()) if d]
            for p in sorted(KUBE.glob("*.yaml"))}


def objects(kind: str) -> list[dict[str, Any]]:
    return [d for docs in manifests().values() for d in docs if d["kind"] == kind]


def test_kubernetes_manifests_have_known_kinds_and_names() -> None:
    files = manifests()
    for name, docs in files.items():
        assert docs, name
        for d in docs:
            assert d["apiVersion"] == API_VERSIONS[d["kind"]], (name, d["kind"])
            if d["kind"] != "Kustomization":
                assert DNS_1123.fullmatch(d["metadata"]["name"]), d["metadata"]["name"]
    (kustomization,) = files["kustomization.yaml"]
    assert set(kustomization["resources"]) == set(files) - {"kustomization.yaml",
                                                            "secret.example.yaml"}
    (deployment,) = objects("Deployment")
    image = deployment["spec"]["template"]["spec"]["containers"][0]["image"]
    assert [i["name"] for i in kustomization["images"]] == [image]


def test_the_deployment_reads_the_store_and_token_from_the_secret() -> None:
    (secret,) = objects("Secret")
    (deployment,) = objects("Deployment")
    pod = deployment["spec"]["template"]
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert selector.items() <= pod["metadata"]["labels"].items()
    (container,) = pod["spec"]["containers"]
    env = {e["name"]: e for e in container["env"]}
    for var, key in (("LL_DATABASE_URL", "database-url"), ("LL_TOKEN", "token")):
        ref = env[var]["valueFrom"]["secretKeyRef"]
        assert ref == {"name": secret["metadata"]["name"], "key": key}
        assert key in secret["stringData"]
    assert env["LL_WORKER"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
    assert env["LL_HOST"]["value"] == "0.0.0.0"
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports["http"] == int(env["LL_PORT"]["value"])
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/api/health", "port": "http"}
    # the Secret's database names the PostgreSQL Service, which selects the StatefulSet
    host = re.search(r"@([\w-]+):5432/", secret["stringData"]["database-url"])
    assert host is not None
    services = {s["metadata"]["name"]: s for s in objects("Service")}
    (postgres,) = objects("StatefulSet")
    pg_selector = services[host.group(1)]["spec"]["selector"].items()
    assert pg_selector <= postgres["spec"]["template"]["metadata"]["labels"].items()


def test_the_services_select_the_app_pods_on_their_port() -> None:
    (deployment,) = objects("Deployment")
    labels = deployment["spec"]["template"]["metadata"]["labels"].items()
    port_names = {p["name"] for p in deployment["spec"]["template"]["spec"]["containers"][0]
                  ["ports"]}
    app_services = [s for s in objects("Service") if "postgres" not in s["metadata"]["name"]]
    assert len(app_services) == 2
    for s in app_services:
        assert s["spec"]["selector"].items() <= labels
        assert {p["targetPort"] for p in s["spec"]["ports"]} <= port_names


def test_the_ingress_hashes_session_paths_on_the_session_id() -> None:
    """ingress-nginx: `use-regex` makes the path an nginx regex location (`~* "^<path>"`),
    whose first capture `$1` is what upstream-hash-by hashes on: the session id."""
    services = {s["metadata"]["name"]: s for s in objects("Service")}
    routes = []
    for ingress in objects("Ingress"):
        notes = ingress["metadata"].get("annotations", {})
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                assert backend["port"]["name"] in {p["name"] for p in
                                                   services[backend["name"]]["spec"]["ports"]}
                routes.append((path, notes, backend["name"]))
    hash_by = "nginx.ingress.kubernetes.io/upstream-hash-by"
    hashed = [(p, n, s) for p, n, s in routes if hash_by in n]
    assert len(hashed) == 1
    path, notes, service = hashed[0]
    assert notes[hash_by] == "$1"
    assert notes["nginx.ingress.kubernetes.io/use-regex"] == "true"
    assert path["pathType"] == "ImplementationSpecific"
    assert int(notes["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600  # the stream
    location = re.compile("^" + path["path"], re.I)
    for p in SESSION_PATHS:
        match = location.match(p)
        assert match is not None and match.group(1) == "3fa2b1c4d5e6f708", p
    assert not any(location.match(p) for p in OTHER_PATHS)
    rest = [(p, s) for p, n, s in routes if (p, n, s) not in hashed]
    assert [(p["path"], p["pathType"]) for p, _ in rest] == [("/", "Prefix")]
    assert rest[0][1] != service  # another Service: not hashed, balanced
    assert services[rest[0][1]]["spec"]["selector"] == services[service]["spec"]["selector"]


# ---- the Dockerfile -----------------------------------------------------------------------
def test_the_dockerfile_command_names_the_container_and_takes_its_signals(
        tmp_path: Path) -> None:
    """The image's CMD, run here by sh as the container would: uvicorn replaces the shell
    (exec), so `docker stop`'s SIGTERM reaches it and it saves and exits; LL_WORKER defaults
    to the hostname (the container's id), so /api/health says which container answered."""
    cmd = next(json.loads(line[4:]) for line in (ROOT / "Dockerfile").read_text().splitlines()
               if line.startswith("CMD "))
    assert cmd[:2] == ["sh", "-c"]
    port = free_port()
    env = {**os.environ, "LL_HOST": "127.0.0.1", "LL_PORT": str(port),
           "LL_DATA_DIR": str(tmp_path), "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}"}
    env.pop("LL_WORKER", None)
    with (tmp_path / "log").open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        def up() -> bool:
            assert proc.poll() is None, (tmp_path / "log").read_text()
            try:
                return httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).is_success
            except httpx.TransportError:
                return False

        wait_until(up, 30, "the image's command serving /api/health")
        body = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=5).json()
        assert body["worker"] == os.uname().nodename
        assert body["pid"] == proc.pid  # the shell exec'd uvicorn
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal it obeyed
        assert "Application shutdown complete" in (tmp_path / "log").read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
