"""Load of a class on ``run.py classroom``: simulated students over HTTP on loopback (issue 15).

Starts the real command (a subprocess on a free 127.0.0.1 port), then N
student threads each join with the code and a team name, keep polling the
state once a second as an open page does, submit a random package within the
budget, and keep changing levers (``/api/cost``, the page's action while a
student moves a slider) while the round runs. The teacher closes the round.

Prints: join time (median and max), submit-to-leaderboard time for the round
of N packages, server memory (RSS of the server process, not its worker
processes) per connected student, and the p95 latency of a student's action
while the round runs. Bounded: at most 60 students, and the whole run stops
after ``--timeout`` seconds.

    .venv/bin/python benchmarks/bench_classroom.py                 # 40 students, the P3 lesson's default size
    .venv/bin/python benchmarks/bench_classroom.py --small         # 5 students, a tiny world (what the test runs)
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.launch import server_env  # noqa: E402
from classroom.lesson import load_lesson  # noqa: E402

LESSON = ROOT / "lessons" / "p3_admin_burden.yaml"
MAX_STUDENTS = 60


def small_lesson(folder: Path) -> Path:
    """The P3 lesson with a tiny world and an 8-week horizon."""
    text = LESSON.read_text(encoding="utf-8").replace("scenario: ../scenarios/baseline.yaml", f"scenario: {ROOT / 'scenarios' / 'baseline.yaml'}")
    text = text.replace("world.residents: 2000", "world.residents: 600").replace("world.rural_communities: 8", "world.rural_communities: 4").replace("horizon: 52", "horizon: 8")
    path = folder / "small_lesson.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def rss_kib(pid: int) -> int:
    """Resident memory of a process, KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Client:
    """One keep-alive HTTP connection (one per simulated page)."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def call(self, path: str, body: dict | None = None) -> tuple[int, dict, float]:
        """GET (no body) or POST JSON; returns (status, answer, seconds)."""
        started = time.perf_counter()
        if body is None:
            self.conn.request("GET", path)
        else:
            self.conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
        r = self.conn.getresponse()
        data = json.loads(r.read())
        return r.status, data, time.perf_counter() - started


def random_package(lesson, rng: random.Random) -> dict:
    """A random package within the budget (levers drawn until the cost fits)."""
    while True:
        package = {}
        for lv in lesson.spec.levers:
            if lv.values is not None:
                package[lv.key] = rng.choice(lv.values)
            elif lv.min is None:
                package[lv.key] = rng.random() < 0.5
            else:
                step = lv.step or (lv.max - lv.min) / 20
                value = lv.min + step * rng.randint(0, round((lv.max - lv.min) / step))
                package[lv.key] = round(value) if float(lv.min).is_integer() and float(step).is_integer() else round(value, 6)
        values = {**lesson.status_quo(), **package}
        if lesson.cost(values) <= lesson.spec.budget:
            return package


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--small", action="store_true", help="5 students on a tiny world (for the test)")
    parser.add_argument("--workers", type=int, default=None, help="processes running the round (default: every core)")
    parser.add_argument("--timeout", type=float, default=300, help="give up after this many seconds")
    args = parser.parse_args()
    students = min(5 if args.small else args.students, MAX_STUDENTS)
    tmp = Path(tempfile.mkdtemp(prefix="bench_classroom_"))
    lesson_path = small_lesson(tmp) if args.small else LESSON
    lesson = load_lesson(lesson_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, str(ROOT / "run.py"), "classroom", "--port", str(port), "--lesson", str(lesson_path)]
    if args.workers:
        cmd += ["--workers", str(args.workers)]
    server = subprocess.Popen(cmd, cwd=ROOT, env=server_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + args.timeout
    stop = threading.Event()
    try:
        printed = ""
        while "Teacher (keep private)" not in printed and server.poll() is None:
            printed += server.stdout.readline()
        code = re.search(r"Class code: +(\w{6})", printed).group(1)
        token = re.search(r"token=(\S+)", printed).group(1)
        teacher = Client(port)
        teacher.call("/api/lesson")
        rss0 = rss_kib(server.pid)
        keys: list[str] = []
        joins: list[float] = []
        lock = threading.Lock()
        action_latency: list[tuple[float, float]] = []  # (when, seconds)

        def student(i: int) -> None:
            try:
                play(i)
            except (OSError, http.client.HTTPException):
                if not stop.is_set():
                    raise

        def play(i: int) -> None:
            me, rng = Client(port), random.Random(i)
            status, data, took = me.call("/api/join", {"code": code, "team": f"team {i:02d}"})
            assert status == 200, data
            with lock:
                keys.append(data["key"])
                joins.append(took)
            me.call("/api/submit", {"key": data["key"], "package": random_package(lesson, rng)})
            next_poll = time.monotonic()
            while not stop.is_set() and time.monotonic() < deadline:
                if time.monotonic() >= next_poll:
                    me.call(f"/api/state?key={data['key']}")
                    next_poll += 1.0
                _, _, took = me.call("/api/cost", {"package": random_package(lesson, rng)})
                with lock:
                    action_latency.append((time.monotonic(), took))
                time.sleep(0.5 + rng.random() * 0.5)

        threads = [threading.Thread(target=student, args=(i,), daemon=True) for i in range(students)]
        for t in threads:
            t.start()
        while len(keys) < students and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(2.0)  # every page polling
        rss1 = rss_kib(server.pid)
        while teacher.call("/api/state")[1]["view"]["submitted"] < students and time.monotonic() < deadline:
            time.sleep(0.1)
        closed = time.monotonic()
        status, data, _ = teacher.call("/api/teacher/close", {"token": token})
        assert status == 200, data
        while time.monotonic() < deadline:
            view = teacher.call("/api/state")[1]["view"]
            if view["status"] == "done":
                break
            time.sleep(0.1)
        finished = time.monotonic()
        stop.set()
        for t in threads:
            t.join(timeout=5)
        during = sorted(s for when, s in action_latency if closed <= when <= finished)
        rows = view["board"]["rows"] if view.get("board") else []
        failed = sum(1 for r in rows if r["error"])
        p95 = during[max(0, int(0.95 * len(during)) - 1)] if during else float("nan")
        print(f"students: {students}; lesson {lesson.spec.name}: {lesson.spec.set.get('world.residents')} residents, {lesson.spec.horizon} weeks, {lesson.spec.replications} replications")
        print(f"join time: median {statistics.median(joins) * 1000:.1f} ms, max {max(joins) * 1000:.1f} ms")
        print(f"submit-to-leaderboard: {finished - closed:.1f} s for a round of {view['submitted']} packages ({len(rows) - failed} rows, {failed} failed; server's own timing {view['seconds']:.1f} s)")
        print(f"server memory: {rss0 / 1024:.1f} MiB idle, {rss1 / 1024:.1f} MiB with {students} students polling: {(rss1 - rss0) / max(students, 1):.0f} KiB per connected student")
        print(f"student action (/api/cost) while the round ran: p95 {p95 * 1000:.1f} ms, median {statistics.median(during) * 1000 if during else float('nan'):.1f} ms over {len(during)} actions")
        return 0 if view["status"] == "done" else 1
    finally:
        stop.set()
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    sys.exit(main())
