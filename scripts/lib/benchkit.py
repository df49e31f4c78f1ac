"""What the scripts that drive a real `smspartner-notify` share: the local fake SMSPartner, an
environment of their own, `serve` on a free loopback port, waiting for its outbox to drain, and
a private PostgreSQL server for the state backends' comparison.

Imported by scripts/bench-serve, scripts/bench-state, scripts/probe-serve and scripts/symbol-order
(which run from the repository root)."""
import glob, json, os, pwd, re, secrets, shlex, shutil, signal, socket, subprocess, sys, tempfile, threading, time

API_KEY = "test-key-0123456789abcdef"
NO_LIMITS = "rate_limits: []\nhourly_cap: off\ndaily_cap: off\n"


def first_line(child, seconds):
    """The child's first line of output ('' if it says nothing within `seconds`: it is killed)."""
    timer = threading.Timer(seconds, child.kill)
    timer.start()
    line = child.stdout.readline()
    timer.cancel()
    return line


def start_fake(bin_dir):
    """The fake SMSPartner of scripts' builds, and its base URL ('' if it did not start).
    It runs until its stdin is closed."""
    fake = subprocess.Popen([f"{bin_dir}/fake-smspartner"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    url = first_line(fake, 30).strip()
    return fake, url if url.startswith("http://") else ""


def environment(work, name, config, url):
    """A clean environment whose configuration (`config`, YAML) and state live under work/name*."""
    path = os.path.join(work, f"{name}.yml")
    with open(path, "w") as f:
        f.write(config)
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": work, "SMSPARTNER_API_URL": url,
            "SMSPARTNER_API_KEY": API_KEY, "SMSPARTNER_STATE_DIR": os.path.join(work, name),
            "SMSPARTNER_NOTIFY_CONFIG": path}


def start_serve(command, env, seconds, log=None):
    """`command` (a `serve --listen 127.0.0.1:0 …` command line) started, and the host and port it
    says it listens on; (process, None, None) if it said nothing of the kind within `seconds`.
    Its standard error goes to the file `log` if given (else nowhere)."""
    errors = open(log, "w") if log else subprocess.DEVNULL
    serve = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=errors, text=True)
    if log:
        errors.close()
    line = first_line(serve, seconds)
    m = re.search(r"listening on (\S+):(\d+)", line)
    return (serve, m.group(1), int(m.group(2))) if m else (serve, None, None)


def wait_drained(bin_dir, env, seconds, interval):
    """Waits until nothing is queued or being sent in the state of `env`; the outbox counts
    `status` last showed if that takes more than `seconds`, else None."""
    deadline = time.time() + seconds
    while True:
        r = subprocess.run([f"{bin_dir}/smspartner-notify", "status", "--json", "--latest", "0"], env=env,
                           capture_output=True, text=True, timeout=60)
        outbox = json.loads(r.stdout)["outbox"] if r.returncode == 0 else {}
        if outbox.get("queued") == 0 and outbox.get("sending") == 0:
            return None
        if time.time() > deadline:
            return outbox
        time.sleep(interval)


# MARK: - The state backends

BACKENDS = ("sqlite", "postgres")
# What the private PostgreSQL runs with unless $BENCH_PG_OPTS says otherwise (see start_postgres).
POSTGRES_DEFAULTS = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on", "max_connections": "100"}


def postgres_bin():
    """The newest /usr/lib/postgresql/VERSION/bin with initdb, postgres, psql and pg_isready; None if none."""
    def version(path):
        name = os.path.basename(os.path.dirname(path))
        return int(name) if name.isdigit() else -1
    for directory in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True):
        if all(os.access(os.path.join(directory, b), os.X_OK) for b in ("initdb", "postgres", "psql", "pg_isready")):
            return directory
    return None


def postgres_missing():
    """Why a private PostgreSQL cannot start here ('' if it can)."""
    if not postgres_bin():
        return "PostgreSQL's server is not installed (no /usr/lib/postgresql/*/bin/postgres): apt-get install postgresql"
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            return "setpriv not found (util-linux): it runs the server as the postgres user when root"
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "no postgres system user to run the server as (root cannot): apt-get install postgresql creates it"
    return ""


def backends(script):
    """The backends to measure: $BENCH_BACKENDS (comma-separated, of sqlite and postgres), by
    default both when PostgreSQL is installed, else sqlite alone (said on stderr). Exits when
    postgres is asked for explicitly and cannot start."""
    asked = os.environ.get("BENCH_BACKENDS", "")
    names = [n.strip() for n in asked.split(",") if n.strip()] or list(BACKENDS)
    unknown = [n for n in names if n not in BACKENDS]
    if unknown or len(set(names)) != len(names):
        sys.exit(f"{script}: BENCH_BACKENDS={asked!r}: expected a comma-separated list of {', '.join(BACKENDS)}")
    if "postgres" in names and (why := postgres_missing()):
        if asked:
            sys.exit(f"{script}: BENCH_BACKENDS asks for postgres, but {why}")
        print(f"{script}: measuring sqlite only: {why} (BENCH_BACKENDS=sqlite silences this)", file=sys.stderr)
        names.remove("postgres")
    return names


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """A private PostgreSQL server for one run (start_postgres): 127.0.0.1 only, a free port, its
    data and socket directories in a temporary directory, password authentication (SCRAM)
    everywhere; the role `notify` (password in `password_file`, mode 0600, this process's user's)
    owns the databases the tool uses. Stop it with stop(), which removes the directory too."""

    def __init__(self, settings):
        self.bin = postgres_bin()
        self.settings = settings
        self.root = tempfile.mkdtemp(prefix="smspartner-bench-postgres-")
        os.chmod(self.root, 0o755)  # the server's user reaches data/ and socket/ inside
        self.data = os.path.join(self.root, "data")
        self.sockets = os.path.join(self.root, "socket")
        self.log = os.path.join(self.root, "postgres.log")
        self.superuser_password = secrets.token_hex(16)
        self.password = secrets.token_hex(16)
        self.password_file = os.path.join(self.root, "notify-password")
        self.process = None
        self.port = None
        self.account = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
        for directory in (self.data, self.sockets):
            os.mkdir(directory, 0o700)
            if self.account:
                os.chown(directory, self.account.pw_uid, self.account.pw_gid)
        fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(self.password + "\n")

    def as_server_user(self, command, death_signal=None):
        """`command` as the server's user when root (setpriv execs: the PID stays the command's),
        with a parent-death signal (a benchmark that dies does not leave the server behind)."""
        prefix = []
        if self.account:
            prefix += [f"--reuid={self.account.pw_uid}", f"--regid={self.account.pw_gid}", "--init-groups"]
        if death_signal:
            prefix += ["--pdeathsig", death_signal]
        return ["setpriv"] + prefix + ["--"] + command if prefix else command

    def environment(self, password=None):
        env = {"PATH": f"{self.bin}:/usr/bin:/bin", "LC_ALL": "C", "LANG": "C", "HOME": self.root}
        if password:
            env["PGPASSWORD"] = password
        return env

    def log_tail(self, lines=20):
        try:
            with open(self.log) as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def problems(self, shown=3):
        """What the server logged at ERROR, FATAL or PANIC: one line saying how many of each, and
        the last `shown` of them ('' if none)."""
        try:
            with open(self.log) as f:
                lines = [l.rstrip() for l in f if re.search(r"\b(ERROR|FATAL|PANIC):", l)]
        except OSError:
            return ""
        if not lines:
            return ""
        counts = {level: sum(1 for l in lines if f"{level}:" in l) for level in ("ERROR", "FATAL", "PANIC")}
        return ("postgres.log: " + ", ".join(f"{n} {level}" for level, n in counts.items() if n) + "; the last:\n"
                + "\n".join(f"  {l[:300]}" for l in lines[-shown:]))

    def initdb(self):
        pwfile = os.path.join(self.root, "superuser-password")
        fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(self.superuser_password + "\n")
        try:
            if self.account:
                os.chown(pwfile, self.account.pw_uid, self.account.pw_gid)
            # --no-sync: only initdb's own files are not synced; the server's settings decide the rest.
            r = subprocess.run(self.as_server_user([
                f"{self.bin}/initdb", "-D", self.data, "-U", "postgres", f"--pwfile={pwfile}", "-A", "scram-sha-256",
                "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"]), env=self.environment(), cwd=self.root,
                stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=180)
            if r.returncode != 0:
                raise RuntimeError(f"initdb failed ({r.returncode}):\n{r.stdout}{r.stderr}")
        finally:
            os.unlink(pwfile)

    def launch(self):
        """Starts the postmaster on a free port and waits until it accepts connections."""
        for attempt in range(3):
            self.port = free_port()
            options = []
            for name, value in self.settings.items():
                options += ["-c", f"{name}={value}"]
            command = self.as_server_user([
                f"{self.bin}/postgres", "-D", self.data, "-p", str(self.port), "-k", self.sockets,
                "-c", "listen_addresses=127.0.0.1"] + options, death_signal="INT")
            with open(self.log, "a") as log:
                self.process = subprocess.Popen(command, env=self.environment(), cwd=self.data, stdin=subprocess.DEVNULL,
                                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            deadline = time.time() + 60
            while time.time() < deadline:
                if self.process.poll() is not None:
                    break
                r = subprocess.run([f"{self.bin}/pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                                    "-d", "postgres", "-t", "2"], env=self.environment(), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                if r.returncode == 0:
                    return
                time.sleep(0.05)
            else:
                self.process.kill()
                self.process.wait()
                raise RuntimeError(f"postgres did not accept connections on 127.0.0.1:{self.port} in 60 s:\n{self.log_tail()}")
            if "Address already in use" not in self.log_tail():
                break
        raise RuntimeError(f"postgres exited while starting ({self.process.returncode}):\n{self.log_tail()}")

    def psql(self, sql, database="postgres"):
        """`sql` run by psql as the superuser over TCP (stops at the first error): its output."""
        r = subprocess.run([f"{self.bin}/psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                            "-p", str(self.port), "-U", "postgres", "-d", database, "-c", sql],
                           env=self.environment(self.superuser_password), stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise RuntimeError(f"psql {sql!r} failed ({r.returncode}): {r.stderr.strip()}")
        return r.stdout.strip()

    def fresh_database(self, name):
        """An empty database `name` owned by `notify` (dropped first if it exists, its sessions
        ended): the YAML `state:` section that makes the tool use it."""
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
            raise ValueError(f"database name {name!r}")
        self.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.psql(f"CREATE DATABASE {name} OWNER notify")
        return self.config(name)

    def config(self, database="notify"):
        return (f"state:\n  backend: postgres\n"
                f"  url: postgres://notify@127.0.0.1:{self.port}/{database}?sslmode=disable\n"
                f"  password_file: {self.password_file}\n")

    def description(self):
        version = self.psql("SHOW server_version")
        shown = ", ".join(f"{k}={self.psql(f'SHOW {k}')}" for k in self.settings)
        return f"PostgreSQL {version} on 127.0.0.1:{self.port} (data in {self.root}, the same disk as SQLite's state): {shown}"

    def stop(self):
        """SIGTERM to the postmaster (a smart shutdown: the tool's clients are gone by then), by
        its PID; SIGINT after 20 s, SIGKILL to its process group after 10 more; then the
        directory is removed (kept with $BENCH_KEEP)."""
        if self.process and self.process.poll() is None:
            for sig, wait in ((signal.SIGTERM, 20), (signal.SIGINT, 10)):
                self.process.send_signal(sig)
                try:
                    self.process.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    pass
            else:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if os.environ.get("BENCH_KEEP"):
            print(f"kept {self.root} (postgres.log inside)", file=sys.stderr)
        else:
            shutil.rmtree(self.root, ignore_errors=True)


def start_postgres():
    """A private PostgreSQL server for this run (see Postgres), with the role `notify` and an
    empty database `notify` it owns: (the server, the YAML `state:` section for that database,
    a function that stops the server and removes its files).

    Settings: those of a real server by default, fsync and synchronous_commit on (every commit
    waits for its WAL to be flushed to disk), full_page_writes on, max_connections 100
    (PostgreSQL's own defaults); $BENCH_PG_OPTS overrides or adds any, as NAME=VALUE words
    (e.g. BENCH_PG_OPTS="synchronous_commit=off max_connections=300"). description() says what ran."""
    settings = dict(POSTGRES_DEFAULTS)
    for word in shlex.split(os.environ.get("BENCH_PG_OPTS", "")):
        name, equals, value = word.partition("=")
        if not equals or not re.fullmatch(r"[a-z_.]+", name):
            sys.exit(f"BENCH_PG_OPTS: {word!r} is not NAME=VALUE")
        settings[name] = value
    server = Postgres(settings)
    try:
        server.initdb()
        server.launch()
        server.psql(f"CREATE ROLE notify LOGIN PASSWORD '{server.password}'")
        server.psql("CREATE DATABASE notify OWNER notify")
    except BaseException:
        server.stop()
        raise
    return server, server.config("notify"), server.stop
