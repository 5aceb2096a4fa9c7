"""`make bench`: load the site under gunicorn on 127.0.0.1 and compare each page with a static file.

Production settings (DEBUG off, 2 gunicorn workers, deploy/gunicorn.conf.py) and wrk (Debian) at
16 connections for a bounded time per row, in two shapes:

* SQLite and the per-process memory cache: the embedded default (a throwaway SQLite file);
* PostgreSQL and Redis: the production shape docs/deploy.md recommends, on throwaway servers that
  .ci/services.sh starts on 127.0.0.1 (BENCH_DATABASE_URL / REDIS_URL use servers of your own
  instead; BENCH_PRODUCTION=0, or no PostgreSQL installed, measures the first shape alone).

Each shape has content/ imported. Rows: /healthz; a static file exactly as large as the article
page, served by whitenoise in the same gunicorn; home; a typical article; search (a repeated
query, and unique queries that no cache can answer); the help page at unique addresses (it reads
no database: what any page costs that no cache holds, the floor under a new search); a repeated
/connect/service request; the Spanish home and a Spanish article. Each row's requests/s is given as a ratio to
the static file's of the same shape, measured in the same run, rounds interleaved across rows and
shapes. Both tables, side by side, and the verdicts go to stdout and to docs/benchmarks.md.

BENCH_ARTICLES=10000 adds the scale check: it generates that many content files into a temp dir,
imports them into each shape (time and peak RSS reported) and measures again.

Only 127.0.0.1 is ever loaded; every wrk run stops by itself after BENCH_SECONDS.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
LUA = ROOT / "bench" / "report.lua"
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
WARMUP_SECONDS = 2
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WORKERS = 2
ARTICLES = int(os.environ.get("BENCH_ARTICLES", "0") or 0)
SEARCH_QUERY = os.environ.get("BENCH_SEARCH_QUERY", "seizure")
STATIC_NAME = "bench/article-size.html"
TARGETS = {"article": (0.90, 2.0), "home": (0.80, None), "search": (0.25, None), "connect": (1.0, None)}
# A health record's infobutton asking the web service about recurrent depression (docs/connect.md).
CONNECT_PATH = "/connect/service?mainSearchCriteria.v.cs=2.16.840.1.113883.6.90&mainSearchCriteria.v.c=F33.1"
# Issue 20: the production shape as fast as the embedded default.
PRODUCTION_TARGETS = {
    "article": (1.0, 2.0),
    "home": (1.0, 2.0),
    "search (repeated query)": (1.0, 2.0),
    "search (unique queries)": (0.25, None),
}
PRODUCTION_SCALE_P95_MS = 50  # new-query search at 10,000 pages
# Issue 12: reading the published record keeps the embedded default faster than the static file.
PUBLISHED_RECORD_TARGETS = dict.fromkeys(("article", "home", "search (repeated query)"), (1.1, None))
SQLITE, PRODUCTION = "SQLite, memory cache", "PostgreSQL + Redis"
UNCACHED = "help page (unique addresses)"
FLOOR_NOTE = (
    f"The {UNCACHED} row is a page that reads no database, rendered afresh for every request: what any "
    "page costs that no cache holds. A new search renders a page too, and asks the database besides."
)
SERVICES = ROOT / ".ci" / "services.sh"
ONE_BOX = (
    " (PostgreSQL and Redis as throwaway servers sharing the cores with gunicorn and wrk, as on a one-box install)."
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)  # noqa: T201 (a command-line tool)


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    log("wrk is missing: installing it from Debian (apt-get install -y wrk)")
    apt = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*apt, "apt-get", "update", "-qq"], check=True)
    subprocess.run([*apt, "apt-get", "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or "/usr/bin/wrk"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict, *args: str, measure: bool = False) -> tuple[float, int]:
    """Run manage.py; return (seconds, peak RSS in MiB of that process)."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        _, status, usage = os.wait4(process.pid, 0)  # wait4: the peak RSS of this process alone
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode(errors="replace")
    if process.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed ({process.returncode}):\n{output}")
    if measure:
        log(output.strip())
    return time.monotonic() - started, usage.ru_maxrss // 1024


def page_facts(env: dict) -> dict:
    """Ask Django (not the server) which article is typical, what to search for, and the page sizes."""
    code = f"""
import json, statistics
from django.test import Client
from django.urls import Resolver404, resolve
from articles.models import Article
c = Client()
sizes = {{}}
english = Article.objects.published().filter(language="en", slug__regex=r"^[a-z-]+$")
for a in english:
    sizes[a.get_absolute_url()] = len(c.get(a.get_absolute_url()).content)
median = statistics.median_low(sizes.values())
article = sorted(u for u, s in sizes.items() if s == median)[0]
try:
    resolve("/search/")
    search = "/search/?q={SEARCH_QUERY}"
except Resolver404:
    search = None
# The Spanish edition of the typical article (its slug is the English page's), else what-to-expect.
slug = article.rstrip("/").rsplit("/", 1)[-1]
spanish = (Article.objects.published().filter(language="es", slug=slug).first()
           or Article.objects.published().filter(language="es", slug="what-to-expect").first())
spanish_article = spanish.get_absolute_url() if spanish else None
print(json.dumps({{"article": article, "article_bytes": sizes[article], "home_bytes": len(c.get("/").content),
                  "search": search, "published": Article.objects.published().filter(language="en").count(),
                  "spanish_article": spanish_article,
                  "spanish_bytes": len(c.get(spanish_article).content) if spanish else 0,
                  "spanish_published": Article.objects.published().filter(language="es").count()}}))
"""
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


class Server:
    def __init__(self, env: dict, workdir: Path, wrk_bin: str, name: str = "gunicorn"):
        self.env, self.workdir, self.port = env, workdir, free_port()
        self.wrk_bin, self.log_path = wrk_bin, workdir / f"{name}.log"
        self.process = None

    def __enter__(self) -> Server:
        env = {**self.env, "GUNICORN_BIND": f"127.0.0.1:{self.port}", "GUNICORN_WORKERS": str(WORKERS)}
        self.log = open(self.log_path, "ab")  # noqa: SIM115 (closed in __exit__)
        self.process = subprocess.Popen(
            [GUNICORN, "tmsinfo.wsgi:application", "--config", "deploy/gunicorn.conf.py"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url("/healthz"), timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise SystemExit(f"gunicorn did not answer on 127.0.0.1:{self.port}; see {self.log_path}")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()

    def wait_idle(self, limit: float = 180) -> None:
        """Wait until the workers have finished requests a load run left queued (slow rows)."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                with urllib.request.urlopen(self.url("/healthz"), timeout=limit) as response:
                    response.read()
            except OSError:
                pass
            if time.monotonic() - started < 0.25:
                return
        log("  the server stayed busy; measuring on")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def check(self, path: str) -> int:
        with urllib.request.urlopen(self.url(path), timeout=10) as response:
            assert response.status == 200, (path, response.status)
            return len(response.read())


def wrk(wrk_bin: str, url: str, seconds: int, unique: bool = False) -> dict:
    # Each run's own salt: its unique queries are none that an earlier run (warm-up, round) asked.
    env = {**os.environ, "WRK_UNIQUE": "1" if unique else "0", "WRK_SALT": str(time.time_ns())}
    command = [wrk_bin, "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "5s", "-s", str(LUA), url]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=True, timeout=seconds + 30)
    line = [raw for raw in result.stdout.splitlines() if raw.startswith("{")][-1]
    return json.loads(line)


def measure(servers: dict[str, tuple[Server, list[tuple[str, str, bool]]]]) -> dict[str, dict[str, dict]]:
    """ROUNDS rounds over every row of every shape (a server each); each figure is the median of
    its rounds.

    Interleaving spreads any other load on the machine over every row and shape alike, so the
    ratios to the static file stay fair even when absolute numbers move.
    """
    for server, rows in servers.values():
        for _name, path, unique in rows:
            server.check(path)
            wrk(server.wrk_bin, server.url(path), WARMUP_SECONDS, unique)
            server.wait_idle()
    runs = {shape: {name: [] for name, _, _ in rows} for shape, (_, rows) in servers.items()}
    for round_number in range(1, ROUNDS + 1):
        for shape, (server, rows) in servers.items():
            for name, path, unique in rows:
                log(f"  round {round_number}/{ROUNDS}, {shape}: {name} {path} ({SECONDS} s, {CONNECTIONS} connections)")
                runs[shape][name].append(wrk(server.wrk_bin, server.url(path), SECONDS, unique))
                server.wait_idle()
    results = {}
    for shape, (_, rows) in servers.items():
        results[shape] = {}
        for name, path, _ in rows:
            row = {"path": path, "errors": sum(run["errors"] for run in runs[shape][name])}
            for figure in ("rps", "p50", "p95", "p99"):
                row[figure] = statistics.median(run[figure] for run in runs[shape][name])
            results[shape][name] = row
    return results


def table(results: dict[str, dict]) -> list[str]:
    static = {**results["static file"]}
    static["rps"] = static["rps"] or float("nan")
    static["p99"] = static["p99"] or float("nan")
    lines = [
        "| row | path | requests/s | ratio to static | p50 ms | p95 ms | p99 ms | p99 / static p99 | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, row in results.items():
        lines.append(
            f"| {name} | `{row['path']}` | {row['rps']:.0f} | {row['rps'] / static['rps']:.2f} | {row['p50']:.2f} | "
            f"{row['p95']:.2f} | {row['p99']:.2f} | {row['p99'] / static['p99']:.2f} | {row['errors']} |"
        )
    return lines


def side_by_side(results: dict[str, dict[str, dict]]) -> list[str]:
    """One line per row, each shape's ratios and latencies next to each other."""
    shapes = list(results)
    lines = [
        "| row | " + " | ".join(f"{shape}: ratio to static | p95 ms | p99 / static p99" for shape in shapes) + " |",
        "|---|" + "---:|---:|---:|" * len(shapes),
    ]
    for name in results[shapes[0]]:
        cells = []
        for shape in shapes:
            static, row = results[shape]["static file"], results[shape][name]
            cells += [
                f"{row['rps'] / (static['rps'] or float('nan')):.2f}",
                f"{row['p95']:.1f}",
                f"{row['p99'] / (static['p99'] or float('nan')):.2f}",
            ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def verdicts(results: dict[str, dict], names=tuple(TARGETS), targets=TARGETS) -> list[str]:
    static = {**results["static file"]}
    static["rps"] = static["rps"] or float("nan")
    static["p99"] = static["p99"] or float("nan")
    lines = []
    for name in names:
        min_ratio, max_p99 = targets[name]
        candidates = [key for key in results if key == name or key.startswith(name + " (")]
        for key in candidates:
            row = results[key]
            ratio = row["rps"] / static["rps"]
            ok = ratio >= min_ratio
            text = f"- {key}: {ratio:.0%} of the static file's requests/s (target ≥ {min_ratio:.0%})"
            if max_p99:
                p99_ratio = row["p99"] / static["p99"]
                ok = ok and p99_ratio <= max_p99
                text += f"; p99 {p99_ratio:.2f}× the static file's (target ≤ {max_p99:g}×)"
            lines.append(text + (": **met**" if ok else ": **NOT met**"))
    return lines


def load() -> str:
    """The machine's load average, to read each figure by (other work shares the cores)."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


def machine() -> list[str]:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    os_name = platform.platform()
    try:
        release = dict(line.split("=", 1) for line in Path("/etc/os-release").read_text().splitlines() if "=" in line)
        os_name = release.get("PRETTY_NAME", os_name).strip('"')
    except OSError:
        pass
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("[")[0].strip()
    import django
    import gunicorn

    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores; memory {memory:.0f} GiB; {os_name}, kernel {platform.release()}",
        f"- Python {platform.python_version()}, Django {django.get_version()}, gunicorn {gunicorn.__version__} "
        f"({WORKERS} sync workers, deploy/gunicorn.conf.py), DEBUG off, whitenoise in the same process",
        f"- Load: {wrk_version}, 2 threads, {CONNECTIONS} connections, {SECONDS} s per row and round after a "
        f"{WARMUP_SECONDS} s warm-up; {ROUNDS} interleaved rounds, each figure the median of its rounds; "
        "wrk and gunicorn share the cores; 127.0.0.1 only",
    ]


def generate_articles(directory: Path, count: int) -> None:
    """`count` content files made from the real ones: new slugs and titles, the same topics, and
    the real text with a sentence of its own, so no two bodies are the same (as on a real site,
    where nothing is rendered once for many pages)."""
    import yaml

    sources = []
    for path in sorted((ROOT / "content").glob("*.md")):
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        sources.append((path.stem, yaml.safe_load(front), body))
    for n in range(count):
        stem, meta, body = sources[n % len(sources)]
        slug = f"bench-{n:05d}-{stem}"
        meta = {**meta, "slug": slug, "title": f"{meta['title']} (copy {n})", "order": 1000 + n}
        front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
        own = f"This is generated page {n} for the benchmark, a copy of the page {stem}.\n\n"
        (directory / f"{slug}.md").write_text(f"---\n{front}---\n{own}{body}", encoding="utf-8")


def production_env(name: str, database_url: str, redis_url: str = "") -> dict:
    """Production settings over plain HTTP on 127.0.0.1, with a throwaway key and database."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_")) and k != "REDIS_URL"},
        "DJANGO_SECRET_KEY": f"{name}-only-not-secret",
        "DJANGO_DEBUG": "",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DATABASE_URL": database_url,
        "DJANGO_LOG_LEVEL": "WARNING",
        **({"REDIS_URL": redis_url} if redis_url else {}),
    }


class Services:
    """Throwaway PostgreSQL and Redis servers on 127.0.0.1, started and stopped by .ci/services.sh
    (as CI starts them); BENCH_DATABASE_URL or REDIS_URL name servers of your own instead."""

    def __init__(self) -> None:
        self.database_url = os.environ.get("BENCH_DATABASE_URL", "")
        self.redis_url = os.environ.get("REDIS_URL", "")
        self.directory: Path | None = None

    @staticmethod
    def missing() -> str:
        """Why the production shape cannot be measured here, or "" when it can."""
        if os.environ.get("BENCH_PRODUCTION", "1") == "0":
            return "BENCH_PRODUCTION=0"
        initdb = shutil.which("initdb") or any(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not (os.environ.get("BENCH_DATABASE_URL") or initdb):
            return "PostgreSQL is not installed (apt-get install -y postgresql, or set BENCH_DATABASE_URL)"
        if not (os.environ.get("REDIS_URL") or shutil.which("redis-server")):
            return "Redis is not installed (apt-get install -y redis-server, or set REDIS_URL)"
        return ""

    def _script(self, commands: str) -> str:
        env = {**os.environ, "SERVICES_DIR": str(self.directory)}
        result = subprocess.run(
            ["bash", "-c", f'. "{SERVICES}" && {commands}'], env=env, capture_output=True, text=True, timeout=300
        )
        if result.returncode:
            raise SystemExit(f".ci/services.sh failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def __enter__(self) -> Services:
        commands = []
        if not self.database_url:
            commands.append(f'start_postgres {free_port()} >&2 && echo "db $DATABASE_URL"')
        if not self.redis_url:
            commands.append(f'start_redis {free_port()} >&2 && echo "redis $TMSINFO_TEST_REDIS_URL"')
        if commands:
            self.directory = Path(tempfile.mkdtemp(prefix="tmsinfo-bench-services-"))
            for line in self._script(" && ".join(commands)).splitlines():
                kind, _, url = line.partition(" ")
                if kind == "db":
                    self.database_url = url
                elif kind == "redis":
                    self.redis_url = url
        log(f"  {PRODUCTION}: {self.database_url} and {self.redis_url}")
        return self

    def __exit__(self, *exc) -> None:
        if self.directory is not None:
            self._script("stop_services")


def shape_environments(workdir: Path, services: Services | None) -> dict[str, dict]:
    shapes = {SQLITE: production_env("bench", f"sqlite:///{workdir / 'bench.sqlite3'}")}
    if services is not None:
        shapes[PRODUCTION] = production_env("bench", services.database_url, services.redis_url)
    return shapes


def shape_report(results: dict[str, dict[str, dict]], scale: bool) -> list[str]:
    """Both shapes side by side, then each in full with its verdicts."""
    lines = [*side_by_side(results), ""]
    for shape, rows in results.items():
        lines += [f"### {shape}", "", *table(rows), ""]
        if shape == PRODUCTION:
            lines += verdicts(rows, names=tuple(PRODUCTION_TARGETS), targets=PRODUCTION_TARGETS)
            if scale:
                p95 = rows["search (unique queries)"]["p95"]
                lines.append(
                    f"- search (unique queries) p95: {p95:.1f} ms (target < {PRODUCTION_SCALE_P95_MS} ms): "
                    + ("**met**" if p95 < PRODUCTION_SCALE_P95_MS else "**NOT met**")
                )
        elif not scale:
            lines += verdicts(rows)
            lines += verdicts(rows, names=tuple(PUBLISHED_RECORD_TARGETS), targets=PUBLISHED_RECORD_TARGETS)
        lines += spanish_verdicts(rows)
        lines.append("")
    return lines


def spanish_verdicts(rows: dict[str, dict]) -> list[str]:
    """Issue 13's target: the Spanish home and article as fast, relative to the static file, as
    the English ones (within 10%)."""
    lines = []
    for spanish, english in (("Spanish home", "home"), ("Spanish article", "article")):
        if spanish not in rows or english not in rows:
            continue
        change = rows[spanish]["rps"] / (rows[english]["rps"] or float("nan")) - 1
        ok = abs(change) <= 0.10 or change > 0
        lines.append(
            f"- {spanish}: ratio to static {change:+.0%} of the English {english}'s (target: at most 10% lower): "
            + ("**met**" if ok else "**NOT met**")
        )
    return lines


def main() -> int:
    wrk_bin = ensure_wrk()
    workdir = Path(tempfile.mkdtemp(prefix="tmsinfo-bench-"))
    static_file = ROOT / "staticfiles" / STATIC_NAME
    why_not = Services.missing()
    if why_not:
        log(f"Measuring {SQLITE} only: {why_not}")
    report: list[str] = []
    with contextlib.ExitStack() as stack:
        services = None if why_not else stack.enter_context(Services())
        shapes = shape_environments(workdir, services)
        try:
            report += measure_everything(workdir, wrk_bin, shapes, static_file)
        finally:
            static_file.unlink(missing_ok=True)
    header = [
        "# Benchmarks",
        "",
        f"Measured by `make bench` on {dt.date.today().isoformat()}. Numbers are from one run on the machine below;",
        "compare ratios, which are measured in the same run, rather than absolute requests/s.",
        f"Shapes: {' and '.join(shapes)}, their rounds interleaved" + (ONE_BOX if len(shapes) > 1 else "."),
        "",
        *machine(),
        "",
    ]
    text = "\n".join(header + report)
    print(text)  # noqa: T201 (the table is the output)
    out = ROOT / "docs" / ("benchmarks.md" if not os.environ.get("BENCH_OUTPUT") else os.environ["BENCH_OUTPUT"])
    out.parent.mkdir(exist_ok=True)
    out.write_text(text + "\n", encoding="utf-8")
    log(f"Wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}; server logs in {workdir}")
    return 0


def measure_everything(workdir: Path, wrk_bin: str, shapes: dict[str, dict], static_file: Path) -> list[str]:
    """content/ in every shape, measured; then, with ARTICLES, the generated pages too."""
    log(f"Setting up throwaway databases in {workdir}")
    imports, facts = {}, {}
    for shape, env in shapes.items():
        manage(env, "migrate", "--noinput", "--verbosity", "0")
        imports[shape] = manage(env, "import_content", "content", measure=True)
        facts[shape] = page_facts(env)
    manage(shapes[SQLITE], "collectstatic", "--noinput", "--verbosity", "0")
    first = facts[SQLITE]
    # A static file exactly as large as the typical article page, served by whitenoise in the same process.
    static_file.parent.mkdir(parents=True, exist_ok=True)
    static_file.write_bytes(b"<!doctype html>" + b"x" * (first["article_bytes"] - 15))
    rows = [
        ("static file", f"/static/{STATIC_NAME}", False),
        ("healthz", "/healthz", False),
        ("home", "/", False),
        ("article", first["article"], False),
    ]
    if first["search"]:
        rows += [
            ("search (repeated query)", first["search"], False),
            ("search (unique queries)", first["search"], True),
        ]
    else:
        log("  /search/ is not routed on this branch: no search rows")
    rows.append((UNCACHED, "/help/", True))
    rows.append(("connect (repeated request)", CONNECT_PATH, False))
    if first["spanish_article"]:
        rows += [("Spanish home", "/es/", False), ("Spanish article", first["spanish_article"], False)]
    else:
        log("  no published Spanish page: no Spanish rows")
    started = load()
    results = measure_shapes(workdir, wrk_bin, shapes, dict.fromkeys(shapes, rows))
    imported = "; ".join(f"{shape} {seconds:.1f} s, peak RSS {rss} MiB" for shape, (seconds, rss) in imports.items())
    report = [
        f"## {first['published']} published articles (content/)",
        "",
        f"Typical article: `{first['article']}` (the median page size, {first['article_bytes']:,} bytes of HTML; "
        f"home {first['home_bytes']:,} bytes; Spanish article `{first['spanish_article']}`, "
        f"{first['spanish_bytes']:,} bytes; {first['spanish_published']} Spanish pages, not counted in the title). "
        f"Import of content/: {imported}. Machine load at the start: "
        f"{started}; at the end: {load()}.",
        "",
        FLOOR_NOTE,
        "",
        *shape_report(results, scale=False),
    ]
    if not ARTICLES:
        return report
    generated = workdir / "generated"
    generated.mkdir()
    log(f"Generating {ARTICLES} content files in {generated}")
    generate_articles(generated, ARTICLES)
    big_imports, big_facts = {}, {}
    for shape, env in shapes.items():
        big_imports[shape] = manage(env, "import_content", str(generated), measure=True)
        big_facts[shape] = page_facts(env)
    big_first = big_facts[SQLITE]
    scale_rows = {
        shape: [
            (name, big_facts[shape]["article"] if name == "article" else path, unique) for name, path, unique in rows
        ]
        for shape in shapes
    }
    started = load()
    big = measure_shapes(workdir, wrk_bin, shapes, scale_rows, sitemap=True)
    imported = "; ".join(
        f"{shape} {seconds:.1f} s, peak RSS {rss} MiB" for shape, (seconds, rss) in big_imports.items()
    )
    big_seconds = big_imports[SQLITE][0]
    report += [
        f"## {big_first['published']} published articles ({ARTICLES} generated + content/)",
        "",
        "The generated pages are English only: the Spanish rows read content/'s Spanish pages, "
        "and Spanish search does not grow with them.",
        "",
        f"Import of {ARTICLES} generated files: {imported} (target < 60 s). Home page: {big_first['home_bytes']:,} "
        f"bytes; typical article `{big_first['article']}`: {big_first['article_bytes']:,} bytes. "
        f"{big.pop('sitemap')} Machine load at the start: {started}; at the end: {load()}.",
        "",
        *shape_report(big, scale=True),
        f"{SQLITE}, against the scale targets:",
        "",
        # The targets at this scale: article and home as above and within 10% of the
        # content/ figures, search p95 under 100 ms, import under a minute.
        *verdicts(big[SQLITE], names=("article", "home")),
        *scale_verdicts(results[SQLITE], big[SQLITE]),
        f"- import of {ARTICLES} generated files: {big_seconds:.1f} s (target < 60 s): "
        + ("**met**" if big_seconds < 60 else "**NOT met**"),
        "",
    ]
    return report


def measure_shapes(workdir, wrk_bin, shapes, rows, sitemap: bool = False) -> dict:
    """Start one gunicorn per shape, measure them all interleaved, stop them."""
    with contextlib.ExitStack() as stack:
        servers = {
            shape: (stack.enter_context(Server(env, workdir, wrk_bin, name=f"gunicorn-{n}")), rows[shape])
            for n, (shape, env) in enumerate(shapes.items())
        }
        results = measure(servers)
        if sitemap:
            results["sitemap"] = sitemap_facts(servers[SQLITE][0])
    return results


def sitemap_facts(server: Server) -> str:
    try:
        with urllib.request.urlopen(server.url("/sitemap.xml"), timeout=30) as response:
            body = response.read().decode()
    except OSError:
        return "No /sitemap.xml on this branch."
    if "<sitemapindex" in body:
        return f"/sitemap.xml is an index of {body.count('<sitemap>')} sitemap page(s)."
    return f"/sitemap.xml is NOT paginated: one file with {body.count('<url>')} URLs."


def scale_verdicts(small: dict, big: dict) -> list[str]:
    lines = []
    for name in ("home", "article"):
        change = big[name]["rps"] / small[name]["rps"] - 1
        ok = change >= -0.10
        lines.append(f"- {name} throughput with the generated articles: {change:+.0%} of the content/ figure "
                     f"(target within 10%): {'**met**' if ok else '**NOT met**'}")  # fmt: skip
    for name in big:
        if name.startswith("search"):
            ok = big[name]["p95"] < 100
            lines.append(
                f"- {name} p95: {big[name]['p95']:.1f} ms (target < 100 ms): {'**met**' if ok else '**NOT met**'}"
            )
    return lines


if __name__ == "__main__":
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(soft, 4096), hard), hard))
    sys.exit(main())
