"""Start a throw-away, real PostgreSQL server for tests.

Usage::

    from pg_server import start_postgres

    url, stop = start_postgres(tmp_dir)          # tuple-style (as requested)
    ...
    stop()

    srv = start_postgres(tmp_dir)                # object-style
    srv.url, srv.superuser_url, srv.port
    srv.restart()                                # stop + start, same data dir, same port/URL
    srv.restart(mode="immediate")                # simulate a crash (recovery on start)
    srv.stop(); srv.start()                      # manual
    srv.close()                                  # stop + remove private dirs we created outside base_dir

Works as root (PostgreSQL refuses to run as root, so initdb/pg_ctl/postgres are
run as an unprivileged user: $PG_TEST_USER, else "postgres" if it exists, else a
"pgtest" system user created with useradd, else "nobody") and as a normal user
(everything runs as the current user).

Only the standard library is needed; setup SQL is run with the ``psql`` binary
that sits next to ``initdb``.

Environment knobs:
    PG_BINDIR      directory holding initdb/pg_ctl/postgres/psql (overrides search)
    PG_TEST_USER   unprivileged user to run the server as when we are root
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

__all__ = ["PgServer", "PgServerError", "start_postgres", "find_bindir"]

# Unix socket paths are limited to sizeof(sun_path) == 108 bytes on Linux.
_MAX_SOCKET_PATH = 100
_REQUIRED = ("initdb", "pg_ctl", "postgres", "psql")


class PgServerError(RuntimeError):
    """Anything that went wrong while creating/starting/stopping the server."""


# --------------------------------------------------------------------------- #
# helpers
# --------------------------------------------------------------------------- #
def _version_key(path: str):
    m = re.search(r"/postgresql/(\d+)(?:\.(\d+))?/bin", path)
    return (int(m.group(1)), int(m.group(2) or 0)) if m else (0, 0)


def find_bindir() -> Path:
    """Directory containing initdb, pg_ctl, postgres and psql."""
    candidates: list[str] = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(os.environ["PG_BINDIR"])
    # Debian/Ubuntu: /usr/lib/postgresql/<ver>/bin (newest first).
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    # RHEL-ish / source builds.
    candidates += sorted(glob.glob("/usr/pgsql-*/bin"), reverse=True)
    candidates += ["/usr/local/pgsql/bin"]
    # Whatever is on PATH (e.g. /usr/local/bin/initdb symlink); resolve symlinks
    # so that we pick up the sibling binaries of the real installation.
    which = shutil.which("initdb")
    if which:
        candidates.append(str(Path(which).resolve().parent))
    # pg_config knows the bindir of its installation.
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10)
            if out.returncode == 0 and out.stdout.strip():
                candidates.append(out.stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    for c in candidates:
        if all(os.access(os.path.join(c, b), os.X_OK) for b in _REQUIRED):
            return Path(c)
    raise PgServerError(
        "PostgreSQL server binaries not found (need %s). Looked in: %s.\n"
        "On Debian/Ubuntu: apt-get install -y postgresql   (or set PG_BINDIR)"
        % (", ".join(_REQUIRED), ", ".join(dict.fromkeys(candidates)) or "nothing")
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        # postgres binds with SO_REUSEADDR, so TIME_WAIT leftovers don't matter
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def _pick_run_user() -> pwd.struct_passwd | None:
    """None means: run as the current user (we're not root)."""
    if os.geteuid() != 0:
        return None
    wanted = os.environ.get("PG_TEST_USER")
    if wanted:
        try:
            return pwd.getpwnam(wanted)
        except KeyError:
            raise PgServerError(f"PG_TEST_USER={wanted!r} does not exist") from None
    for name in ("postgres", "pgtest"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            pass
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    try:
        subprocess.run(
            [useradd, "--system", "--no-create-home", "--home-dir", "/nonexistent",
             "--shell", "/usr/sbin/nologin", "--user-group", "pgtest"],
            check=True, capture_output=True, text=True, timeout=30,
        )
        return pwd.getpwnam("pgtest")
    except (OSError, subprocess.SubprocessError, KeyError):
        pass
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        raise PgServerError("running as root and no unprivileged user available "
                            "(tried PG_TEST_USER, postgres, pgtest via useradd, nobody)") from None


def _tail(path: Path, n: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError as e:
        return f"<could not read {path}: {e}>"


# --------------------------------------------------------------------------- #
# the server
# --------------------------------------------------------------------------- #
class PgServer:
    SUPERUSER = "postgres"

    def __init__(self, base_dir, *, user: str = "app", dbname: str = "app",
                 password: str | None = None, timeout: float = 60.0,
                 fast: bool = True, extra_conf: dict | None = None):
        self.bindir = find_bindir()
        self.user = user
        self.dbname = dbname
        self.password = password or secrets.token_hex(16)
        self.timeout = timeout
        self.fast = fast
        self.extra_conf = dict(extra_conf or {})
        self.port: int | None = None
        self.running = False
        self._owned_dirs: list[Path] = []  # dirs we created outside base_dir
        self.timings: dict[str, float] = {}

        self._runas = _pick_run_user()
        self._setup_dirs(Path(base_dir).resolve())

    # ---- subprocess plumbing ------------------------------------------------
    def _env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(LC_ALL="C", LANG="C", HOME=str(self.root), TZ="UTC")
        return env

    def _run(self, args, *, timeout=None, check=True, input=None):
        kw = {}
        if self._runas is not None:
            kw = dict(user=self._runas.pw_uid, group=self._runas.pw_gid, extra_groups=[])
        try:
            # cwd must be accessible by the unprivileged user, otherwise
            # initdb/postgres fail with "could not identify current directory".
            cp = subprocess.run(
                [str(a) for a in args], cwd=self.root, env=self._env(), input=input,
                stdin=None if input is not None else subprocess.DEVNULL,
                capture_output=True, text=True, timeout=timeout or self.timeout, **kw,
            )
        except subprocess.TimeoutExpired as e:
            raise PgServerError(f"timed out after {e.timeout}s: {' '.join(map(str, args))}\n"
                                f"server log tail:\n{_tail(self.logfile)}") from None
        if check and cp.returncode != 0:
            raise PgServerError(
                f"command failed (rc={cp.returncode}): {' '.join(map(str, args))}\n"
                f"stdout: {cp.stdout.strip()}\nstderr: {cp.stderr.strip()}\n"
                f"server log tail:\n{_tail(self.logfile)}")
        return cp

    def _user_can_use(self, path: Path) -> bool:
        """Can the run-as user traverse to and write into ``path``?"""
        if self._runas is None:
            return os.access(path, os.W_OK | os.X_OK)
        cp = subprocess.run(
            ["/bin/sh", "-c", 'test -d "$1" && test -w "$1" && test -x "$1"', "sh", str(path)],
            user=self._runas.pw_uid, group=self._runas.pw_gid, extra_groups=[],
            cwd="/", capture_output=True, timeout=30,
        )
        return cp.returncode == 0

    def _make_private_dir(self, parent: Path | None, prefix: str) -> Path:
        d = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
        if self._runas is not None:
            os.chown(d, self._runas.pw_uid, self._runas.pw_gid)
        os.chmod(d, 0o700)
        return d

    def _setup_dirs(self, base_dir: Path):
        base_dir.mkdir(parents=True, exist_ok=True)
        root = base_dir / "pg"
        root.mkdir(exist_ok=True)
        if self._runas is not None:
            os.chown(root, self._runas.pw_uid, self._runas.pw_gid)
        os.chmod(root, 0o700)
        if not self._user_can_use(root):
            # Typical case: pytest's tmp_path (/tmp/pytest-of-root/... is 0700 root),
            # so the unprivileged user cannot even traverse to it. Use a private
            # directory under /tmp (sticky, world-traversable) instead.
            shutil.rmtree(root, ignore_errors=True)
            root = self._make_private_dir(None, "pgtest-")
            self._owned_dirs.append(root)
            (base_dir / "pg-location.txt").write_text(str(root) + "\n")
        self.root = root
        self.datadir = root / "data"
        self.logfile = root / "postgres.log"
        sockdir = root / "sock"
        # Keep the unix socket path short (sun_path limit); deep pytest dirs overflow it.
        if len(str(sockdir)) + len("/.s.PGSQL.65535.lock") > _MAX_SOCKET_PATH:
            sockdir = self._make_private_dir(None, "pgs-")
            self._owned_dirs.append(sockdir)
        else:
            sockdir.mkdir(exist_ok=True)
            if self._runas is not None:
                os.chown(sockdir, self._runas.pw_uid, self._runas.pw_gid)
            os.chmod(sockdir, 0o700)
        self.sockdir = sockdir

    # ---- lifecycle ----------------------------------------------------------
    def initdb(self):
        t0 = time.monotonic()
        pwfile = self.root / "superuser.pw"
        pwfile.write_text(self.password + "\n")
        if self._runas is not None:
            os.chown(pwfile, self._runas.pw_uid, self._runas.pw_gid)
        os.chmod(pwfile, 0o600)
        try:
            self._run([self.bindir / "initdb", "-D", self.datadir, "-U", self.SUPERUSER,
                       f"--pwfile={pwfile}", "--auth-local=trust", "--auth-host=scram-sha-256",
                       "-E", "UTF8", "--locale=C", "--no-sync"])
        finally:
            pwfile.unlink(missing_ok=True)
        with open(self.datadir / "postgresql.conf", "a") as f:
            f.write("\ninclude_if_exists = 'pg_server.conf'\n")
        self.timings["initdb"] = time.monotonic() - t0

    def _write_conf(self):
        conf = {
            "port": self.port,
            "listen_addresses": "'127.0.0.1'",
            # Debian's build defaults to /var/run/postgresql; must override.
            "unix_socket_directories": f"'{self.sockdir}'",
            "max_connections": 50,
            "shared_buffers": "'32MB'",
            "logging_collector": "off",
            "log_min_messages": "warning",
        }
        if self.fast:
            # Safe against process crashes / immediate shutdown (data is in the
            # kernel page cache); only an OS crash could lose data.
            # NOTE: synchronous_commit stays ON so committed rows survive
            # `pg_ctl stop -m immediate`.
            conf.update(fsync="off", full_page_writes="off")
        conf.update(self.extra_conf)
        text = "".join(f"{k} = {v}\n" for k, v in conf.items())
        (self.datadir / "pg_server.conf").write_text(text)

    def _pg_ctl_start(self):
        self._write_conf()
        # -l is essential: without it the daemonised postmaster inherits our
        # stdout pipe and subprocess.run(capture_output=True) would hang.
        return self._run([self.bindir / "pg_ctl", "-D", self.datadir, "-l", self.logfile,
                          "-w", "-t", int(self.timeout), "start"], check=False,
                         timeout=self.timeout + 15)

    def start(self):
        if self.running:
            return self
        t0 = time.monotonic()
        if not (self.datadir / "PG_VERSION").exists():
            self.initdb()
        fresh_port = self.port is None
        attempts = 5 if fresh_port else 10
        last = None
        for i in range(attempts):
            if fresh_port:
                self.port = _free_port()
            elif not _port_is_free(self.port):
                # restart: keep the same port (URL must stay valid); wait a bit
                time.sleep(0.5)
                continue
            cp = self._pg_ctl_start()
            if cp.returncode == 0:
                break
            last = cp
            log = _tail(self.logfile)
            if "Address already in use" in log or "could not bind" in log:
                time.sleep(0.2)
                continue  # port race: try again (new port if fresh)
            break
        else:
            cp = last
        if cp is None or cp.returncode != 0:
            raise PgServerError(
                f"pg_ctl start failed (port {self.port}, data {self.datadir})\n"
                f"stdout: {cp.stdout.strip() if cp else ''}\nstderr: {cp.stderr.strip() if cp else ''}\n"
                f"server log tail:\n{_tail(self.logfile)}")
        self.running = True
        _LIVE.add(self)
        self._wait_ready()
        if not (self.root / ".bootstrapped").exists():
            self._bootstrap()
            (self.root / ".bootstrapped").write_text("ok\n")
        self.timings["start"] = time.monotonic() - t0
        return self

    def _wait_ready(self):
        """pg_ctl -w already waits for 'ready' in postmaster.pid; double-check via TCP."""
        deadline = time.monotonic() + self.timeout
        isready = self.bindir / "pg_isready"
        while True:
            if isready.exists():
                cp = self._run([isready, "-h", "127.0.0.1", "-p", self.port, "-d", "postgres",
                                "-U", self.SUPERUSER, "-t", "2"], check=False, timeout=10)
                if cp.returncode == 0:
                    return
            else:
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                    return
                except OSError:
                    pass
            if time.monotonic() > deadline:
                raise PgServerError(f"server on port {self.port} not ready after {self.timeout}s\n"
                                    f"server log tail:\n{_tail(self.logfile)}")
            time.sleep(0.1)

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        """Run SQL as the superuser over the unix socket (trust auth)."""
        cp = self._run([self.bindir / "psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
                        "-h", self.sockdir, "-p", self.port, "-U", self.SUPERUSER,
                        "-d", dbname], input=sql)
        return cp.stdout

    def _bootstrap(self):
        # identifiers/password are validated/hex, so plain interpolation is safe
        for ident in (self.user, self.dbname):
            if not re.fullmatch(r"[a-z_][a-z0-9_]*", ident):
                raise PgServerError(f"unsafe identifier {ident!r}")
        pw = self.password.replace("'", "''")
        self.psql(f"CREATE ROLE {self.user} LOGIN PASSWORD '{pw}';\n")
        self.psql(f"CREATE DATABASE {self.dbname} OWNER {self.user};\n")

    def stop(self, mode: str = "fast"):
        """Stop the server. mode: 'smart' | 'fast' | 'immediate'."""
        if not self.running and not (self.datadir / "postmaster.pid").exists():
            return
        t0 = time.monotonic()
        cp = self._run([self.bindir / "pg_ctl", "-D", self.datadir, "-m", mode, "-w",
                        "-t", int(self.timeout), "stop"], check=False, timeout=self.timeout + 15)
        if cp.returncode != 0 and (self.datadir / "postmaster.pid").exists():
            cp2 = self._run([self.bindir / "pg_ctl", "-D", self.datadir, "-m", "immediate",
                             "-w", "-t", "30", "stop"], check=False, timeout=45)
            if cp2.returncode != 0 and (self.datadir / "postmaster.pid").exists():
                raise PgServerError(f"could not stop server: {cp.stderr.strip()} / {cp2.stderr.strip()}\n"
                                    f"server log tail:\n{_tail(self.logfile)}")
        self.running = False
        _LIVE.discard(self)
        self.timings["stop"] = time.monotonic() - t0

    def restart(self, mode: str = "fast"):
        """Stop (fast/immediate/smart) and start again on the same data dir and port."""
        t0 = time.monotonic()
        self.stop(mode)
        self.start()
        self.timings["restart"] = time.monotonic() - t0
        return self

    def close(self):
        """Stop the server and remove private directories created outside base_dir."""
        try:
            self.stop("fast")
        finally:
            for d in self._owned_dirs:
                shutil.rmtree(d, ignore_errors=True)
            self._owned_dirs.clear()

    # ---- connection info ----------------------------------------------------
    @property
    def url(self) -> str:
        return f"postgresql://{self.user}:{self.password}@127.0.0.1:{self.port}/{self.dbname}"

    @property
    def superuser_url(self) -> str:
        return f"postgresql://{self.SUPERUSER}:{self.password}@127.0.0.1:{self.port}/postgres"

    def __iter__(self):  # allows: url, stop = start_postgres(d)
        return iter((self.url, self.close))

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"<PgServer port={self.port} data={self.datadir} running={self.running}>"


_LIVE: set[PgServer] = set()


@atexit.register
def _stop_leftovers():  # don't leave orphan postmasters behind if a test run dies
    for srv in list(_LIVE):
        try:
            srv.stop("immediate")
        except Exception:
            pass


def start_postgres(base_dir, **kwargs) -> PgServer:
    """Init + start a server under ``base_dir``.

    Returns a PgServer which also unpacks as ``(url, stop_fn)``::

        url, stop = start_postgres(d)        # stop() == srv.close()
        srv = start_postgres(d); srv.restart()
    """
    srv = PgServer(base_dir, **kwargs)
    try:
        srv.start()
    except BaseException:
        try:
            srv.close()
        except Exception:
            pass
        raise
    return srv
