# Copyright (c) mmvssm contributors. All rights reserved.
"""1000 bf16 autocast training steps of VideoMamba on the synthetic set stay
finite (tools/misc/precision_check.py, CPU; the scan accumulates in fp32,
the head computes its scores in fp32)."""

import re
import subprocess

import pytest


@pytest.mark.slow
@pytest.mark.long
def test_1000_bf16_steps_stay_finite(tmp_path, repo_root, python):
    result = subprocess.run(
        [
            python,
            'tools/misc/precision_check.py',
            '--dtype',
            'bfloat16',
            '--device',
            'cpu',
            '--iters',
            '1000',
            '--batch-size',
            '2',
            '--resolution',
            '32',
            '--work-dir',
            str(tmp_path / 'precision'),
        ],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    out = result.stdout + result.stderr
    print(out[-600:])
    assert result.returncode == 0, out[-4000:]
    assert re.search(
        r'bfloat16 on cpu: 1000 steps in \d+ s; non-finite losses 0, '
        r'non-finite weights 0',
        out,
    ), out[-2000:]
