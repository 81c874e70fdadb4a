"""`okmo hearing`: serve the dashboard with Voilà on localhost, code hidden, offline."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import webbrowser
from importlib import resources
from pathlib import Path

NOTEBOOK = "hearing.ipynb"


def jupyter_path() -> str:
    """JUPYTER_PATH with our Voilà template folder first."""
    ours = str(resources.files("okmo_models").joinpath("hearing", "jupyter"))
    return os.pathsep.join(p for p in (ours, os.environ.get("JUPYTER_PATH", "")) if p)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def voila_command(port: int) -> list[str]:
    notebook = resources.files("okmo_models").joinpath("hearing", NOTEBOOK)
    return [sys.executable, "-m", "voila", str(notebook), f"--port={port}", "--no-browser",
            "--Voila.ip=127.0.0.1", "--template=okmo", "--theme=light", "--strip_sources=True",
            "--show_tracebacks=False"]


def environment(scenario: Path, lang: str) -> dict:
    return {**os.environ, "JUPYTER_PATH": jupyter_path(), "OKMO_HEARING_SCENARIO": str(scenario),
            "OKMO_LANG": lang}


def start(scenario: Path, lang: str, port: int | None = None) -> tuple[subprocess.Popen, str]:
    """Start Voilà for ``scenario``; returns the process and its URL once it answers."""
    port = port or free_port()
    proc = subprocess.Popen(voila_command(port), env=environment(scenario.resolve(), lang),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(proc.stderr.read().decode(errors="replace")[-500:])
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc, url
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("Voilà did not start within 60 s")


def serve(scenario: Path, lang: str, port: int | None, open_browser: bool) -> int:
    proc, url = start(scenario, lang, port)
    print(url, flush=True)
    if open_browser:
        webbrowser.open(url)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        return 0
