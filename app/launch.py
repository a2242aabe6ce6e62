"""``run.py ui``: start the teaching app (solara) in the browser.

The app listens on 127.0.0.1 unless ``--public`` is given; binding any other
address without it is refused, and with it a warning is printed. Solara's
telemetry is switched off, and its front-end files come from ``solara-assets``
so the page works with no internet. Solara and the app module are imported only
when the command runs, so building ``run.py``'s parser stays cheap.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import subprocess
import sys
from pathlib import Path

#: Default port (solara's own default).
DEFAULT_PORT = 8765
#: Environment that keeps solara from phoning home.
QUIET_ENV = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "SOLARA_TELEMETRY_SENTRY_ENABLE": "False",
    "SOLARA_ASSETS_PROXY": "True",
    # No "This website runs on Solara" banner: on a phone it covers the page's content (issue 14).
    "SOLARA_THEME_SHOW_BANNER": "False",
}
ROOT = Path(__file__).resolve().parent.parent


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``run.py ui``."""
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})")
    parser.add_argument("--host", default=None, help="address to bind (default 127.0.0.1; anything else needs --public)")
    parser.add_argument("--public", action="store_true", help="allow binding a non-loopback address (default 0.0.0.0); anyone who can reach it can use the app")
    parser.add_argument("--lesson", action="append", default=[], metavar="FILE", help="a lesson file the app can follow besides lessons/ (repeatable; opens with ?lesson=NAME)")


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def server_command(host: str, port: int) -> list[str]:
    """The solara command line that serves the app."""
    return [sys.executable, "-m", "solara", "run", "app.page", "--host", host, "--port", str(port), "--production", "--no-open", "--log-level", "warning"]


def server_env() -> dict[str, str]:
    """The environment for the server: telemetry off, the project importable."""
    env = {**os.environ, **QUIET_ENV}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    return env


def main(args: argparse.Namespace) -> int:
    """Check the address, then run the solara server until interrupted."""
    host = args.host or ("0.0.0.0" if args.public else "127.0.0.1")
    if not 0 < args.port < 65536:
        print(f"run.py ui: --port {args.port} is not a port (allowed: 1-65535)", file=sys.stderr)
        return 2
    if not is_loopback(host) and not args.public:
        print(f"run.py ui: --host {host} is not a loopback address (allowed: 127.0.0.1, ::1 or localhost; add --public to serve other machines)", file=sys.stderr)
        return 2
    if not is_loopback(host):
        print(f"run.py ui: WARNING: serving on {host}: anyone who can reach this machine on port {args.port} can use the app and its CPU; there is no login.", file=sys.stderr)
    names = []
    if args.lesson:  # validated here, so a bad file stops the command with its one-line errors (docs/classroom.md)
        from app.lessons import ENV
        from classroom.lesson import LessonError, load_lesson

        try:
            names = [load_lesson(path).spec.name for path in args.lesson]
        except LessonError as exc:
            print("\n".join(exc.lines()), file=sys.stderr)
            return 2
        os.environ[ENV] = os.pathsep.join(str(Path(p).resolve()) for p in args.lesson)
    try:
        import solara  # noqa: F401
        import solara_assets  # noqa: F401
    except ImportError as exc:
        print(f"run.py ui: the app needs solara and solara-assets ({exc.name} is missing): pip install -e '.[app]'", file=sys.stderr)
        return 2
    shown = f"[{host}]" if ":" in host else host
    print(f"Teaching app: http://{shown}:{args.port}/  (Ctrl+C stops it)", flush=True)
    for name in names:
        print(f"Lesson {name}: http://{shown}:{args.port}/?lesson={name}", flush=True)
    process = subprocess.Popen(server_command(host, args.port), env=server_env(), cwd=ROOT)
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        process.wait(timeout=10)
        return 0
