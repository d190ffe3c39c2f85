"""A spreadsheet URL for tests and benches: a real HTTP server on 127.0.0.1 serving one CSV.

Used by the sources tests, the browser test of sources and ``bench/sources_bench.py``.
``CsvServer(body, hold_first=True)`` keeps its first answer until ``gate`` is set (a fetch
in flight when a worker is killed); ``hits`` are the paths asked for.
"""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class CsvServer:
    def __init__(self, body: bytes, *, path="/sheet.csv", hold_first=False):
        self.body, self.hits, self.gate = body, [], threading.Event()
        served = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                served.hits.append(self.path)
                if hold_first and len(served.hits) == 1:
                    served.gate.wait(60)
                self.send_response(200)
                self.send_header("Content-Type", "text/csv; charset=utf-8")
                self.send_header("Content-Length", str(len(served.body)))
                self.end_headers()
                self.wfile.write(served.body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def close(self):
        self.gate.set()
        self.server.shutdown()
        self.server.server_close()
