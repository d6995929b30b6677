"""The container stack's files agree with each other and with the app (docs/deployment.md)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
CHECKER = shutil.which("docker-compose") or (
    shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0)
needs_checker = pytest.mark.skipif(not CHECKER, reason="neither docker compose nor docker-compose is installed "
                                                       "(.ci/run installs docker-compose)")


def check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(ROOT / "scripts" / "check-compose"), str(path)], capture_output=True, text=True)


@needs_checker
def test_the_compose_file_is_valid():
    done = check(ROOT / "compose.yaml")
    assert done.returncode == 0, done.stderr


@needs_checker
def test_the_check_finds_a_mistake(tmp_path):
    compose = (ROOT / "compose.yaml").read_text()
    broken = compose.replace("    restart: unless-stopped\n", "    restart_policy: always\n", 1)
    (tmp_path / "compose.yaml").write_text(broken)
    done = check(tmp_path / "compose.yaml")
    assert done.returncode != 0
    assert "restart_policy" in done.stderr


def app_servers() -> list[str]:
    return [name for name, service in SERVICES.items() if "command" not in service and "build" not in service
            and service.get("image", "").startswith("amends")]


def test_two_app_servers_behind_the_proxy_and_two_workers():
    assert app_servers() == ["app1", "app2"]
    upstreams = re.search(r"reverse_proxy ([^{]+)\{", (ROOT / "deploy" / "Caddyfile").read_text()).group(1).split()
    assert upstreams == ["app1:8000", "app2:8000"]
    workers = [name for name, service in SERVICES.items() if service.get("command") == ["amends", "worker"]]
    assert workers == ["worker1", "worker2"]


def test_nothing_starts_before_the_migrations_and_they_wait_for_the_database():
    for name in [*app_servers(), "worker1", "worker2"]:
        assert SERVICES[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert SERVICES["migrate"]["depends_on"]["db"] == {"condition": "service_healthy"}
    assert SERVICES["migrate"]["restart"] == "no"


def test_every_value_the_compose_file_asks_for_is_in_the_example():
    asked = set(re.findall(r"\$\{(\w+)[:?}-]", (ROOT / "compose.yaml").read_text()))
    example = {line.split("=", 1)[0] for line in (ROOT / "deploy" / "env.example").read_text().splitlines()
               if line and not line.startswith("#")}
    required = set(re.findall(r"\$\{(\w+):\?", (ROOT / "compose.yaml").read_text()))
    assert required <= example
    assert example <= asked, f"in the example but unused: {example - asked}"


def test_mounted_files_and_the_image_command_exist():
    mounts = [volume.split(":")[0] for service in SERVICES.values() for volume in service.get("volumes", [])
              if volume.startswith("./")]
    assert mounts and all((ROOT / mount).is_file() for mount in mounts)
    containerfile = (ROOT / "Containerfile").read_text()
    assert 'CMD ["scripts/serve"]' in containerfile and (ROOT / "scripts" / "serve").stat().st_mode & 0o111
    log_config = SERVICES["app1"]["environment"]["GRANIAN_LOG_CONFIG"]
    assert (ROOT / log_config.removeprefix("/app/")).is_file()
