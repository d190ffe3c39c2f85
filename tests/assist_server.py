"""A real OpenAI-compatible chat-completions server on 127.0.0.1 for the assistant tests.

``server.reply`` is a function of the request body returning (status, payload); ``delay``
makes it slow. ``server.requests`` are the bodies received, ``server.calls`` each request's
path, headers and body. Import the ``assist_server`` fixture into a test module to use it.
"""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


def chat_answer(content, refusal=None):
    message = {"role": "assistant", "content": content}
    if refusal is not None:
        message["refusal"] = refusal
    return {"id": "x", "object": "chat.completion",
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}


def json_answer(obj):
    return 200, chat_answer(json.dumps(obj, ensure_ascii=False))


class ChatServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client that gave up (the timeout test) is expected; keep the log quiet."""


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        self.server.requests.append(body)
        self.server.calls.append({"path": self.path, "headers": dict(self.headers),
                                  "body": body})
        if self.server.delay:
            time.sleep(self.server.delay)
        status, payload = self.server.reply(body)
        data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def assist_server(settings):
    server = ChatServer(("127.0.0.1", 0), _Handler)
    server.requests, server.calls, server.delay = [], [], 0.0
    server.reply = lambda body: (500, {"error": "no reply set"})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.ASSIST_BASE_URL = f"http://127.0.0.1:{server.server_address[1]}/v1"
    settings.ASSIST_API_KEY = "sk-test"
    settings.ASSIST_MODEL = "tiny-model"
    settings.ASSIST_TIMEOUT = 1.0
    yield server
    server.shutdown()
    server.server_close()


def system_prompt(body):
    return body["messages"][0]["content"]


def user_data(body):
    return json.loads(body["messages"][1]["content"])
