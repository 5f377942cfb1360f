"""``prognosis serve``: the calculator page backed by ``prognosis predict``, for any model type.

    prognosis serve --model M.skops [--port 8765]

Serves on 127.0.0.1 only (never another interface: patient data must not leave the computer).
``GET /`` is the calculator page (the patient may be given in the query string, as for the
offline file); ``GET /api/predict?<canonical columns>`` returns the prediction as JSON -- S(t)
at 3, 6, 12 and 24 months with its interval where the model has one, the curve, the median,
per-item Cox contributions and the classic scores -- computed by
:func:`prognosis.report.calculator.patient_result`, the code behind ``predict --patient``.
Invalid input gives HTTP 400 with the reason; a request whose ``Host`` is not this loopback
address gets 403 (a guard against DNS rebinding by web pages open in the same browser). Python's
standard ``http.server`` is enough for
one clinician on one machine; it is not a multi-user web service.
"""
from __future__ import annotations

import argparse
import json
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

HOST = "127.0.0.1"


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("serve", help="serve the calculator page on 127.0.0.1, backed by predict (any model)",
                              description="Serve the individual-prediction page on 127.0.0.1 for any saved model.")
    p.add_argument("--model", required=True, help="model artifact written by `prognosis fit`")
    p.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765; 0 = any free port)")
    p.set_defaults(func=run)
    return p


def make_server(model, port: int = 0) -> HTTPServer:
    """An ``HTTPServer`` on 127.0.0.1 serving the page and ``/api/predict`` for ``model``."""
    from ..errors import PrognosisError
    from ..report.calculator import (
        calculator_html,
        harmonize_patient,
        page_columns,
        parse_patient,
        patient_result,
    )

    page = calculator_html(model, mode="server").encode("utf-8")
    columns = set(page_columns(model))

    class Handler(BaseHTTPRequestHandler):
        def _send(self, code: int, body: bytes, ctype: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            # DNS-rebinding guard: answer only requests addressed to this loopback server
            port = self.server.server_address[1]
            if self.headers.get("Host", "") not in (f"127.0.0.1:{port}", f"localhost:{port}"):
                return self._send(403, b'{"errors": ["forbidden host"]}', "application/json")
            url = urllib.parse.urlsplit(self.path)
            if url.path in ("/", "/index.html"):
                return self._send(200, page, "text/html; charset=utf-8")
            if url.path != "/api/predict":
                return self._send(404, b'{"errors": ["not found"]}', "application/json")
            query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
            try:
                frame = harmonize_patient(parse_patient(query, columns=columns))
                res = patient_result(model, frame)  # its warnings come back as res["notes"]
                code = 200
            except PrognosisError as exc:
                res, code = {"errors": [str(exc)]}, 400
            return self._send(code, json.dumps(res, allow_nan=False).encode(), "application/json")

        def log_message(self, fmt, *args):  # no request lines (they carry patient values) on stderr
            return

    return HTTPServer((HOST, port), Handler)


def run(args) -> int:
    from ..models import load

    model = load(args.model)
    server = make_server(model, args.port)
    print(f"serving {args.model} on http://{HOST}:{server.server_address[1]}/ (127.0.0.1 only; Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
