"""Running itemhub's own console script as a separate process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ITEMHUB = Path(sys.executable).with_name("itemhub")


def itemhub(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [str(ITEMHUB), *args],
        cwd=cwd,
        env=os.environ | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
