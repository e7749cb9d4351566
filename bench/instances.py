"""Webhook mode with one and several instances: `make bench-instances` (or .venv/bin/python bench/instances.py).
Not part of the test suite; docs/benchmarks.md explains each row.

Each set-up gets the same load: USERS simulated users on the Bot API stand-in, each asking QUESTIONS questions
and waiting for each answer, the stand-in POSTing up to 40 updates at once (Telegram's default
max_connections), always through the same small round-robin proxy (tests/support/round_robin.py):
  * 1 instance on SQLite, 1 instance on PostgreSQL, 3 instances on one PostgreSQL database:
    updates a second, reply p50 and p99, CPU per update (all instances together);
  * taking over: 3 instances on PostgreSQL, TAKEOVER_USERS users each in a timed hold and with a relief
    check-in (a reminder kept in the database) due some seconds later; one instance is killed with SIGKILL:
    how long until the survivors run the countdowns it ran (their log lines), and how late the check-ins due
    after the kill arrive. Every countdown must end once and every check-in come once.
PostgreSQL is a throw-away server started here (fsync on, synchronous_commit off, like the SQLite file's
synchronous=NORMAL). Prints a table and writes bench/results/instances.md and instances.json."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import TOKEN, Table, closed_loop, cpu_seconds, load_average, questions_of, write_results  # noqa: E402
from bot.matching.evaluation import load_labelled  # noqa: E402
from tests.support.botapi_standin import BotApiStandIn  # noqa: E402
from tests.support.postgres import PostgresServer, server_binaries  # noqa: E402
from tests.support.round_robin import RoundRobinProxy  # noqa: E402
from tests.support.telegram_harness import content_with_short_timers, free_port  # noqa: E402
from tests.support.telegram_user import TelegramUser  # noqa: E402

USERS, QUESTIONS, ROUNDS = 40, 20, 3
TAKEOVER_USERS, HOLD_SECONDS, CHECK_IN_SECONDS, KILL_AFTER = 30, 10, 16, 3.0  # the check-in after the hold
SECRET = "bench-instances-secret"


@contextmanager
def instances(standin: BotApiStandIn, folder: Path, count: int, database_url: str | None,
              content: Path | None = None, log_level: str = "WARNING"):
    """`count` webhook instances behind the proxy, yielding (processes, proxy); all killed afterwards."""
    ports = [free_port() for _ in range(count)]
    processes: list[subprocess.Popen] = []
    with RoundRobinProxy(ports) as proxy:
        try:
            for n, port in enumerate(ports):
                data = folder / f"instance{n}"
                data.mkdir(parents=True)
                env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": standin.base_url,
                       "CRAMPBOT_DATA_DIR": str(data), "CRAMPBOT_LOG_LEVEL": log_level, "CRAMPBOT_LOG_FORMAT": "json",
                       "TELEGRAM_RATE_LIMIT": "off", "TELEGRAM_WEBHOOK_SECRET": SECRET,
                       "TELEGRAM_WEBHOOK_PORT": str(port), "CRAMPBOT_OUTBOX_RETRY_SECONDS": "1"}
                env.pop("CRAMPBOT_DATABASE_URL", None)
                env.pop("CRAMPBOT_CONTENT_DIR", None)
                if database_url:
                    env["CRAMPBOT_DATABASE_URL"] = database_url
                if content:
                    env["CRAMPBOT_CONTENT_DIR"] = str(content)
                with (data / "stderr").open("wb") as stderr:
                    processes.append(subprocess.Popen(
                        [sys.executable, "-m", "bot", "telegram-serve", "--parent", str(os.getpid()), "--webhook",
                         f"http://127.0.0.1:{proxy.port}/hook"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                        stderr=stderr))
            for process, port in zip(processes, ports, strict=True):
                standin.wait_for(lambda p=process, q=port: listening(q) or p.poll() is not None, timeout=60)
                if process.poll() is not None:
                    raise SystemExit(f"an instance failed to start: {(folder / 'instance0' / 'stderr').read_text()}")
            yield processes, proxy
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
                    process.wait(10)


def listening(port: int) -> bool:
    """True when something accepts connections on 127.0.0.1:port."""
    import socket

    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def throughput(processes: list[subprocess.Popen], standin: BotApiStandIn, questions: list[str], first: int) -> dict:
    """The median of ROUNDS closed-loop runs, with the CPU per update of all instances together."""
    closed_loop(standin, first, 5, 4, questions)  # warm-up: imports, caches, connections
    runs = []
    for n in range(ROUNDS):
        before = sum(cpu_seconds(p.pid) for p in processes)
        result = closed_loop(standin, first + 1000 * (n + 1), USERS, QUESTIONS, questions)
        result["cpu_ms"] = (sum(cpu_seconds(p.pid) for p in processes) - before) / max(1, result["replies"]) * 1000
        runs.append(result)
    return sorted(runs, key=lambda r: r["rate"])[len(runs) // 2]


def bench_throughput(table: Table, server: PostgresServer, tmp: Path, questions: list[str]) -> None:
    """The three set-ups under the same load."""
    setups = {"1 instance, SQLite": (1, False), "1 instance, PostgreSQL": (1, True),
              "3 instances, PostgreSQL": (3, True)}
    for n, (name, (count, postgres)) in enumerate(setups.items()):
        url = server.url(server.create_database()) if postgres else None
        with BotApiStandIn(privacy_mode=False, webhook_connections=40) as standin, \
                instances(standin, tmp / f"throughput{n}", count, url) as (processes, _):
            result = throughput(processes, standin, questions, 100_000 * (n + 1))
        key = name.replace(", ", "_").replace(" ", "_").lower()
        table.add(f"{name}: updates a second / reply p50 / p99 / CPU per update",
                  f"{result['rate']:.0f} / {result['p50']:.1f} ms / {result['p99']:.1f} ms / {result['cpu_ms']:.2f} ms",
                  **{f"{key}_updates_per_s": result["rate"], f"{key}_p50_ms": result["p50"],
                     f"{key}_p99_ms": result["p99"], f"{key}_cpu_ms": result["cpu_ms"]})
        table.add(f"{name}: replies lost", str(result["lost"]), "0", result["lost"] == 0,
                  **{f"{key}_lost": result["lost"]})


def bench_takeover(table: Table, server: PostgresServer, tmp: Path) -> None:
    """Kill one of three instances while every user is in a timed hold with a check-in due."""
    content = content_with_short_timers(tmp / "takeover-content", HOLD_SECONDS, CHECK_IN_SECONDS)
    url = server.url(server.create_database())
    with ExitStack() as stack:
        standin = stack.enter_context(BotApiStandIn(privacy_mode=False, webhook_connections=40))
        processes, _ = stack.enter_context(instances(standin, tmp / "takeover", 3, url, content, "INFO"))
        users = [TelegramUser(standin, 900_000 + n) for n in range(TAKEOVER_USERS)]
        started: dict[int, float] = {}
        arrived: dict[int, float] = {}

        def start(user: TelegramUser) -> None:
            started[user.chat_id] = time.time()
            user.send("/cramp")
            user.press("Start")

        threads = [threading.Thread(target=start, args=(u,)) for u in users]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        time.sleep(KILL_AFTER)
        killed_at = time.time()
        processes[1].kill()
        processes[1].wait(10)
        deadline = time.monotonic() + HOLD_SECONDS + 30
        while time.monotonic() < deadline and len(arrived) < len(users):
            for user in users:
                if user.chat_id not in arrived and any("It's been about 10 minutes" in (m.text or "")
                                                        for m in user.messages):
                    arrived[user.chat_id] = time.time()
            time.sleep(0.02)
        standin.wait_for(lambda: all(any("let go slowly" in (m.text or "") for m in u.messages) for u in users),
                         timeout=HOLD_SECONDS + 30)
        time.sleep(2)
        ended = [sum("let go slowly" in (m.text or "") for m in u.messages) for u in users]
        check_ins = [sum("It's been about 10 minutes" in (m.text or "") for m in u.messages) for u in users]
        for process in processes:
            if process.poll() is None:
                process.terminate()
                process.wait(20)
    taken = []
    for n in (0, 2):
        for line in (tmp / "takeover" / f"instance{n}" / "stderr").read_text(errors="replace").splitlines():
            if "took over a countdown" in line:
                taken.append(datetime.fromisoformat(json.loads(line)["time"].replace("Z", "+00:00")).timestamp())
    late = [arrived[chat] - (started[chat] + CHECK_IN_SECONDS) for chat in arrived]
    slowest = max(taken) - killed_at if taken else float("nan")
    table.add(f"takeover: countdowns of the killed instance run again (of {TAKEOVER_USERS}), the last after",
              f"{len(taken)}, {slowest:.2f} s", "< 3 s", bool(taken) and slowest < 3.0,
              countdowns_taken_over=len(taken), takeover_s=slowest)
    table.add("takeover: relief check-ins due after the kill, lateness p50 / max",
              f"{statistics.median(late):.2f} / {max(late):.2f} s", "max < 3 s", max(late) < 3.0,
              check_in_late_p50_s=statistics.median(late), check_in_late_max_s=max(late))
    once = ended.count(1) == len(users) and check_ins.count(1) == len(users)
    table.add("takeover: every countdown ended once, every check-in came once", "yes" if once else
              f"no: ends {sorted(set(ended))}, check-ins {sorted(set(check_ins))}", "yes", once)


def main() -> int:
    """Run everything, print the table, write the results files; exit 1 if a target is missed."""
    binaries = server_binaries()
    if binaries is None:
        raise SystemExit("PostgreSQL's server binaries are needed: apt-get install postgresql")
    questions = questions_of(load_labelled(ROOT / "tests" / "data" / "labelled.yaml"))
    table = Table()
    load_before, started = load_average(), time.strftime("%Y-%m-%d %H:%M")
    tmp = Path(tempfile.mkdtemp(prefix="crampbot-bench-instances-"))
    server = PostgresServer(binaries, speed_over_safety=False)
    try:
        server.start()
        bench_throughput(table, server, tmp, questions)
        bench_takeover(table, server, tmp)
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return write_results(table, "CrampBot webhook instances benchmark", "instances", started, load_before)


if __name__ == "__main__":
    if sys.argv[1:]:
        print(__doc__)
        raise SystemExit(0 if sys.argv[1:] in (["-h"], ["--help"]) else 2)
    raise SystemExit(main())
