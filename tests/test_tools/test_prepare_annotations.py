# Copyright (c) mmvssm contributors. All rights reserved.
"""Official annotation files -> mmaction2 lists, on real small videos."""

import json
import os.path as osp
import subprocess

import numpy as np
import pytest

from mmvssm.datasets.motion_render import write_mp4

TOOL = 'tools/data/prepare_annotations.py'


def _video(path, frames=4):
    rng = np.random.default_rng(0)
    data = rng.integers(0, 255, (frames, 32, 32, 3), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_mp4(str(path), data, 4)


def _run(repo_root, python, *args):
    return subprocess.run(
        [python, TOOL, *args],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _list(path):
    with open(path) as f:
        return [line.split() for line in f]


def test_ucf101(tmp_path, repo_root, python):
    ann, videos, out = tmp_path / 'ann', tmp_path / 'videos', tmp_path / 'out'
    ann.mkdir()
    (ann / 'classInd.txt').write_text('1 ApplyEyeMakeup\n2 Archery\n')
    names = {
        'a': 'ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi',
        'b': 'Archery/v_Archery_g01_c01.avi',
        'c': 'Archery/v_Archery_g02_c01.avi',  # never downloaded
        'd': 'ApplyEyeMakeup/v_ApplyEyeMakeup_g02_c01.avi',  # zero bytes
    }
    for i in (1, 2, 3):
        (ann / f'trainlist0{i}.txt').write_text(
            f'{names["a"]} 1\n{names["b"]} 2\n{names["c"]} 2\n'
        )
        (ann / f'testlist0{i}.txt').write_text(f'{names["d"]}\n')
    for key in 'ab':
        _video(videos / names[key].replace('.avi', '.mp4'))
    (videos / 'ApplyEyeMakeup' / 'v_ApplyEyeMakeup_g02_c01.mp4').write_bytes(
        b''
    )
    result = _run(
        repo_root,
        python,
        'ucf101',
        '--ann-dir',
        str(ann),
        '--video-dir',
        str(videos),
        '--out-dir',
        str(out),
        '--check-videos',
    )
    assert result.returncode == 0, result.stderr[-3000:]
    train = _list(out / 'ucf101_train_split_1_videos.txt')
    assert train == [
        ['ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.mp4', '0'],
        ['Archery/v_Archery_g01_c01.mp4', '1'],
    ]
    missing = (out / 'ucf101_train_split_1_videos.missing.txt').read_text()
    assert missing.split() == ['v_Archery_g02_c01']
    assert _list(out / 'ucf101_val_split_1_videos.txt') == []
    unreadable = (out / 'ucf101_val_split_1_videos.unreadable.txt').read_text()
    assert 'v_ApplyEyeMakeup_g02_c01.mp4 empty file' in unreadable
    assert '2 videos, 1 missing' in result.stdout
    assert '0 videos, 1 unreadable' in result.stdout


def test_kinetics400_labels_in_mmaction2_order(tmp_path, repo_root, python):
    from mmvssm.models.text.text_branch import load_class_names

    classes = load_class_names('kinetics400')
    ann, videos, out = tmp_path / 'ann', tmp_path / 'videos', tmp_path / 'out'
    ann.mkdir()
    header = 'label,youtube_id,time_start,time_end,split\n'
    (ann / 'train.csv').write_text(
        header + f'{classes[5]},abc,10,20,train\n'
        f'"{classes[399]}",xyz,0,10,train\n'
    )
    (ann / 'validate.csv').write_text(header + f'{classes[0]},qqq,3,13,val\n')
    _video(videos / classes[5] / 'abc_000010_000020.mp4')
    _video(videos / 'xyz_000000_000010.mp4')
    result = _run(
        repo_root,
        python,
        'kinetics400',
        '--ann-dir',
        str(ann),
        '--video-dir',
        str(videos),
        '--out-dir',
        str(out),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert _list(out / 'kinetics400_train_list_videos.txt') == [
        [osp.join(classes[5], 'abc_000010_000020.mp4'), '5'],
        ['xyz_000000_000010.mp4', '399'],
    ]
    assert (
        'qqq_000003_000013'
        in (out / 'kinetics400_val_list_videos.missing.txt').read_text()
    )


def test_sthv2_and_hmdb51(tmp_path, repo_root, python):
    ann, videos, out = tmp_path / 'ann', tmp_path / 'videos', tmp_path / 'out'
    ann.mkdir()
    (ann / 'something-something-v2-labels.json').write_text(
        json.dumps({'Holding something': '1', 'Pushing something': '0'})
    )
    for name, ids in [('train', [7]), ('validation', [9])]:
        items = [
            dict(id=str(i), template='Pushing [something]', label='x')
            for i in ids
        ]
        (ann / f'something-something-v2-{name}.json').write_text(
            json.dumps(items)
        )
    _video(videos / '7.webm'.replace('.webm', '.mp4'))
    result = _run(
        repo_root,
        python,
        'sthv2',
        '--ann-dir',
        str(ann),
        '--video-dir',
        str(videos),
        '--out-dir',
        str(out),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert _list(out / 'sthv2_train_list_videos.txt') == [['7.mp4', '0']]

    hmdb = tmp_path / 'hmdb'
    hmdb.mkdir()
    for cls in ('kick_ball', 'kick'):
        for i in (1, 2, 3):
            (hmdb / f'{cls}_test_split{i}.txt').write_text(
                f'{cls}_a.avi 1\n{cls}_b.avi 2\n{cls}_c.avi 0\n'
            )
        for v in 'abc':
            _video(videos / cls / f'{cls}_{v}.mp4')
    result = _run(
        repo_root,
        python,
        'hmdb51',
        '--ann-dir',
        str(hmdb),
        '--video-dir',
        str(videos),
        '--out-dir',
        str(out),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert _list(out / 'hmdb51_train_split_2_videos.txt') == [
        ['kick/kick_a.mp4', '0'],
        ['kick_ball/kick_ball_a.mp4', '1'],
    ]


@pytest.mark.parametrize(
    'write, expected',
    [
        (lambda ann: None, 'classInd.txt does not exist'),
        (
            lambda ann: (
                (ann / 'classInd.txt').write_text('1 A\n'),
                (ann / 'trainlist01.txt').write_text('B/v_B.avi 1\n'),
            ),
            "trainlist01.txt:1: 'B' is not in classInd.txt",
        ),
    ],
)
def test_bad_annotations_are_one_line(
    tmp_path, repo_root, python, write, expected
):
    ann = tmp_path / 'ann'
    ann.mkdir()
    write(ann)
    result = _run(
        repo_root,
        python,
        'ucf101',
        '--ann-dir',
        str(ann),
        '--video-dir',
        str(tmp_path),
        '--out-dir',
        str(tmp_path / 'out'),
    )
    assert result.returncode == 1 and 'Traceback' not in result.stderr
    assert expected in result.stderr.strip().splitlines()[-1]


def test_missing_list_at_train_time_points_here(tmp_path):
    from mmvssm.datasets import AnnotationError, VideoDataset

    missing = str(tmp_path / 'kinetics400_train_list_videos.txt')
    with pytest.raises(AnnotationError) as err:
        VideoDataset(ann_file=missing, pipeline=[])
    message = str(err.value)
    assert '\n' not in message and missing in message
    assert 'tools/data/prepare_annotations.py' in message


def test_coin_task_labels(tmp_path, repo_root, python):
    ann, videos, out = tmp_path / 'ann', tmp_path / 'videos', tmp_path / 'out'
    ann.mkdir()
    database = {
        'vidA': dict(recipe_type=3, subset='training', annotation=[]),
        'vidB': dict(recipe_type=0, subset='testing', annotation=[]),
        'vidC': dict(recipe_type=7, subset='training', annotation=[]),
    }
    (ann / 'COIN.json').write_text(json.dumps(dict(database=database)))
    _video(videos / 'vidA.mp4')
    _video(videos / 'sub' / 'vidB.mp4')  # vidC is missing
    result = _run(
        repo_root, python, 'coin', '--ann-dir', str(ann), '--video-dir',
        str(videos), '--out-dir', str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert _list(out / 'coin_train_list_videos.txt') == [['vidA.mp4', '3']]
    assert _list(out / 'coin_test_list_videos.txt') == [['sub/vidB.mp4', '0']]
    missing = (out / 'coin_train_list_videos.missing.txt').read_text()
    assert 'vidC' in missing
    database['vidB']['subset'] = 'validation'
    (ann / 'COIN.json').write_text(json.dumps(dict(database=database)))
    result = _run(
        repo_root, python, 'coin', '--ann-dir', str(ann), '--video-dir',
        str(videos), '--out-dir', str(out),
    )  # fmt: skip
    assert result.returncode != 0 and 'Traceback' not in result.stderr
    assert "'vidB'" in result.stderr.strip().splitlines()[-1]
