"""A real gunicorn process on a fresh database, driven over HTTP as a newcomer would."""
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from config import PROJECT_ROOT

BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, base_url, env, process):
        self.base_url = base_url
        self.env = env
        self.process = process

    def url(self, path):
        return self.base_url + path

    def flask(self, *args, check=True):
        """Run `flask --app wsgi ...` against the server's database."""
        result = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=PROJECT_ROOT, env=self.env,
                                capture_output=True, text=True, timeout=600)
        if check:
            assert result.returncode == 0, result.stderr[-3000:]
        return result

    def admin_token(self):
        creds = json.loads(self.flask("bootstrap-admin").stdout.strip().splitlines()[-1])
        response = requests.post(self.url("/api/v1/auth/token"),
                                 data={"grant_type": "client_credentials", **creds}, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()["access_token"]


def start_server(tmp_path, database_url, workers=2):
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": database_url, "PUBLIC_BASE_URL": base_url,
           "REGISTRY_INSTANCE_DIR": str(tmp_path / "instance"), "REGISTRY_ENV": "development",
           "LOG_LEVEL": "WARNING"}
    subprocess.run([str(BIN / "alembic"), "upgrade", "head"], cwd=PROJECT_ROOT, env=env, check=True,
                   capture_output=True, timeout=120)
    log = open(tmp_path / "gunicorn.log", "w")
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "wsgi:app", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--timeout", "120"],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(base_url + "/readyz", timeout=1).status_code == 200:
                return Server(base_url, env, process)
        except requests.RequestException:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not become ready:\n" + (tmp_path / "gunicorn.log").read_text()[-3000:])


@pytest.fixture()
def server(tmp_path):
    server = start_server(tmp_path, f"sqlite:///{tmp_path / 'e2e.sqlite3'}")
    yield server
    server.process.terminate()
    server.process.wait(timeout=20)
