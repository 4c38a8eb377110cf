# Copyright (c) mmvssm contributors. All rights reserved.
"""tools/misc/soak.py at a small size: broken files mixed into real clips,
checked, trained on and tested with the real tools, counts verified."""

import re
import subprocess

import pytest


@pytest.mark.slow
def test_soak_completes_with_the_right_counts(tmp_path, repo_root, python):
    result = subprocess.run(
        [
            python,
            'tools/misc/soak.py',
            '--num-good',
            '48',
            '--num-bad',
            '8',
            '--epochs',
            '2',
            '--work-dir',
            str(tmp_path / 'soak'),
        ],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=900,
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-4000:]
    assert 'soak: PASSED' in out
    assert 'check_dataset: 8 bad of 56 listed' in out
    assert 'train: 8 bad files reported, 8 distinct' in out
    assert re.search(r'8 of 56 test samples were skipped', out), out
    assert 'FAIL' not in out
