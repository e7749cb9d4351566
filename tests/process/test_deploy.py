"""The deployment files in deploy/ as an operator uses them: the systemd unit restarts the bot by its exit codes,
`crampbot telegram-serve` runs the bot directly, the nginx example forwards only the webhook, the compose file
starts the bot after a healthy PostgreSQL, and the Dockerfile's own steps, read from it and run in a clean
folder (no Docker here), build the wheel, install it with the locked requirements and start a bot that answers
and is healthy."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from bot.cli import EXIT_CONTENT, EXIT_DATABASE, EXIT_USAGE
from bot.process.supervisor import EXIT_UNREACHABLE
from bot.telegram_shell.webhook import MAX_BODY
from tests.support.telegram_harness import SHORT_WAITS_ENV, TOKEN, child_pids, free_port, kill, start_process
from tests.support.telegram_user import TelegramUser

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SECRET = "deploy-Secret_7"


def unit_settings(text: str) -> dict[str, list[str]]:
    """A systemd unit's settings, each key with all its values in order, over every section."""
    settings: dict[str, list[str]] = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def test_the_systemd_unit_restarts_the_bot_unless_a_setting_or_the_content_is_wrong():
    unit = unit_settings((DEPLOY / "crampbot.service").read_text(encoding="utf-8"))
    assert unit["Restart"] == ["on-failure"]
    assert {int(code) for code in unit["RestartPreventExitStatus"][0].split()} == {EXIT_USAGE, EXIT_CONTENT} == {2, 3}
    assert EXIT_DATABASE not in {EXIT_USAGE, EXIT_CONTENT} and EXIT_UNREACHABLE not in {EXIT_USAGE, EXIT_CONTENT}
    assert shlex.split(unit["ExecStart"][0])[1:] == ["telegram-serve"], "the bot itself, not its supervisor"
    assert "CRAMPBOT_DATA_DIR=/var/lib/" + unit["StateDirectory"][0] in unit["Environment"]
    for key, value in {"DynamicUser": "yes", "NoNewPrivileges": "yes", "ProtectSystem": "strict",
                       "ProtectHome": "yes", "PrivateTmp": "yes", "CapabilityBoundingSet": ""}.items():
        assert unit[key] == [value], key


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_finds_nothing_wrong_with_the_unit(tmp_path):
    text = (DEPLOY / "crampbot.service").read_text(encoding="utf-8")
    program = shlex.split(unit_settings(text)["ExecStart"][0])[0]
    crampbot = Path(sys.executable).with_name("crampbot")  # the unit's program, where it is installed here
    unit = tmp_path / "crampbot.service"
    unit.write_text(text.replace(program, str(crampbot)), encoding="utf-8")
    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout + result.stderr == "", result.stdout + result.stderr


def test_telegram_serve_runs_the_bot_directly_and_stops_cleanly_on_sigterm(standin, tmp_path):
    process = start_process(standin, tmp_path / "data", args=("telegram-serve",))
    try:
        standin.wait_for(lambda: standin.polling or process.poll() is not None, timeout=30)
        assert process.poll() is None, process.stderr.read()
        assert child_pids(process, b"telegram-serve") == [], "no supervisor: this process is the bot"
        user = TelegramUser(standin, 601)
        user.send("/start")
        standin.wait_for(lambda: user.messages, timeout=20)
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0
    finally:
        kill(process)


def nginx_locations(text: str) -> dict[str, str]:
    """The body of each `location` block of the HTTPS server, by its match (`= /path`, `/`)."""
    https = text[text.index("listen 443"):]
    blocks = {}
    for found in re.finditer(r"^\s*location\s+([^{]+)\{", https, re.MULTILINE):
        depth, end = 1, found.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(https[end], 0)
            end += 1
        blocks[found.group(1).strip()] = https[found.end():end - 1]
    return blocks


def test_the_nginx_example_forwards_only_the_webhook_path_and_health():
    text = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    webhook = re.search(r"TELEGRAM_WEBHOOK_URL=https://[^/\s]+(/\S+)", text).group(1)
    locations = nginx_locations(text)
    forwarded = {match for match, body in locations.items() if "proxy_pass http://crampbot;" in body}
    assert forwarded == {f"= {webhook}", "= /healthz"}
    assert "return 404" in locations["/"]
    assert "deny all" in locations["= /healthz"], "health is not for the whole internet"
    upstream = re.search(r"upstream crampbot \{(.*?)\}", text, re.DOTALL).group(1)
    assert len(re.findall(r"^\s*server 127\.0\.0\.1:\d+", upstream, re.MULTILINE)) >= 2, "several instances"
    assert re.search(r"listen 443 ssl;", text) and "ssl_certificate " in text
    assert f"client_max_body_size {MAX_BODY // (1024 * 1024)}m;" in text, "the bot's own body limit"


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_accepts_the_example(tmp_path):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=bot.example.org", "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
                   check=True, capture_output=True, timeout=60)
    site = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    site = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {tmp_path / 'cert.pem'};", site)
    site = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {tmp_path / 'key.pem'};", site)
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
                                         f"http {{ access_log off; include {tmp_path}/site.conf; }}\n")
    result = subprocess.run(["nginx", "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_compose_starts_the_bot_after_a_healthy_postgresql_with_its_data_in_volumes():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    bot, db = compose["services"]["bot"], compose["services"]["db"]
    assert (DEPLOY / bot["build"]["context"] / bot["build"]["dockerfile"]).resolve() == DEPLOY / "Dockerfile"
    assert (DEPLOY / bot["env_file"]).resolve() == ROOT / ".env"
    assert bot["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert bot["environment"]["CRAMPBOT_DATABASE_URL"].startswith("postgresql://") and "@db:5432/" in \
        bot["environment"]["CRAMPBOT_DATABASE_URL"]
    assert db["image"] == "postgres:15" and "pg_isready" in " ".join(db["healthcheck"]["test"])
    volumes = {volume.split(":")[0]: volume.split(":")[1] for volume in bot["volumes"] + db["volumes"]}
    assert set(volumes) == set(compose["volumes"])
    assert volumes[next(v for v in volumes if volumes[v].startswith("/var/lib/postgresql"))] == \
        "/var/lib/postgresql/data"
    assert dockerfile_env()["CRAMPBOT_DATA_DIR"] in volumes.values(), "the bot's data folder is a volume"


# -- The Dockerfile, step by step ---------------------------------------------------------------------------

def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of each Dockerfile line, continuation lines joined, comments left out."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    found = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def dockerfile_env() -> dict[str, str]:
    """Every ENV the Dockerfile's last stage sets."""
    env: dict[str, str] = {}
    for word, rest in instructions((DEPLOY / "Dockerfile").read_text(encoding="utf-8")):
        if word == "FROM":
            env = {}
        elif word == "ENV":
            env.update(pair.split("=", 1) for pair in shlex.split(rest))
    return env


SYSTEM_COMMANDS = ("useradd",)  # a RUN that would change this machine, not a folder: only checked, never run


@dataclass
class Stage:
    """One FROM ... stage, played in its own folder standing for the image's file system, with its own fresh
    virtualenv standing for the image's Python."""

    root: Path
    workdir: str = "/"
    env: dict[str, str] = field(default_factory=dict)
    user: str = "root"

    def path(self, where: str) -> Path:
        """A path inside the image, in this stage's folder (relative ones from the WORKDIR)."""
        return self.root / os.path.join(self.workdir, where).lstrip("/")

    def environment(self) -> dict[str, str]:
        """The environment a RUN or the entrypoint gets: the image's ENV (paths moved into the folder) over a
        bare one with the stage's Python first; never this checkout's PYTHONPATH."""
        base = {key: value for key, value in os.environ.items() if key.startswith(("PIP_", "LANG", "LC_", "HOME"))
                and key != "PIP_NO_CACHE_DIR"}  # pip's cache only makes the test faster; the image keeps none
        moved = {key: str(self.root / value.lstrip("/")) if value.startswith("/") else value
                 for key, value in self.env.items() if key != "PIP_NO_CACHE_DIR"}
        return {**base, "PATH": f"{self.root / 'venv' / 'bin'}:/usr/bin:/bin", **moved}


@dataclass
class Image:
    """What running the Dockerfile's steps left: the last stage, its entrypoint, healthcheck, ports, and the
    RUN commands that were only checked."""

    stage: Stage
    entrypoint: list[str]
    healthcheck: list[str]
    exposed: list[str]
    skipped: list[str]


def copy_into(sources: list[Path], target: Path) -> None:
    """Docker's COPY: a folder's contents, or files, into `target` (a folder when it ends in / or when there
    are several sources)."""
    for source in sources:
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            destination = target / source.name if str(target).endswith("/") or target.is_dir() or len(sources) > 1 \
                else target
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)


def build(dockerfile: Path, context: Path, folder: Path) -> Image:
    """Run each step of the Dockerfile in `folder`: FROM makes a stage (a folder and a fresh virtualenv),
    WORKDIR, COPY, ENV, USER as Docker does, RUN with sh -c in the WORKDIR."""
    stages: dict[str, Stage] = {}
    stage: Stage | None = None
    entrypoint: list[str] = []
    healthcheck: list[str] = []
    exposed: list[str] = []
    skipped: list[str] = []
    for word, rest in instructions(dockerfile.read_text(encoding="utf-8")):
        if word == "FROM":
            image, *alias = rest.split()
            assert image.startswith("python:3.11"), "the image's Python is the one the bot is tested on"
            stage = Stage(folder / f"stage{len(stages)}")
            stages[alias[-1] if alias else str(len(stages))] = stage
            subprocess.run([sys.executable, "-m", "venv", str(stage.root / "venv")], check=True, timeout=120)
            continue
        assert stage is not None, f"{word} before FROM"
        if word == "WORKDIR":
            stage.workdir = os.path.join(stage.workdir, rest)
            stage.path(".").mkdir(parents=True, exist_ok=True)
        elif word == "ENV":
            stage.env.update(pair.split("=", 1) for pair in shlex.split(rest))
        elif word == "COPY":
            *flags_and_sources, target = shlex.split(rest)
            source_root = context
            sources = []
            for item in flags_and_sources:
                if item.startswith("--from="):
                    source_root = stages[item.removeprefix("--from=")].root
                elif not item.startswith("--"):
                    sources.append(source_root / item.lstrip("/"))
            assert all(source.exists() for source in sources), sources
            destination = stage.path(target)
            copy_into(sources, Path(f"{destination}/") if target.endswith("/") else destination)
        elif word == "RUN":
            if rest.split()[0] in SYSTEM_COMMANDS:
                skipped.append(rest)
                continue
            result = subprocess.run(["sh", "-c", rest], cwd=stage.path("."), env=stage.environment(),
                                    capture_output=True, text=True, timeout=300)
            assert result.returncode == 0, f"RUN {rest}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        elif word == "USER":
            stage.user = rest
        elif word == "ENTRYPOINT":
            entrypoint = json.loads(rest)
        elif word == "HEALTHCHECK":
            healthcheck = json.loads(rest.split(" CMD ", 1)[1])
        elif word == "EXPOSE":
            exposed = rest.split()
        else:
            assert word in ("VOLUME", "LABEL", "ARG"), f"the test does not know how to run {word}"
    assert stage is not None
    return Image(stage, entrypoint, healthcheck, exposed, skipped)


def webhook_update(update_id: int, chat_id: int, text: str) -> dict:
    """What Telegram posts when a user in a private chat writes `text`."""
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 1_800_000_000, "text": text,
        "chat": {"id": chat_id, "type": "private", "first_name": "Dock"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "Dock"},
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}] if text.startswith("/") else []}}


def test_the_dockerfile_steps_build_install_and_start_a_healthy_bot_in_a_clean_folder(standin, tmp_path):
    """Needs /healthz (the health endpoint of the HTTP server added with /readyz and /metrics) for its last part."""
    image = build(DEPLOY / "Dockerfile", ROOT, tmp_path)
    stage = image.stage
    assert [command.split()[0] for command in image.skipped] == ["useradd"]
    assert re.search(rf"\s{re.escape(stage.user)}$", image.skipped[0]), "USER is the user the image makes"
    assert stage.user != "root"
    installed = subprocess.run(["python", "-c", "import bot; print(bot.__file__)"], env=stage.environment(),
                               cwd=stage.path("."), capture_output=True, text=True, timeout=60, check=True)
    assert installed.stdout.startswith(str(stage.root / "venv")), "the wheel is installed, not this checkout used"
    assert stage.env["TELEGRAM_WEBHOOK_PORT"] in image.exposed

    port, http_port = free_port(), free_port()
    url = f"http://127.0.0.1:{port}/bots/crampbot"
    env = {**stage.environment(), **SHORT_WAITS_ENV,  # what `docker run -e ...` would add
           "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": standin.base_url, "TELEGRAM_WEBHOOK_URL": url,
           "TELEGRAM_WEBHOOK_SECRET": SECRET, "TELEGRAM_WEBHOOK_PORT": str(port),
           "TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1", "CRAMPBOT_HTTP_PORT": str(http_port)}
    Path(env["CRAMPBOT_DATA_DIR"]).mkdir(parents=True, exist_ok=True)  # the user's home, made by useradd
    command = [shutil.which(image.entrypoint[0], path=env["PATH"]) or image.entrypoint[0], *image.entrypoint[1:]]
    process = subprocess.Popen(command, env=env, cwd=stage.path("."), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    healthy: subprocess.CompletedProcess | None = None
    try:
        standin.wait_for(lambda: standin.webhook.get("url") == url or process.poll() is not None, timeout=40)
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                status = standin.post_update_to(url, webhook_update(70_001, 7001, "/start"), secret=SECRET)
                break
            except OSError:
                time.sleep(0.1)
        assert status == 200
        standin.wait_for(lambda: standin.calls("sendMessage", chat_id=7001), timeout=20)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            healthy = subprocess.run(image.healthcheck, env=env, cwd=stage.path("."), capture_output=True,
                                     text=True, timeout=30)
            if healthy.returncode == 0:
                break
            time.sleep(0.5)
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0, "docker stop: the bot finishes and exits 0"
    finally:
        kill(process)
    assert healthy is not None
    assert healthy.returncode == 0, f"HEALTHCHECK failed: {(healthy.stderr.strip().splitlines() or [''])[-1]}"
