"""``run.py classroom``: start a class session and its server (issue 15; docs/classroom.md).

Like ``run.py ui`` the server listens on 127.0.0.1 unless ``--public`` (then
0.0.0.0, and the join address uses this machine's LAN address). It prints the
join address, the class code, a QR code of the address and the teacher's
address with its token. ``add_arguments`` receives run.py's parser, so
argparse stays in the command-line module's hands.
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from app.launch import DEFAULT_PORT as APP_PORT
from app.launch import is_loopback

DEFAULT_PORT = 8766
#: Where the teacher's "open in live view" links point: ``run.py ui`` on this machine, its default port.
DEFAULT_APP_URL = f"http://127.0.0.1:{APP_PORT}/"
DEFAULT_LESSON = Path(__file__).resolve().parent.parent / "lessons" / "p3_admin_burden.yaml"


def add_arguments(parser: Any) -> None:
    """Options of ``run.py classroom``."""
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})")
    parser.add_argument("--host", default=None, help="address to bind (default 127.0.0.1; anything else needs --public)")
    parser.add_argument("--public", action="store_true", help="serve other machines (binds 0.0.0.0): students' phones on the classroom network")
    parser.add_argument("--lesson", default=str(DEFAULT_LESSON), help="lesson file (default lessons/p3_admin_burden.yaml)")
    parser.add_argument("--app-url", default=DEFAULT_APP_URL, help=f"the teaching app (run.py ui) that the teacher's 'open in live view' links open (default {DEFAULT_APP_URL}; '' for no links)")
    parser.add_argument("--workers", type=int, default=None, help="processes running the rounds (default: every core)")


def lan_address() -> str:
    """This machine's address on its network (no packet is sent), else 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            return s.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def check_app_url(url: str) -> str | None:
    """The problem with ``--app-url``, or None: an http(s) address with a host, or empty (no links)."""
    if url == "":
        return None
    parts = urlparse(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment or any(c.isspace() for c in url) or len(url) > 200:
        return f"run.py classroom: --app-url {url!r} is not the address of the teaching app (allowed: http://HOST:PORT/ as run.py ui prints it, or '' for no links)"
    return None


def main(args: Any) -> int:
    """Check the options and the lesson, then serve the class until interrupted."""
    import experiments as ex
    from classroom.lesson import LessonError, load_lesson
    from classroom.server import ClassServer, qr_text
    from classroom.session import ClassSession

    host = args.host or ("0.0.0.0" if args.public else "127.0.0.1")
    if not 0 < args.port < 65536:
        print(f"run.py classroom: --port {args.port} is not a port (allowed: 1-65535)", file=sys.stderr)
        return 2
    if not is_loopback(host) and not args.public:
        print(f"run.py classroom: --host {host} is not a loopback address (allowed: 127.0.0.1, ::1 or localhost; add --public to serve other machines)", file=sys.stderr)
        return 2
    if args.workers is not None and args.workers < 1:
        print(f"run.py classroom: --workers {args.workers} is not a whole number >= 1 (allowed: 1, 2, ...)", file=sys.stderr)
        return 2
    problem = check_app_url(args.app_url)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    try:
        lesson = load_lesson(args.lesson)
    except LessonError as exc:
        print("\n".join(exc.lines()), file=sys.stderr)
        return 2
    shown = lan_address() if host == "0.0.0.0" else host
    try:
        server = ClassServer(ClassSession(lesson, executor=ex.Local(args.workers)), host, args.port, app_url=args.app_url)
    except OSError as exc:
        print(f"run.py classroom: cannot listen on {host}:{args.port}: {exc.strerror} (allowed: a free port, e.g. --port {args.port + 1})", file=sys.stderr)
        return 2
    server.join_url = f"http://{shown}:{server.port}/"
    server.session.executor.start()  # start the worker processes now, not when the first round closes
    if not is_loopback(host):
        print(f"run.py classroom: WARNING: serving on {host}: anyone who can reach this machine on port {server.port} can join with the code.", file=sys.stderr)
    print(f"Lesson: {lesson.spec.title.en}\nStudents open: {server.join_url}\nClass code:    {server.session.code}\n{qr_text(server.join_url)}", end="")
    shipped = Path(args.lesson).resolve().parent == DEFAULT_LESSON.parent
    live = f"Live view links open: {args.app_url} (start it with: run.py ui{'' if shipped else ' --lesson ' + args.lesson})\n" if args.app_url else ""
    print(f"{live}Teacher (keep private): {server.teacher_url}\n(Ctrl+C stops the class)", flush=True)
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        server.session.executor.close()
    return 0
