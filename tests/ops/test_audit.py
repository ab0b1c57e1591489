"""`make bandit` (CI) passes on the code and fails on a high-severity finding."""

import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
BANDIT = [sys.executable, "-m", "bandit", "-c", str(BASE_DIR / "pyproject.toml")]
HIGH = ["--severity-level", "high", "--quiet"]


def bandit(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*BANDIT, *args], cwd=BASE_DIR, capture_output=True, text=True, timeout=300
    )


def test_the_code_has_no_high_severity_findings():
    result = bandit("-r", ".", *HIGH)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_high_severity_finding_fails(tmp_path):
    (tmp_path / "bad.py").write_text(
        "import subprocess\n\ndef run(name):\n    subprocess.call('ls ' + name, shell=True)\n"
    )
    result = bandit("-r", str(tmp_path), *HIGH)
    assert result.returncode == 1
    assert "B602" in result.stdout
