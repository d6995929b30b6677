"""A throwaway Dovecot IMAP server on 127.0.0.1, for the tests and bench/intake_mail.py.

Debian's dovecot-imapd, started in the foreground from a minimal configuration in a temporary
folder: plaintext login on loopback, one user from a passwd-file, Maildir storage, no TLS.
Run as root it hands mail to `nobody`; run as another user, everything runs as that user.
"""

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from imapclient import IMAPClient

DOVECOT = "/usr/sbin/dovecot"
USER = "complaints"
PASSWORD = "imap-test-password"

_CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
instance_name = amends-{port}
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
mail_fsync = never
first_valid_uid = 1
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
protocol imap {{
  mail_max_userip_connections = 100
}}
"""


def dovecot_installed() -> bool:
    return os.access(DOVECOT, os.X_OK)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Dovecot:
    """`with Dovecot() as server:` — a running server; `server.client()` logs in as the test user."""

    host = "127.0.0.1"
    user = USER
    password = PASSWORD

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="amends-dovecot-"))
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Dovecot":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        if os.geteuid() == 0:
            mail_owner = pwd.getpwnam("nobody")
            login_user, internal_user, internal_group = "dovenull", "dovecot", "dovecot"
        else:
            mail_owner = pwd.getpwuid(os.geteuid())
            login_user = internal_user = mail_owner.pw_name
            internal_group = grp.getgrgid(os.getegid()).gr_name
        os.chmod(self.root, 0o755)
        (self.root / "mail" / USER).mkdir(parents=True)
        for folder in (self.root / "mail", self.root / "mail" / USER):
            os.chown(folder, mail_owner.pw_uid, mail_owner.pw_gid)
        (self.root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        os.chmod(self.root / "users", 0o644)
        config = self.root / "dovecot.conf"
        config.write_text(_CONFIG.format(
            root=self.root, port=self.port, uid=mail_owner.pw_uid, gid=mail_owner.pw_gid,
            login_user=login_user, internal_user=internal_user, internal_group=internal_group,
        ))
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Dovecot exited: {self.process.stdout.read().decode()} {self.log()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as conn:
                    if conn.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"Dovecot did not start listening on {self.port}: {self.log()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def client(self) -> IMAPClient:
        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=10)
        client.login(self.user, self.password)
        return client

    def deliver(self, *messages: bytes, folder: str = "INBOX") -> None:
        """Put messages into a folder as a mail server delivers them: unread."""
        client = self.client()
        try:
            for raw in messages:
                client.append(folder, raw, flags=())
        finally:
            client.logout()

    def mailbox_settings(self) -> dict:
        """Keyword arguments for a Mailbox pointing at this server."""
        return {"host": self.host, "port": self.port, "use_ssl": False, "username": self.user,
                "password": self.password}
