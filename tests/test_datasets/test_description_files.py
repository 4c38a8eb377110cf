# Copyright (c) mmvssm contributors. All rights reserved.
"""Description files: loading, one-line errors, the check tool."""

import json
import subprocess
import sys

import pytest

from mmvssm.datasets import (
    DESCRIPTION_FILES,
    DescriptionFileError,
    load_descriptions,
)


def _write(tmp_path, obj, name='d.json'):
    path = tmp_path / name
    path.write_text(obj if isinstance(obj, str) else json.dumps(obj))
    return str(path)


def test_shipped_synthetic_files_load():
    for name in DESCRIPTION_FILES:
        classes = 8 if not name.endswith(('_base', '_novel')) else 4
        d = load_descriptions(name, classes, 2)
        assert len(d) == classes and all(len(s) == 2 for s in d)
    base = load_descriptions('synthetic_motion_temporal_base')
    novel = load_descriptions('synthetic_motion_temporal_novel')
    full = load_descriptions('synthetic_motion_temporal')
    assert full == base + novel  # split files are re-indexed from 0


@pytest.mark.parametrize(
    'obj, kwargs, message',
    [
        ({'0': ['a'], '2': ['b']}, {}, 'class "1" is missing'),
        ({'0': ['a'], '1': []}, {}, 'class "1": empty list'),
        (
            {'0': ['a'], '1': ['b'], '2': ['c']},
            dict(num_classes=2),
            'class index "2" out of range',
        ),
        (
            {'0': ['a', 'b'], '1': ['c']},
            dict(num_per_class=2),
            'class "1" has 1 descriptions, expected N = 2',
        ),
        ({'0': ['a'], 'x': ['b']}, {}, "key 'x' is not a class index"),
        ({'0': 'a sentence'}, {}, 'expected a list of sentences'),
        ({'0': ['a', '']}, {}, 'non-empty string'),
        ('[1, 2]', {}, 'expected a JSON object'),
        ('{"0": ["a"],}', {}, 'invalid JSON at line 1'),
        ('{"0": ["a"], "0": ["b"]}', {}, "class '0' appears more than once"),
    ],
)
def test_bad_files_raise_one_line(tmp_path, obj, kwargs, message):
    path = _write(tmp_path, obj)
    with pytest.raises(DescriptionFileError) as err:
        load_descriptions(path, **kwargs)
    text = str(err.value)
    assert message in text and path in text and '\n' not in text


def test_missing_file(tmp_path):
    with pytest.raises(DescriptionFileError, match='does not exist'):
        load_descriptions(str(tmp_path / 'none.json'))


def _tool(*args):
    return subprocess.run(
        [sys.executable, 'tools/misc/check_descriptions.py', *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_descriptions_tool(tmp_path, repo_root, monkeypatch):
    monkeypatch.chdir(repo_root)
    ok = _tool('synthetic_motion_spatial', 'synthetic_motion', '--num', '2')
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert 'OK, 8 classes x 2 descriptions' in ok.stdout
    bad = _write(tmp_path, {'0': ['a', 'b'], '1': [], '3': ['c', 'd']})
    names = tmp_path / 'names.csv'
    names.write_text('id,name\n0,run\n1,jump\n2,sit\n')
    out = _tool(bad, str(names))
    assert out.returncode == 1
    errors = [ln for ln in out.stdout.splitlines() if ln.startswith('error:')]
    assert len(errors) == 3, out.stdout
    assert any('class "2" is missing' in e for e in errors)
    assert any('"3" out of range' in e for e in errors)
    assert 'Traceback' not in out.stderr
