"""The Python side of scripts/container-check (standard library only).

    container_harness.py mirror      prints "MIRROR SUITE SECURITY" (SECURITY is "-" when none) from
                                     the Debian mirror apt already uses
    container_harness.py pip-args    prints podman --build-arg pairs (one word a line) so pip inside
                                     the build reaches the package index the way this machine does
    container_harness.py e2e --image IMAGE [--python PY]
                                     runs the image against the local test servers: health, one
                                     alert delivered, non-root, clean SIGTERM stop, restart on
                                     the same volume; exit 0 pass, 1 fail

The three test servers are started as `PY -m tests.servers.<name> --port N [...]`: the argv for each
is in SERVERS below, the one place to change if their command lines change.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")

# name -> argv after `PY -m`; {port}, {dir} and {token} are filled in. The feed server reads its
# folder once, at start: the check restarts it (same port) to publish a new article.
SERVERS: dict[str, list[str]] = {
    "feeds": ["tests.servers.feeds", "--port", "{port}", "--dir", "{dir}"],
    "botapi": ["tests.servers.botapi", "--port", "{port}", "--token", "{token}"],
    "translate": ["tests.servers.translate", "--port", "{port}"],
}
TOKEN = "123456789:AAFcontainerCheckToken-0123456789abcdef"  # noqa: S105 (a fake)
CHAT_ID = 424242  # a private chat; its user is also the configured admin
FEED_FILE = "news.xml"
KEYWORD = "mercusuar"  # Indonesian "lighthouse": the check's own rule matches it
# Two different stories (Warta folds near-identical headlines into one story, alerted once).
STORIES = [
    (
        "Mercusuar baru dibuka di pelabuhan Tanjung Priok",
        f"Sebuah {KEYWORD} baru dibuka hari ini di pelabuhan Tanjung Priok, Jakarta.",
    ),
    (
        "Nelayan Lombok memperbaiki menara suar tua setelah badai",
        f"Para nelayan di Lombok Timur bergotong royong memperbaiki {KEYWORD} tua yang rusak "
        "diterjang badai pekan lalu.",
    ),
]


# --- mirror ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AptSource:
    uri: str
    suites: tuple[str, ...]


def _one_line_sources(text: str) -> Iterator[AptSource]:
    for line in text.splitlines():
        words = re.sub(r"\[[^]]*\]", " ", line.split("#", 1)[0]).split()  # drop [options]
        if len(words) >= 3 and words[0] == "deb":
            yield AptSource(uri=words[1], suites=(words[2],))


def _deb822_sources(text: str) -> Iterator[AptSource]:
    for para in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        for line in para.splitlines():
            if line.startswith("#") or ":" not in line:
                continue
            key, _, value = line.partition(":")
            fields[key.strip().lower()] = value.strip()
        if "deb" not in fields.get("types", "").split() or fields.get("enabled") == "no":
            continue
        for uri in fields.get("uris", "").split():
            yield AptSource(uri=uri, suites=tuple(fields.get("suites", "").split()))


def apt_sources(etc: Path = Path("/etc/apt")) -> list[AptSource]:
    """Every enabled `deb` source apt uses, in both formats."""
    found: list[AptSource] = []
    files = [etc / "sources.list", *sorted((etc / "sources.list.d").glob("*"))]
    for f in files:
        if f.is_file() and f.suffix in (".list", ".sources", ""):
            text = f.read_text(encoding="utf-8", errors="replace")
            found += _deb822_sources(text) if f.suffix == ".sources" else _one_line_sources(text)
    return found


def codename() -> str:
    text = Path("/etc/os-release").read_text(encoding="utf-8")
    m = re.search(r'^VERSION_CODENAME="?([a-z]+)"?', text, re.M)
    return m.group(1) if m else "bookworm"


def cmd_mirror() -> int:
    suite = codename()
    sources = apt_sources()
    main = next((s.uri for s in sources if suite in s.suites), "http://deb.debian.org/debian")
    security = next((s.uri for s in sources if f"{suite}-security" in s.suites), "-")
    print(main.rstrip("/"), suite, security.rstrip("/"))
    return 0


# --- pip settings ------------------------------------------------------------------------------


def pip_config() -> dict[str, str]:
    """pip's effective settings on this machine (config files and PIP_* variables), by name."""
    out = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True, check=False
    ).stdout
    settings: dict[str, str] = {}
    for line in out.splitlines():
        key, _, value = line.partition("=")
        name = key.rpartition(".")[2]
        if name and value:
            settings[name] = value.strip().strip("'\"")
    for var, value in os.environ.items():
        if var.startswith("PIP_") and value:
            settings[var[4:].lower().replace("_", "-")] = value
    return settings


def cmd_pip_args() -> int:
    """Index URLs reachable from a container (not file:// or local paths), hosts, timeout, CA."""
    settings = pip_config()
    args: list[str] = []
    for name in ("index-url", "extra-index-url", "trusted-host", "default-timeout"):
        value = settings.get(name, "")
        if name.endswith("url"):
            value = " ".join(u for u in value.split() if u.startswith(("http://", "https://")))
        if value:
            args += ["--build-arg", f"PIP_{name.upper().replace('-', '_')}={value}"]
    if settings.get("cert"):
        # The base image trusts the machine's extra CAs (update-ca-certificates) in this bundle.
        args += ["--build-arg", "PIP_CERT=/etc/ssl/certs/ca-certificates.crt"]
    print("\n".join(args))
    return 0


# --- end to end ---------------------------------------------------------------------------------


class CheckFailed(Exception):
    """A step of the end-to-end run failed; the message says which and why."""


def say(text: str) -> None:
    print(f"  - {text}", flush=True)


def wait_for(what: str, probe: Callable[[], T | None], timeout: float, every: float = 0.25) -> T:
    """Poll `probe` until it returns something other than None, or fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result is not None:
            return result
        if time.monotonic() > deadline:
            raise CheckFailed(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http(url: str, body: object | None = None, timeout: float = 5.0) -> tuple[int, bytes]:
    data = None if body is None else json.dumps(body).encode()
    method = "GET" if data is None else "POST"
    req = urllib.request.Request(url, data=data, method=method)  # noqa: S310 (our http URLs)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (local http)
            return int(resp.status), bytes(resp.read())
    except urllib.error.HTTPError as e:
        return int(e.code), bytes(e.read())


def podman(*args: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        ["podman", *args],  # noqa: S607 (podman from PATH, as the shell script uses it)
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    if check and proc.returncode != 0:
        raise CheckFailed(f"podman {' '.join(args[:2])} failed: {proc.stderr.strip()[-500:]}")
    return proc


def rss(items: list[dict[str, str]]) -> str:
    def item(i: dict[str, str]) -> str:
        return (
            f"<item><title>{i['title']}</title><link>{i['link']}</link>"
            f"<guid>{i['link']}</guid><pubDate>{i['date']}</pubDate>"
            f"<description>{i['summary']}</description></item>"
        )

    body = "".join(item(i) for i in items)
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        "<title>Kabar Pelabuhan</title><link>http://example.invalid/</link>"
        f"<description>Berita</description><language>id</language>{body}</channel></rss>"
    )


def article(base: str, title: str, summary: str) -> dict[str, str]:
    """A feed item with a unique link, published now."""
    now = format_datetime(datetime.now(UTC))
    return {"title": title, "summary": summary, "link": f"{base}/{uuid.uuid4().hex}", "date": now}


@dataclass(slots=True)
class Run:
    """One end-to-end run: its scratch folder, ports, container, volume and server processes."""

    image: str
    python: str
    label: str
    work: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="warta-check-")))
    ports: dict[str, int] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    name: str = field(default_factory=lambda: f"warta-check-{uuid.uuid4().hex[:8]}")
    feed_items: list[dict[str, str]] = field(default_factory=list)

    @property
    def volume(self) -> str:
        return f"{self.name}-data"

    def url(self, server: str, path: str = "") -> str:
        return f"http://127.0.0.1:{self.ports[server]}{path}"


def missing_pieces(python: str) -> list[str]:
    """What the end-to-end run needs that is not written yet (empty when all is there)."""
    missing = [f"bot/{f}" for f in ("cli.py", "app.py") if not (ROOT / "bot" / f).is_file()]
    for argv in SERVERS.values():
        proc = subprocess.run(
            [python, "-m", argv[0], "--help"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        if "--port" not in proc.stdout + proc.stderr:
            missing.append(f"{argv[0]} (no command line with --port yet)")
    return missing


def write_files(run: Run) -> None:
    """The config, a rule of the check's own, and the feed, readable by the container's user."""
    config, feeds = run.work / "config", run.work / "feeds"
    (config / "rules").mkdir(parents=True)
    feeds.mkdir()
    (config / "config.yaml").write_text(
        f"""\
telegram:
  token: ${{TELEGRAM_BOT_TOKEN}}
  api_base_url: {run.url("botapi")}
  admins: [{CHAT_ID}]
sources:
  - id: check-feed
    url: {run.url("feeds", "/" + FEED_FILE)}
    interval: 10s
    language: id
    backfill: 0
    allow_private: true
rules:
  paths: [/opt/warta/rules/, /config/rules/]
translation:
  default_language: en
  timeout: 5s
  providers:
    - type: libre
      url: {run.url("translate", "/")}
""",
        encoding="utf-8",
    )
    (config / "rules" / "check.yaml").write_text(
        f"rules:\n  - id: container-check\n    name: Container check\n    all: [{KEYWORD}]\n",
        encoding="utf-8",
    )
    old = article(run.url("feeds", "/old"), "Harga cabai naik", "Harga cabai naik di pasar.")
    run.feed_items = [old]
    write_feed(run)
    for path in [run.work, *run.work.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def write_feed(run: Run) -> None:
    target = run.work / "feeds" / FEED_FILE
    tmp = target.with_suffix(".tmp")
    tmp.write_text(rss(run.feed_items), encoding="utf-8")
    tmp.chmod(0o644)
    tmp.replace(target)


def start_server(run: Run, name: str) -> None:
    """Start one test server on its reserved port and wait until it listens."""
    args = [
        a.format(port=run.ports[name], dir=run.work / "feeds", token=TOKEN) for a in SERVERS[name]
    ]
    with (run.work / f"{name}.log").open("ab") as log:
        proc = subprocess.Popen(
            [run.python, "-m", *args], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
    run.procs[name] = proc
    wait_for(f"the {name} server to listen", functools.partial(listening, run, name, proc), 20)


def stop_server(run: Run, name: str) -> None:
    proc = run.procs.pop(name)
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def listening(run: Run, name: str, proc: subprocess.Popen[bytes]) -> bool | None:
    if proc.poll() is not None:
        raise CheckFailed(f"the {name} server exited with {proc.returncode}")
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", run.ports[name]), 1):
        return True
    return None


def start_container(run: Run) -> None:
    podman("volume", "create", "--label", run.label, run.volume)
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN}
    argv = ["podman", "run", "--detach", "--name", run.name, "--label", run.label]
    argv += ["--init", "--network=host", "--env", "TELEGRAM_BOT_TOKEN"]
    argv += ["--env", f"WARTA_HTTP_LISTEN=127.0.0.1:{run.ports['warta']}"]
    argv += ["--volume", f"{run.work / 'config'}:/config:ro", "--volume", f"{run.volume}:/data"]
    proc = subprocess.run(
        [*argv, run.image], env=env, capture_output=True, text=True, check=False, timeout=60
    )
    if proc.returncode != 0:
        raise CheckFailed(f"podman run failed: {proc.stderr.strip()[-500:]}")
    say(f"container {run.name} started (--init, --network=host, /config ro, volume /data)")


def container_state(run: Run) -> tuple[bool, int]:
    out = podman("inspect", run.name, "--format", "{{.State.Running}} {{.State.ExitCode}}").stdout
    running, code = out.split()
    return running == "true", int(code)


def healthz(run: Run) -> dict[str, Any] | None:
    try:
        status, body = http(run.url("warta", "/healthz"), timeout=2)
    except OSError:
        running, code = container_state(run)
        if not running:
            raise CheckFailed(
                f"the container exited with {code} before /healthz answered"
            ) from None
        return None
    if status != 200:
        return None
    with contextlib.suppress(ValueError):
        doc = json.loads(body)
        return doc if isinstance(doc, dict) else {"body": doc}
    return {}


def check_health(run: Run) -> None:
    started = time.monotonic()
    doc = wait_for("/healthz to answer 200", lambda: healthz(run), 60)
    say(f"/healthz 200 after {time.monotonic() - started:.1f}s: {json.dumps(doc)[:300]}")
    hc = podman("healthcheck", "run", run.name, check=False)
    if hc.returncode != 0:
        raise CheckFailed(f"the image's HEALTHCHECK failed: {(hc.stdout + hc.stderr).strip()}")
    say("the image's HEALTHCHECK (python urllib on /healthz) passes")
    status, body = http(run.url("warta", "/metrics"))
    names = sorted({m.group(1) for m in re.finditer(rb"^(warta_\w+)", body, re.M)})
    if status != 200 or not names:
        raise CheckFailed(f"/metrics answered {status} with no warta_ metric")
    say(f"/metrics 200 with {len(names)} warta_ series names")


def check_non_root(run: Run) -> None:
    uid = podman("exec", run.name, "id", "-u").stdout.strip()
    if uid == "0":
        raise CheckFailed("the container's processes run as root")
    top = podman("top", run.name, "user", "pid", "args").stdout
    warta = [line for line in top.splitlines()[1:] if "warta" in line.split(None, 2)[-1]]
    if not warta or any(line.split()[0] in ("root", "0") for line in warta):
        raise CheckFailed(f"warta's process is not running as a non-root user:\n{top}")
    say(f"runs as uid {uid}: {' | '.join(' '.join(w.split()) for w in warta)}")


def fetched_once(run: Run) -> bool | None:
    """True once /metrics counts a fetch (any warta_*fetch* sample above zero)."""
    _, body = http(run.url("warta", "/metrics"))
    for m in re.finditer(rb"^(warta_\w*fetch\w*)(?:\{[^}]*\})?\s+(\S+)$", body, re.M):
        if not m.group(1).endswith(b"_created") and float(m.group(2)) > 0:
            return True
    return None


def _values(obj: object, key: str) -> Iterator[object]:
    """Every value stored under `key` at any depth of a JSON document."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == key:
                yield v
            yield from _values(v, key)
    elif isinstance(obj, list):
        for v in obj:
            yield from _values(v, key)


def sent_to_chat(run: Run) -> list[str]:
    """Each message the Bot API server saw sent to the check's chat, as JSON text."""
    status, body = http(run.url("botapi", f"/_test/sent?chat_id={CHAT_ID}"))
    if status != 200:
        raise CheckFailed(f"GET /_test/sent answered {status}: {body[:200]!r}")
    doc = json.loads(body)
    if isinstance(doc, dict):
        doc = next((v for v in doc.values() if isinstance(v, list)), [])

    def chats(m: object) -> set[str]:
        ids = {str(v) for v in _values(m, "chat_id")}
        return ids | {str(c.get("id")) for c in _values(m, "chat") if isinstance(c, dict)}

    return [json.dumps(m, ensure_ascii=False) for m in doc if str(CHAT_ID) in chats(m)]


def send_command(run: Run, text: str) -> None:
    """Inject a private-chat message from the admin user, as Telegram would deliver it."""
    body = {"chat_id": CHAT_ID, "user_id": CHAT_ID, "text": text, "language_code": "en"}
    status, answer = http(run.url("botapi", "/_test/update"), body)
    if status >= 300:
        raise CheckFailed(f"POST /_test/update answered {status}: {answer[:200]!r}")


def check_alert(run: Run) -> str:
    """Subscribe, publish a matching article, and see its alert in the chat; returns its link."""
    if wait_for_optional(lambda: fetched_once(run), 30) is None:
        say("warning: no warta_*fetch* metric above zero after 30s; going on")
    else:
        say("the first fetch of the feed is counted in /metrics")
    before = len(sent_to_chat(run))
    send_command(run, "/subscribe all")
    wait_for("a reply to /subscribe all", lambda: len(sent_to_chat(run)) > before or None, 20)
    say("/subscribe all answered")
    link, alert = publish(run, *STORIES[0])
    say(f"alert: {alert[:400]}")
    return link


def publish(run: Run, title: str, summary: str) -> tuple[str, str]:
    """Add a matching article to the feed, ask for a fetch, wait for its alert: (link, alert)."""
    new = article(run.url("feeds", "/news"), title, summary)
    run.feed_items.insert(0, new)
    write_feed(run)
    stop_server(run, "feeds")  # it reads its folder once, at start
    start_server(run, "feeds")
    send_command(run, "/refresh check-feed")
    started = time.monotonic()

    def alert() -> str | None:
        return next((m for m in sent_to_chat(run) if new["link"] in m), None)

    found = wait_for("the alert for the new article (the poll interval is 10s)", alert, 60)
    say(f"alert delivered {time.monotonic() - started:.1f}s after the article appeared")
    return new["link"], found


def check_restart(run: Run, first_link: str) -> None:
    """Start again on the same /data: the subscription is still there, nothing is sent twice."""
    podman("start", run.name)
    started = time.monotonic()
    wait_for("/healthz after the restart", lambda: healthz(run), 60)
    say(f"restarted on the same volume; /healthz 200 after {time.monotonic() - started:.1f}s")
    second, _ = publish(run, *STORIES[1])
    say("the subscription survived the restart (a new article was alerted)")

    def drained() -> bool | None:
        doc = healthz(run) or {}
        return True if doc.get("outbox_depth", 0) == 0 else None

    wait_for("the outbox to drain (outbox_depth 0 in /healthz)", drained, 30)
    sent = sent_to_chat(run)
    for link in (first_link, second):
        count = sum(link in m for m in sent)
        if count != 1:
            raise CheckFailed(f"an article was alerted {count} times to one chat ({link})")
    say("each article alerted exactly once across the restart")


def wait_for_optional(probe: Callable[[], T | None], timeout: float) -> T | None:
    with contextlib.suppress(CheckFailed):
        return wait_for("", probe, timeout)
    return None


def check_stop(run: Run) -> None:
    """SIGTERM (podman stop -t 10): Warta must exit 0 by itself, within the 10 s."""
    started = time.monotonic()
    podman("stop", "--time", "10", run.name, timeout=40)
    took = time.monotonic() - started
    running, code = container_state(run)
    if running or code != 0 or took >= 10:
        raise CheckFailed(f"SIGTERM: exit code {code} after {took:.1f}s (want 0 within 10s)")
    say(f"SIGTERM: exit code 0 after {took:.1f}s")
    logs = container_logs(run)
    if TOKEN in logs or TOKEN.split(":")[1] in logs:
        raise CheckFailed("the bot token appears in the container's logs")
    lines = [line for line in logs.splitlines() if line.strip()]
    not_json = [line for line in lines if not _is_json(line)]
    say(f"logs: {len(lines)} lines, {len(not_json)} not JSON, the token nowhere")
    for line in not_json[:3]:
        say(f"  not JSON: {line[:160]}")


def container_logs(run: Run, *args: str) -> str:
    """The container's output, stdout and stderr interleaved as written."""
    proc = subprocess.run(
        ["podman", "logs", *args, run.name],  # noqa: S607 (podman from PATH)
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
        timeout=60,
    )
    return proc.stdout


def _is_json(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def report_failure(run: Run) -> None:
    print("---- container logs (last 40 lines) ----", flush=True)
    print(container_logs(run, "--tail", "40").replace(TOKEN, "<token>").rstrip())
    for name in SERVERS:
        log = run.work / f"{name}.log"
        text = log.read_text(errors="replace") if log.exists() else ""
        print(f"---- {name} server log (last 15 lines) ----")
        print("\n".join(text.splitlines()[-15:]))


def cleanup(run: Run) -> None:
    podman("rm", "--force", "--time", "0", run.name, check=False)
    podman("volume", "rm", "--force", run.volume, check=False)
    for name in list(run.procs):
        stop_server(run, name)
    shutil.rmtree(run.work, ignore_errors=True)


def cmd_e2e(image: str, python: str, label: str) -> int:
    missing = missing_pieces(python)
    if missing:
        print("FAIL: end to end cannot run; missing: " + "; ".join(missing), flush=True)
        return 1
    run = Run(image=image, python=python, label=label)
    try:
        run.ports = {name: free_port() for name in [*SERVERS, "warta"]}
        write_files(run)
        for name in SERVERS:
            start_server(run, name)
        say("servers: " + ", ".join(f"{n} :{p}" for n, p in run.ports.items() if n in SERVERS))
        start_container(run)
        check_health(run)
        check_non_root(run)
        first = check_alert(run)
        check_stop(run)
        check_restart(run, first)
        check_stop(run)
    except (CheckFailed, subprocess.TimeoutExpired) as e:
        print(f"FAIL: {e}", flush=True)
        report_failure(run)
        return 1
    finally:
        cleanup(run)
    print("end to end: all checks passed", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("mirror")
    sub.add_parser("pip-args")
    e2e = sub.add_parser("e2e")
    e2e.add_argument("--image", required=True)
    e2e.add_argument("--python", default=sys.executable, help="runs the test servers")
    e2e.add_argument("--label", default="warta-container-check=1", help="podman label KEY=VALUE")
    args = parser.parse_args(argv)
    if args.command == "mirror":
        return cmd_mirror()
    if args.command == "pip-args":
        return cmd_pip_args()
    return cmd_e2e(args.image, args.python, args.label)


if __name__ == "__main__":
    sys.exit(main())
