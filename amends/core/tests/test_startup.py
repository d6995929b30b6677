"""A process starts without the heavy libraries only some of its work needs: the MTA starts one
mail gate per message, and every command, worker and server process pays for what setup imports."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HEAVY = ("sklearn", "scipy", "fpdf")


def test_setup_and_the_schedule_leave_scikit_learn_and_fpdf_to_the_work_that_needs_them(tmp_path):
    # The worker's schedule imports each periodic job's module to enqueue it.
    found = subprocess.run(
        [sys.executable, "-c", "import sys, django; django.setup(); from django.utils.module_loading import "
                               "import_string; from amends.jobs.schedule import PERIODIC; "
                               "[import_string(job.task) for job in PERIODIC]; "
                               f"print(' '.join(name for name in {HEAVY!r} if name in sys.modules))"],
        cwd=ROOT, capture_output=True, text=True, check=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings.base",
             "AMENDS_VAR_DIR": str(tmp_path)},
    )
    assert found.stdout.strip() == ""
