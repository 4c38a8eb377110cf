# Copyright (c) mmvssm contributors. All rights reserved.
import subprocess
import sys
import zipfile

import pytest
import torch
import torch.nn.functional as F

from mmvssm.models.text import (
    ACTIONCLIP_TEMPLATES,
    PromptTextBranch,
    load_class_names,
    readable_class_name,
)
from mmvssm.models.text.text_branch import CLASS_NAME_FILES

TINY_TEXT = dict(width=64, depth=2, num_heads=2, embed_dims=32)


@pytest.mark.parametrize(
    'name,count,first,last',
    [
        ('kinetics400', 400, 'abseiling', 'zumba'),
        ('kinetics600', 600, 'abseiling', 'zumba'),
        ('hmdb51', 51, 'brush_hair', 'wave'),
        ('ucf101', 101, 'ApplyEyeMakeup', 'YoYo'),
        ('sthv2', 174, 'Approaching something with your camera', None),
    ],
)
def test_shipped_class_names(name, count, first, last):
    names = load_class_names(name)
    assert len(names) == count == len(set(names))
    assert names[0] == first and (last is None or names[-1] == last)


def test_class_name_orders():
    from torchvision.models.video import R3D_18_Weights

    k400 = R3D_18_Weights.KINETICS400_V1.meta['categories']
    assert load_class_names('kinetics400') == list(k400)
    # mmaction2 numbers HMDB51's classes by their sorted folder names.
    hmdb = load_class_names('hmdb51')
    assert hmdb == sorted(hmdb)
    assert hmdb.index('kick') + 1 == hmdb.index('kick_ball')
    ucf = load_class_names('ucf101')
    assert ucf.index('Hammering') + 1 == ucf.index('HammerThrow')
    k600 = load_class_names('kinetics600')
    assert k600 == sorted(k600)
    synthetic = load_class_names('synthetic_motion')
    assert synthetic[:2] == ['moving_left', 'moving_right']


def test_class_names_from_files(tmp_path):
    plain = tmp_path / 'names.txt'
    plain.write_text('jumping\n\nrunning fast\n')
    assert load_class_names(str(plain)) == ['jumping', 'running fast']
    vifi = tmp_path / 'labels.csv'
    vifi.write_text('id,name\n0,brush hair\n1,"Approaching something"\n')
    assert load_class_names(str(vifi)) == [
        'brush hair',
        'Approaching something',
    ]
    with pytest.raises(FileNotFoundError, match='neither a shipped list'):
        load_class_names('kinetics700')
    with pytest.raises(ValueError, match='non-empty'):
        load_class_names([])


@pytest.mark.parametrize(
    'raw,readable',
    [
        ('brush_hair', 'brush hair'),
        ('ApplyEyeMakeup', 'apply eye makeup'),
        ('YoYo', 'yo yo'),
        ('passing American football (not in game)', None),
        ('moving_left', 'moving left'),
    ],
)
def test_readable_class_name(raw, readable):
    assert readable_class_name(raw) == (readable or raw)


def _branch(**kwargs):
    torch.manual_seed(0)
    cfg = dict(
        text_encoder=dict(type='CLIPTextTransformer', arch=TINY_TEXT),
        class_names=['brush_hair', 'ride_bike', 'ApplyEyeMakeup'],
    )
    cfg.update(kwargs)
    return PromptTextBranch(**cfg).eval()


def test_embeddings_are_the_normalised_template_mean():
    branch = _branch()
    assert len(branch.templates) == 16 and branch.num_classes == 3
    prompts = branch.prompts()
    assert prompts[0][2] == ACTIONCLIP_TEMPLATES[0].format('apply eye makeup')
    emb = branch()
    assert emb.shape == (3, 32)
    torch.testing.assert_close(emb.norm(dim=-1), torch.ones(3))
    with torch.no_grad():
        enc = branch.text_encoder
        each = [
            F.normalize(enc.encode_texts([p[k] for p in prompts]), dim=-1)
            for k in range(3)
        ]
        expected = F.normalize(torch.stack([e.mean(0) for e in each]), dim=-1)
    torch.testing.assert_close(emb, expected, atol=1e-6, rtol=0)
    assert (
        _branch(templates='video').prompts()[0][1] == 'a video of a ride bike.'
    )
    assert _branch(templates='photo', readable_names=False).prompts()[0][
        0
    ] == ('a photo of a brush_hair.')
    with pytest.raises(ValueError, match='unknown templates'):
        _branch(templates='movie')
    with pytest.raises(ValueError, match='class name'):
        _branch(templates=['no placeholder'])


def test_cache_is_a_non_persistent_buffer():
    branch = _branch()
    first = branch()
    assert branch() is first  # computed once
    assert 'cached_embeddings' not in branch.state_dict()
    branch.train()
    assert branch.cached_embeddings is None  # training may change weights
    # A trainable encoder is run (with gradients) at every training step.
    out = branch()
    assert out.requires_grad and branch.cached_embeddings is None
    out.sum().backward()
    assert branch.text_encoder.text_projection.grad is not None


def test_wheel_ships_the_class_name_files(tmp_path, repo_root):
    import shutil

    # Build from a copy: setuptools writes build/ and *.egg-info next to
    # setup.py.
    src = tmp_path / 'src'
    shutil.copytree(
        repo_root,
        src,
        ignore=shutil.ignore_patterns(
            '.git',
            '.venv',
            'venv',
            'build',
            '*.egg-info',
            '.mim',
            'data',
            'work_dirs',
            'tests',
            '__pycache__',
        ),
    )
    result = subprocess.run(
        [
            sys.executable,
            '-m',
            'pip',
            'wheel',
            '--no-deps',
            '--no-build-isolation',
            '-q',
            '-w',
            str(tmp_path),
            str(src),
        ],
        cwd=str(src),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    (wheel,) = tmp_path.glob('mmvssm-*.whl')
    names = zipfile.ZipFile(wheel).namelist()
    for file in CLASS_NAME_FILES.values():
        assert f'mmvssm/models/text/class_names/{file}' in names
    # mim reads the configs from the installed package.
    assert 'mmvssm/.mim/configs/_base_/default_runtime.py' in names
