"""Shared pieces of the HTTP benchmarks: databases, gunicorn processes and wrk runs."""
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SHARED_DATA = ROOT.parent / "shared" / "data"
RESULTS = ROOT / "bench" / "results"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def require_wrk():
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed for the HTTP benchmarks: apt-get install -y wrk")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def postgres_schema(base_url=None):
    """A private schema on PostgreSQL for one benchmark run, dropped afterwards. Yields its URL."""
    base_url = base_url or os.environ.get("TEST_DATABASE_URL", DEFAULT_PG)
    schema = f"bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(base_url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        separator = "&" if "?" in base_url else "?"
        yield f"{base_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def migrate(database_url):
    env = {**os.environ, "DATABASE_URL": database_url}
    subprocess.run([str(BIN / "alembic"), "upgrade", "heads"], cwd=ROOT, env=env, check=True, capture_output=True)


def server_env(database_url, instance_dir, base_url):
    return {**os.environ, "DATABASE_URL": database_url, "REGISTRY_INSTANCE_DIR": str(instance_dir),
            "PUBLIC_BASE_URL": base_url, "LOG_LEVEL": "WARNING", "REGISTRY_ENV": "development"}


@contextmanager
def gunicorn(app_spec, env, workers=2, ready_path="/healthz", chdir=ROOT):
    """Serve `app_spec` with gunicorn sync workers on a free loopback port; yields the base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(RESULTS / f"gunicorn-{port}.log", "w")
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), app_spec, "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--worker-class", "sync", "--log-level", "warning", "--timeout", "120"],
        cwd=chdir, env={**env, "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", base)}, stdout=log,
        stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(base + ready_path, timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn {app_spec} did not start; see {log.name}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def _ms(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(url, seconds=10, connections=32, threads=2, script=None):
    """Run wrk against `url`; return requests/s, p50 and p99 in ms, and error counts."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"\s50%\s+(\S+)", output).group(1))
    p99 = _ms(re.search(r"\s99%\s+(\S+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "non_2xx": int(errors.group(1)) if errors else 0,
            "socket_errors": socket_errors.group(1) if socket_errors else "", "raw": output}


def median_of(runs, key):
    return statistics.median(run[key] for run in runs)


def write_lua_paths(path, paths):
    """A wrk script that cycles through `paths` (each a URL path with query)."""
    quoted = ",\n  ".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in paths)
    Path(path).write_text(
        "local paths = {\n  " + quoted + "\n}\nlocal i = 0\n"
        "request = function()\n  i = (i % #paths) + 1\n  return wrk.format('GET', paths[i])\nend\n")
    return path
