"""The class server: the students' and the teacher's pages and a small JSON API over one `ClassSession`.

A standard-library threading HTTP server (no websockets): every screen polls
``/api/state`` about once a second and redraws only when the session's
``version`` changed, so a connected student costs one short request a second
and no server memory beyond its team. Rounds run in the session's background
thread on the experiment runners (`experiments.Local`), so page actions are
answered while a round runs.

Routes (JSON bodies; errors are ``{"error": message}`` with 400/403/404/409):

- ``GET /`` the student page; ``GET /teacher?token=T`` the teacher page (403 without the token)
- ``GET /api/lesson``; ``GET /api/state[?key=K]``; ``POST /api/join {code, team}``;
  ``POST /api/cost {package}``; ``POST /api/submit {key, package}``
- ``POST /api/teacher/{close,open,reveal,hide,rewind,step} {token, number?, step?}``;
  ``GET /api/teacher/state?token=T`` (with ``live``: each revealed package's address in the teaching app)
- ``GET /export/debrief.html?token=T``, ``GET /export/rounds.csv?token=T``,
  ``GET /export/package.yaml?token=T&team=t1`` (a team's package as a scenario file); ``GET /qr.svg``
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from classroom.debrief import debrief_csv, debrief_html
from classroom.session import ClassSession, Refused

STATIC = Path(__file__).resolve().parent / "static"
MAX_BODY = 64 * 1024


def qr_svg(text: str) -> str:
    """An SVG QR code of ``text`` (segno), or an empty string if segno is missing."""
    try:
        import segno
    except ImportError:  # pragma: no cover - segno is a dependency of the app extra
        return ""
    import io

    buf = io.BytesIO()
    segno.make(text, error="m").save(buf, kind="svg", scale=6, border=2)
    return buf.getvalue().decode()


def qr_text(text: str) -> str:
    """A QR code of ``text`` drawn with block characters for a terminal (empty if segno is missing)."""
    try:
        import segno
    except ImportError:  # pragma: no cover
        return ""
    import io

    buf = io.StringIO()
    segno.make(text, error="m").terminal(out=buf, compact=True, border=2)
    return buf.getvalue()


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a class joins at once: the default backlog of 5 made some joins wait for a TCP retry (1-2 s)


class ClassServer:
    """Serve a session on ``host:port`` in a background thread (``start``/``stop``) or in the foreground (``serve``)."""

    def __init__(self, session: ClassSession, host: str = "127.0.0.1", port: int = 8766, join_url: str | None = None, app_url: str = ""):
        self.session = session
        self.app_url = app_url  # the teaching app (run.py ui), for the teacher's "open in live view" links; "" for none
        self.httpd = _HTTPServer((host, port), _handler(self))
        self.port = self.httpd.server_address[1]
        self.join_url = join_url or f"http://{host}:{self.port}/"
        self._thread: threading.Thread | None = None

    @property
    def teacher_url(self) -> str:
        """The teacher's address (keep it private: the token guards the controls)."""
        return f"{self.join_url}teacher?token={self.session.token}"

    def start(self) -> ClassServer:
        """Serve in a background thread."""
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def serve(self) -> None:
        """Serve until interrupted."""
        self.httpd.serve_forever()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.httpd.shutdown()
        self.httpd.server_close()


def _handler(server: ClassServer) -> type[BaseHTTPRequestHandler]:
    session = server.session

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # small answers go out at once (else ~40 ms delayed-ACK stalls per request)

        def log_message(self, *args: Any) -> None:  # quiet: a class makes ~40 requests a second
            pass

        def _send(self, status: int, body: bytes, kind: str, extra: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def _json(self, data: Any, status: int = 200) -> None:
            self._send(status, json.dumps(data, ensure_ascii=False).encode(), "application/json; charset=utf-8")

        def _page(self, name: str) -> None:
            self._send(200, (STATIC / name).read_bytes(), "text/html; charset=utf-8")

        def _body(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                raise Refused("request too large")
            try:
                data = json.loads(self.rfile.read(length) or b"{}")
            except json.JSONDecodeError:
                raise Refused("the request is not JSON") from None
            if not isinstance(data, dict):
                raise Refused("the request is not a JSON object")
            return data

        def do_GET(self) -> None:
            url = urlparse(self.path)
            q = {k: v[0] for k, v in parse_qs(url.query).items()}
            try:
                if url.path == "/":
                    self._page("student.html")
                elif url.path == "/teacher":
                    session.check_token(q.get("token", ""))
                    self._page("teacher.html")
                elif url.path == "/common.js":
                    self._send(200, (STATIC / "common.js").read_bytes(), "text/javascript; charset=utf-8")
                elif url.path == "/api/lesson":
                    self._json(session.lesson.public())
                elif url.path == "/api/state":
                    self._json(session.state(q.get("key")))
                elif url.path == "/api/teacher/state":
                    token = q.get("token", "")
                    self._json({**session.teacher_state(token), "join_url": server.join_url, "live": session.live_links(token, server.app_url)})
                elif url.path == "/qr.svg":
                    self._send(200, qr_svg(server.join_url).encode(), "image/svg+xml")
                elif url.path == "/export/debrief.html":
                    session.check_token(q.get("token", ""))
                    self._send(200, debrief_html(session).encode(), "text/html; charset=utf-8", {"Content-Disposition": 'attachment; filename="debrief.html"'})
                elif url.path == "/export/package.yaml":
                    text = session.package_yaml(q.get("token", ""), q.get("team", ""))
                    self._send(200, text.encode(), "text/yaml; charset=utf-8", {"Content-Disposition": f'attachment; filename="package_{q.get("team")}.yaml"'})
                elif url.path == "/export/rounds.csv":
                    session.check_token(q.get("token", ""))
                    self._send(200, debrief_csv(session).encode(), "text/csv; charset=utf-8", {"Content-Disposition": 'attachment; filename="rounds.csv"'})
                else:
                    self._json({"error": "not found"}, 404)
            except Refused as exc:
                self._json({"error": str(exc)}, exc.status)

        def do_POST(self) -> None:
            path = urlparse(self.path).path
            try:
                body = self._body()
                if path == "/api/join":
                    team = session.join(body.get("code", ""), body.get("team", ""))
                    self._json({"key": team.key, "team": team.name})
                elif path == "/api/cost":
                    _, cost, problem = session.price(body.get("package"))
                    self._json({"cost": cost, "error": problem})
                elif path == "/api/submit":
                    self._json({"cost": session.submit(body.get("key", ""), body.get("package"))})
                elif path.startswith("/api/teacher/"):
                    self._teacher(path.removeprefix("/api/teacher/"), body)
                else:
                    self._json({"error": "not found"}, 404)
            except Refused as exc:
                self._json({"error": str(exc)}, exc.status)

        def _teacher(self, action: str, body: dict[str, Any]) -> None:
            token = body.get("token", "")
            session.check_token(token)
            if action == "close":
                session.close_round(token)
            elif action == "open":
                session.open_round(token)
            elif action in ("reveal", "hide"):
                session.reveal(token, action == "reveal")
            elif action == "rewind":
                self._json({"ok": True, "version": session.version, "note": session.rewind(token, body.get("number"))})
                return
            elif action == "step":
                session.set_step(token, body.get("step"))
            else:
                raise Refused(f"unknown teacher action {action!r} (allowed: close, open, reveal, hide, rewind, step)", 404)
            self._json({"ok": True, "version": session.version})

    return Handler
