"""`okmo hearing`: serve the dashboard with Voilà on localhost, code hidden, offline.

Voilà (:mod:`okmo_models.hearing.voila_app`) runs in a session of its own, so stopping it is
our job: SIGINT or SIGTERM to `okmo hearing`, or :meth:`HearingServer.terminate`, asks Voilà to
shut its kernels down and then kills whatever is left. One kernel is kept heated (the notebook
already run) so a page opens without waiting for Python; a page's kernel goes when the page
closes (Voilà's unload beacon), or, if the page vanished without saying so, after
``cull_idle_timeout`` seconds idle. A connected page is never culled.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import webbrowser
from importlib import resources
from pathlib import Path

from okmo_models.errors import Refusal

NOTEBOOK = "hearing.ipynb"
# s without messages and without a page: the kernel of a page that vanished without saying so
# goes within a minute. A page still loading must connect within this time: five tabs opened
# at once on a loaded 2-core machine took up to 30 s.
CULL_IDLE_TIMEOUT = 50
CULL_INTERVAL = 10  # s between checks
POOL_SIZE = 1  # kernels heated in advance: one spare at most
STOP_TIMEOUT = 20  # s Voilà gets to shut its kernels down before they are killed


def jupyter_path() -> str:
    """JUPYTER_PATH with our Voilà template folder first."""
    ours = str(resources.files("okmo_models").joinpath("hearing", "jupyter"))
    return os.pathsep.join(p for p in (ours, os.environ.get("JUPYTER_PATH", "")) if p)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check_port(port: int) -> None:
    """Refuse a port another program listens on: Voilà would fail on it, after we had printed
    the other program's address."""
    with socket.socket() as s:
        if os.name == "posix":  # as Tornado binds: a port left in TIME_WAIT is free
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            raise Refusal("hearing_port_busy", port=port) from None


def voila_command(port: int, *, cull_idle_timeout: int = CULL_IDLE_TIMEOUT,
                  cull_interval: int = CULL_INTERVAL, pool_size: int = POOL_SIZE) -> list[str]:
    notebook = resources.files("okmo_models").joinpath("hearing", NOTEBOOK)
    return [sys.executable, "-m", "okmo_models.hearing.voila_app", str(notebook), f"--port={port}",
            "--Voila.port_retries=0",  # the URL we print is this port's, or nothing
            "--no-browser", "--Voila.ip=127.0.0.1", "--template=okmo", "--theme=light",
            "--strip_sources=True", "--show_tracebacks=False",
            "--VoilaConfiguration.allow_template_override=NO",
            "--VoilaConfiguration.allow_theme_override=NO",
            # preheated kernels run the notebook in the server's environment, which names the
            # file and the language (OKMO_HEARING_SCENARIO, OKMO_LANG)
            f"--preheat_kernel={pool_size > 0}", f"--pool_size={pool_size}",
            f"--MappingKernelManager.cull_idle_timeout={cull_idle_timeout}",
            f"--MappingKernelManager.cull_interval={cull_interval}",
            "--MappingKernelManager.cull_connected=False"]


def environment(scenario: Path, lang: str) -> dict:
    # JUPYTER_WIDGETS_ECHO=0: a kernel serves one page, so echoing every change back to the
    # page that made it (for other views of the same widget) is a message per change for
    # nobody; the page applies the kernel's own updates all the same
    return {**os.environ, "JUPYTER_PATH": jupyter_path(), "OKMO_HEARING_SCENARIO": str(scenario),
            "OKMO_LANG": lang, "JUPYTER_WIDGETS_ECHO": "0"}


def _die_with_parent():  # pragma: no cover - runs in the child between fork and exec
    # Linux: Voilà gets SIGTERM (and stops its kernels) even if we are killed outright
    _prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


if sys.platform.startswith("linux"):
    import ctypes

    _prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before fork, not in the child


class HearingServer(subprocess.Popen):
    """The Voilà process serving a hearing; :meth:`terminate` stops it and every kernel."""

    url = ""
    stderr_file = None  # Voilà's log (a temporary file)

    def kernels(self) -> list:
        """The processes Voilà started (its kernels), as psutil processes."""
        try:
            import psutil  # ipykernel's dependency
        except ImportError:  # Voilà's own shutdown is all there is
            return []
        try:
            return psutil.Process(self.pid).children(recursive=True)
        except psutil.Error:  # gone
            return []

    def terminate(self, timeout: float = STOP_TIMEOUT) -> None:
        """Voilà shuts its kernels down on SIGTERM; what is still running after ``timeout``
        (Voilà hung, a kernel not answering) is killed."""
        left = self.kernels()  # kernels live in sessions of their own: listed before Voilà goes
        if self.poll() is None:
            self.send_signal(signal.SIGTERM)
            try:
                self.wait(timeout)
            except subprocess.TimeoutExpired:
                if os.name == "posix":
                    os.killpg(self.pid, signal.SIGKILL)
                else:
                    self.kill()
                self.wait()
        for process in left:
            with contextlib.suppress(Exception):  # already gone, as it should be
                process.kill()
        if self.stderr_file is not None:
            self.stderr_file.close()
            self.stderr_file = None

    def wait_ready(self, port: int, timeout: float = 60) -> str:
        """The URL once Voilà accepts connections; RuntimeError with its last words if it
        stopped, or after ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.poll() is not None:
                raise RuntimeError(self.log_tail())
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    self.url = f"http://127.0.0.1:{port}/"
                    return self.url
            except OSError:
                time.sleep(0.1)
        self.terminate()
        raise RuntimeError(f"Voilà did not start within {timeout:.0f} s")

    def log_tail(self, size: int = 2000) -> str:
        if self.stderr_file is None:
            return ""
        self.stderr_file.seek(0)
        return self.stderr_file.read().decode(errors="replace")[-size:]


def launch(scenario: Path, lang: str, port: int, **options) -> HearingServer:
    """Start Voilà for ``scenario`` without waiting for it; ``options`` go to
    :func:`voila_command` (``cull_idle_timeout``, ``cull_interval``, ``pool_size``)."""
    # a file, not a pipe: nobody reads Voilà's log, and a full pipe would stop the server
    log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the server
    kwargs = {"start_new_session": True} if os.name == "posix" else {
        "creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    if sys.platform.startswith("linux"):
        kwargs["preexec_fn"] = _die_with_parent
    server = HearingServer(voila_command(port, **options), env=environment(scenario.resolve(), lang),
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log, **kwargs)
    server.stderr_file = log
    return server


def start(scenario: Path, lang: str, port: int | None = None, **options) -> tuple[HearingServer, str]:
    """Start Voilà for ``scenario``; returns the process and its URL once it answers.

    ``options`` go to :func:`voila_command`; tests pass short culling times (e.g.
    ``cull_idle_timeout=20, cull_interval=1``) to see closed pages' kernels go. The server's
    ``terminate()`` stops Voilà and every kernel it started."""
    port = port or free_port()
    server = launch(scenario, lang, port, **options)
    try:
        return server, server.wait_ready(port)
    except BaseException:
        server.terminate()
        raise


def _stop_signal(signum, frame):
    raise KeyboardInterrupt  # SIGTERM stops the hearing as Ctrl+C does


def serve(scenario: Path, lang: str, port: int | None, open_browser: bool, check=None) -> int:
    """Serve until Voilà exits or we get SIGINT/SIGTERM, then stop Voilà and its kernels.

    ``check`` (no arguments) runs while Voilà starts; if it raises, the server is stopped and
    the error goes on."""
    if port:
        check_port(port)
    port = port or free_port()
    previous = signal.signal(signal.SIGTERM, _stop_signal), signal.getsignal(signal.SIGINT)
    server = launch(scenario, lang, port)
    try:
        if check is not None:
            check()
        url = server.wait_ready(port)
        print(url, flush=True)
        if open_browser:
            webbrowser.open(url)
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        # a second Ctrl+C must not leave kernels behind
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        server.terminate()
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGINT, previous[1])
