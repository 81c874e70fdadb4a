"""The Voilà server behind `okmo hearing`: it stops with every kernel, answers only this
computer's names, gives closed pages' kernels back and keeps the shown ones.

Kernels are counted as the server's ipykernel child processes. Waits are bounded, never
asserted as timings.
"""

from __future__ import annotations

import base64
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import psutil
import pytest
from conftest import SCENARIOS, browser, chromium_path

from okmo_models.hearing.serve import CULL_IDLE_TIMEOUT, free_port, start

SCENARIO = SCENARIOS / "teploklyuchenka/waste.yaml"
BILL = '[data-okmo="bill"]'


def alive(processes) -> list:
    left = []
    for p in processes:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                left.append(p)
        except psutil.Error:
            pass
    return left


def kernels(processes) -> list:
    found = []
    for p in alive(processes):
        try:
            if "ipykernel_launcher" in " ".join(p.cmdline()):
                found.append(p)
        except psutil.Error:
            pass
    return found


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return condition()


def gone(processes, timeout: float = 30) -> list:
    """The processes still running after a bounded wait for them to end."""
    wait_until(lambda: not alive(processes), timeout)
    return alive(processes)


def stop(server) -> None:
    """Stop the server as the tests' fixtures do, and check nothing of it is left."""
    started = server.kernels()
    server.terminate()
    assert server.poll() is not None and gone(started) == []


def wait_idle(process, timeout: float = 180) -> bool:
    """Wait until ``process`` has stopped using the processor (a kernel done heating)."""
    def idle():
        before = sum(process.cpu_times()[:2])
        time.sleep(1)
        return sum(process.cpu_times()[:2]) - before < 0.02
    return wait_until(idle, timeout)


def request(port: int, path: str, **headers) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path, headers={"Host": f"127.0.0.1:{port}", **headers})
        response = connection.getresponse()
        return response.status, (response.read() if response.status != 101 else b"")
    finally:
        connection.close()


# --- stopping -----------------------------------------------------------------------------------

STOPS = [signal.SIGTERM, signal.SIGINT]
if sys.platform.startswith("linux"):
    STOPS.append(signal.SIGKILL)  # Voilà is told by the kernel (PR_SET_PDEATHSIG)


@pytest.mark.parametrize("signum", STOPS, ids=lambda s: signal.Signals(s).name)
def test_stopping_okmo_hearing_stops_voila_and_every_kernel(signum):
    port = free_port()
    cli = subprocess.Popen([sys.executable, "-m", "okmo_models.cli", "hearing", str(SCENARIO), "--no-browser",
                            "--port", str(port), "--lang", "ru"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    children = []
    try:
        assert cli.stdout.readline().strip() == f"http://127.0.0.1:{port}/"
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=120).read()  # a page's kernel
        children = psutil.Process(cli.pid).children(recursive=True)
        assert kernels(children), "a page was served: its kernel runs"
        cli.send_signal(signum)
        cli.wait(timeout=60)
        assert gone(children) == [], "Voilà or a kernel outlived `okmo hearing`"
    finally:
        for p in alive([*children]) + ([psutil.Process(cli.pid)] if cli.poll() is None else []):
            p.kill()


def test_a_port_in_use_is_refused_in_the_users_language():
    with socket.socket() as other:  # another program listening on the port asked for
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        run = subprocess.run([sys.executable, "-m", "okmo_models.cli", "hearing", str(SCENARIO), "--no-browser",
                              "--port", str(port), "--lang", "ky"], capture_output=True, text=True, timeout=120,
                             check=False)
    assert run.returncode == 2 and run.stdout == ""  # no address printed: it is not ours
    assert f"{port} порту бош эмес" in run.stderr


def test_a_server_that_never_started_a_page_stops_cleanly():
    server, _ = start(SCENARIO, "ru")
    wait_until(lambda: kernels(server.kernels()), 120)  # the heated kernel
    stop(server)


# --- what the server answers ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def served():
    server, url = start(SCENARIO, "ru")
    yield server, int(url.rsplit(":", 1)[1].strip("/"))
    stop(server)


def test_only_this_computers_names_are_served(served):
    _, port = served
    page_status, page = request(port, "/")
    assert page_status == 200
    style = re.search(r'/voila/templates/okmo/static/[^"?]+', page.decode()).group(0)
    assert request(port, style)[0] == 200
    # DNS rebinding: a foreign name that resolves to 127.0.0.1 gets neither page nor files
    for path in ("/", style, "/voila/static/voila.js"):
        assert request(port, path, Host="evil.example")[0] == 403, path
        assert request(port, path, Host=f"evil.example:{port}")[0] == 403, path
    assert request(port, style, Host=f"localhost:{port}")[0] == 200
    # a page of another site may not talk to a kernel
    kernel = re.search(r'"kernelId": "([0-9a-f-]+)"', page.decode()).group(1)
    handshake = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
                 "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode()}
    channels = f"/api/kernels/{kernel}/channels"
    assert request(port, channels, Origin="http://evil.example", **handshake)[0] == 403
    assert request(port, channels, Origin=f"http://127.0.0.1:{port}", **handshake)[0] == 101


@pytest.mark.parametrize("path", ["/voila/templates/okmo/index.html.j2", "/voila/templates/okmo/conf.json",
                                  "/voila/templates/okmo", "/voila/templates/okmo/static/../index.html.j2",
                                  "/voila/templates/okmo/static/none.css"])
def test_template_files_outside_static_are_not_found(served, path):
    assert request(served[1], path)[0] in (403, 404)  # Voilà answered 500


def test_a_chatty_server_does_not_stall(served):
    # every miss is logged; a log nobody reads must not fill up and stop the server
    port = served[1]
    for _ in range(150):
        assert request(port, "/voila/templates/okmo/static/" + "x" * 2000 + ".css")[0] == 404


# --- pages and their kernels --------------------------------------------------------------------


def launch_browser(playwright, outside: list, block: bool = True):
    """Chromium with every request outside 127.0.0.1 recorded in ``outside`` and, if ``block``,
    refused. Playwright's routing (even of other URLs) loses the beacon a leaving page sends,
    so a test of that beacon only records."""
    b = playwright.chromium.launch(executable_path=chromium_path(),
                                   args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                         "--disable-component-update", "--disable-sync"])
    context = b.new_context(viewport={"width": 1366, "height": 768})

    def foreign(url: str) -> bool:
        host = re.match(r"^[a-z]+://([^/:]+)", url)
        return not url.startswith(("data:", "blob:", "about:")) and not (host and host.group(1) == "127.0.0.1")

    def guard(route):
        if foreign(route.request.url):
            outside.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    if block:
        context.route("**/*", guard)
    else:
        context.on("request", lambda r: outside.append(r.url) if foreign(r.url) else None)
    return b, context


def change_works(page) -> bool:
    before = page.locator(BILL).inner_text()
    page.locator(".noUi-handle").first.focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(f"() => document.querySelector('{BILL}').innerText !== {before!r}", timeout=30_000)
    return page.locator(BILL).inner_text() != before


@browser
def test_a_heated_kernel_shows_the_file_and_language_of_okmo_hearing():
    """The kernel heated before any page runs the notebook in the server's environment: the
    file and language `okmo hearing` was given (a budget in Kyrgyz here, not the default)."""
    from playwright.sync_api import sync_playwright

    from okmo_models.i18n import t

    server, url = start(SCENARIOS / "alamudun/budget.yaml", "ky")
    outside = []
    try:
        with sync_playwright() as p:
            b, context = launch_browser(p, outside)
            page = context.new_page()
            page.goto(url, timeout=120_000)
            page.locator(".noUi-handle").first.wait_for(timeout=120_000)
            text = page.locator("body").inner_text()
            b.close()
        assert "Using pre-heated kernel" in server.log_tail(100_000)
    finally:
        stop(server)
    labels = ("bh_population", "bh_inflation", "bh_custom")  # the budget dashboard's
    assert any(t(key, "ky").split("{")[0].strip() in text for key in labels)
    assert not any(t(key, "ru").split("{")[0].strip() in text for key in labels)
    assert outside == []


@browser
def test_a_page_left_gives_its_kernel_back_at_once():
    """Voilà's unload beacon shuts the page's kernel down, long before the idle culler would."""
    from playwright.sync_api import sync_playwright

    server, url = start(SCENARIO, "ru")
    outside = []
    try:
        assert wait_until(lambda: len(kernels(server.kernels())) == 1, 120), "the heated kernel"
        with sync_playwright() as p:
            b, context = launch_browser(p, outside, block=False)
            page = context.new_page()
            page.goto(url, timeout=120_000)
            page.locator(BILL).wait_for(timeout=120_000)
            assert wait_until(lambda: len(kernels(server.kernels())) == 2, 120)  # the page's and a new spare
            page.goto("about:blank")  # leaving the page, as a reload or a closed tab does
            assert wait_until(lambda: len(kernels(server.kernels())) == 1, CULL_IDLE_TIMEOUT / 2), server.log_tail(4000)
            b.close()
    finally:
        stop(server)
    assert outside == []


@browser
def test_closed_pages_release_their_kernels_and_a_shown_page_keeps_its(tmp_path):
    from playwright.sync_api import sync_playwright

    cull = 20  # s: short for the test (the default suits a hall), long enough for a loaded machine
    server, url = start(SCENARIO, "ru", cull_idle_timeout=cull, cull_interval=1)
    outside = []
    try:
        assert wait_until(lambda: len(kernels(server.kernels())) == 1, 120), "the heated kernel"
        assert wait_idle(kernels(server.kernels())[0])
        time.sleep(cull + 2)  # it has now been idle longer than the cull timeout
        with sync_playwright() as p:
            b, context = launch_browser(p, outside)
            # the page shown in the hall, slow to connect (its script held back): it must get
            # the heated kernel and keep it
            hall = context.new_page()
            hall.route("**/voila/static/voila.js", lambda route: (time.sleep(3), route.continue_()))
            hall.goto(url, timeout=120_000)
            hall.locator(BILL).wait_for(timeout=120_000)
            for _ in range(3):  # five pages opened and closed, three times
                pages = []
                for _ in range(5):  # in turn: five at once may connect later than the cull time
                    page = context.new_page()
                    with page.expect_websocket(timeout=180_000):
                        page.goto(url, timeout=180_000)
                    page.locator(BILL).wait_for(timeout=180_000)
                    pages.append(page)
                for page in pages:
                    page.close()  # no unload beacon: the culler must find them
            # the hall page's kernel and at most one spare
            assert wait_until(lambda: len(kernels(server.kernels())) <= 2, 120), len(kernels(server.kernels()))
            time.sleep(cull + 2)  # the hall page, idle but shown, outlives the cull timeout
            assert change_works(hall)
            b.close()
    finally:
        stop(server)
    assert outside == []
