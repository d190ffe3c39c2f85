"""What the sources tests share: a real local HTTP server on 127.0.0.1."""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Served:
    """Paths → (status, headers, body); change ``files`` between requests."""

    def __init__(self):
        self.files = {}
        self.hits = []

    def handler(self):
        served = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                served.hits.append(self.path)
                status, headers, body = served.files.get(self.path, (404, {}, b"not found"))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture
def http_server():
    served = Served()
    server = ThreadingHTTPServer(("127.0.0.1", 0), served.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    served.base = f"http://127.0.0.1:{server.server_address[1]}"
    served.port = server.server_address[1]
    yield served
    server.shutdown()
    server.server_close()
