"""The Debian package: built with the README's command, installed with dpkg,
working once installed, and gone after a purge.

This test changes the machine (it installs a package as root, then purges it),
so it runs only as root, and it skips rather than touch a sluice package that
was installed before it started. It restores a pre-existing `sluice` user that
the purge removes.
"""

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import pytest

from sluice_harness import free_port, port_accepts, wait_until
from test_service import produce_and_consume, sluiced_process, stop_by_pid

REPO = Path(__file__).resolve().parents[2]
PACKAGE = "sluice"
FILES = {
    "/usr/sbin/sluiced": "the broker",
    "/usr/bin/sluice": "the command-line tool",
    "/etc/sluice/sluice.yaml": "the default configuration",
    "/usr/lib/systemd/system/sluiced.service": "the unit",
    "/usr/lib/systemd/system/sluiced@.service": "the template unit",
}


def run(argv, timeout=300, check=True, **kw):
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=timeout, **kw)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, argv))} exited {r.returncode}:\n"
                             f"stdout:\n{r.stdout[-3000:]}\nstderr:\n{r.stderr[-3000:]}")
    return r


def installed():
    r = run(["dpkg-query", "-W", "-f=${Status}", PACKAGE], check=False)
    return r.returncode == 0 and "installed" in r.stdout and "not-installed" not in r.stdout


def package_state():
    r = run(["dpkg-query", "-W", "-f=${Status}", PACKAGE], check=False)
    return r.stdout.strip() if r.returncode == 0 else "unknown"


def user_exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


@pytest.fixture
def build_dir(sluiced_bin):
    # SLUICE_BIN is <build>/broker/sluiced.
    return Path(sluiced_bin).resolve().parent.parent


@pytest.mark.timeout(900)
def test_deb_builds_installs_runs_and_purges(build_dir, topic, closer):
    if os.geteuid() != 0:
        pytest.skip("installing a package needs root")
    if shutil.which("dpkg") is None or shutil.which("cpack") is None:
        pytest.skip("dpkg or cpack is missing")
    if package_state() not in ("unknown", "deinstall ok config-files", "unknown ok not-installed"):
        pytest.skip(f"a {PACKAGE} package is already on this machine ({package_state()}); "
                    "not touching it")
    had_user = user_exists("sluice")

    # 1. Build it as the README says.
    env = dict(os.environ, SLUICE_BUILD_DIR=str(build_dir))
    r = run([str(REPO / "deploy" / "bootstrap.sh"), "package"], env=env, timeout=900)
    deb = Path(r.stdout.strip().splitlines()[-1])
    assert deb.is_file() and deb.suffix == ".deb", r.stdout
    fields = run(["dpkg-deb", "-f", str(deb), "Package", "Version", "Depends"]).stdout
    assert "Package: sluice" in fields, fields
    assert "libsystemd0" in fields, f"shared-library dependencies missing:\n{fields}"

    def purge():
        if installed() or package_state() != "unknown":
            run(["dpkg", "--purge", PACKAGE], check=False)
        if had_user and not user_exists("sluice"):
            run(["useradd", "--system", "--user-group", "--no-create-home", "--home-dir",
                 "/var/lib/sluice", "--shell", "/usr/sbin/nologin", "sluice"], check=False)
    closer(purge)

    # 2. Install with dpkg: files, user and state directory in place.
    run(["dpkg", "-i", str(deb)])
    assert installed(), package_state()
    listed = set(run(["dpkg", "-L", PACKAGE]).stdout.split())
    for path, what in FILES.items():
        assert Path(path).is_file(), f"{what} ({path}) is not installed"
        assert path in listed, f"{path} is not owned by the package"
    user = pwd.getpwnam("sluice")
    state = Path("/var/lib/sluice")
    assert state.is_dir() and state.stat().st_uid == user.pw_uid
    conf = Path("/etc/sluice/sluice.yaml")
    assert oct(conf.stat().st_mode & 0o777) == "0o640", oct(conf.stat().st_mode)
    assert "/etc/sluice/sluice.yaml" in run(["dpkg-query", "-W", "-f=${Conffiles}",
                                             PACKAGE]).stdout

    version = run(["/usr/sbin/sluiced", "--version"]).stdout.strip()
    assert version.startswith("sluiced "), version
    assert run(["/usr/bin/sluice", "--version"]).stdout.strip().startswith("sluice "), \
        "sluice --version"
    if shutil.which("systemd-analyze"):
        run(["systemd-analyze", "verify", "/usr/lib/systemd/system/sluiced.service"])

    # 3. The installed broker runs with the installed configuration as the sluice
    # user, and the installed CLI and a real client talk to it.
    data = Path(tempfile.mkdtemp(prefix="sluice-deb-"))
    closer(lambda: shutil.rmtree(data, ignore_errors=True))
    os.chown(data, user.pw_uid, user.pw_gid)
    port = free_port()
    log_path = data / "sluiced.log"
    log = open(log_path, "wb")
    closer(log.close)
    proc = subprocess.Popen(
        ["runuser", "-u", "sluice", "--", "/usr/sbin/sluiced", "--config", str(conf),
         "--set", f"listeners=PLAINTEXT://127.0.0.1:{port}",
         "--set", f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}",
         "--set", f"log.dirs={data / 'logs'}", "--set", "admin.listeners=127.0.0.1:0",
         "--set", "group.initial.rebalance.delay.ms=0"],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=data)
    closer(lambda: stop_by_pid(proc))

    def up():
        if proc.poll() is not None:
            raise AssertionError(f"installed sluiced exited {proc.returncode}:\n"
                                 f"{log_path.read_text()[-3000:]}")
        return port_accepts(port)
    wait_until(up, 30, f"the installed sluiced on port {port}")
    sluiced_pid = sluiced_process(proc.pid, "/usr/sbin/sluiced")
    produce_and_consume(f"127.0.0.1:{port}", topic, closer)
    listing = run(["/usr/bin/sluice", "-b", f"127.0.0.1:{port}", "topic", "list"]).stdout
    assert topic in listing.split(), listing
    os.kill(sluiced_pid, signal.SIGTERM)
    assert proc.wait(30) == 0, log_path.read_text()[-3000:]

    # 4. Purge: binaries, unit, configuration, state and user are gone.
    run(["dpkg", "--purge", PACKAGE])
    assert package_state() in ("unknown", "unknown ok not-installed"), package_state()
    for path, what in FILES.items():
        assert not Path(path).exists(), f"{what} ({path}) survived the purge"
    assert not Path("/etc/sluice").exists(), "/etc/sluice survived the purge"
    assert not state.exists(), "/var/lib/sluice survived the purge"
    assert not user_exists("sluice"), "the sluice user survived the purge"
