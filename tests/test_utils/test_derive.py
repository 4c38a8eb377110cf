# Copyright (c) mmvssm contributors. All rights reserved.
import os.path as osp

import pytest
from mmengine.config import Config, ConfigDict

from mmvssm.utils import derive


def _base() -> ConfigDict:
    sample = dict(type='UniformSample', clip_len=8, num_clips=1)
    return ConfigDict(
        train_pipeline=[
            dict(type='DecordInit'),
            sample,
            dict(type='VideoRandAugment', magnitude=5, num_layers=2),
            dict(type='Resize', scale=(224, 224), keep_ratio=False),
        ],
        val_pipeline=[
            dict(sample, test_mode=True),
            dict(type='Resize', scale=(-1, 224)),
            dict(type='CenterCrop', crop_size=224),
        ],
        test_pipeline=[
            dict(sample, num_clips=4, test_mode=True),
            dict(type='ThreeCrop', crop_size=224),
        ],
        param_scheduler=[
            dict(type='LinearLR', start_factor=0.005, begin=0, end=5),
            dict(
                type='CosineAnnealingLR',
                T_max=65,
                eta_min_ratio=0.005,
                begin=5,
                end=70,
            ),
        ],
    )


def test_retime_sets_every_clip_len_and_nothing_else():
    base = _base()
    train, val, test = derive.retime(base, 16)
    assert [t.get('clip_len') for t in train] == [None, 16, None, None]
    assert val[0] == dict(base.val_pipeline[0], clip_len=16)
    assert test[0]['num_clips'] == 4 and test[0]['clip_len'] == 16
    assert base.train_pipeline[1].clip_len == 8  # the base is not changed


def test_resize_keeps_keep_ratio_sides():
    train, val, test = derive.resize(_base(), 384)
    assert train[3]['scale'] == (384, 384)
    assert val[1]['scale'] == (-1, 384) and val[2]['crop_size'] == 384
    assert test[1]['crop_size'] == 384


def test_update_transform_and_a_missing_one():
    pipeline = derive.update_transform(
        _base().train_pipeline, 'VideoRandAugment', magnitude=7
    )
    assert pipeline[2] == dict(
        type='VideoRandAugment', magnitude=7, num_layers=2
    )
    with pytest.raises(KeyError, match="no 'Flip' transform"):
        derive.update_transform(pipeline, 'Flip', flip_ratio=0.0)


def test_a_base_without_pipelines_is_named():
    with pytest.raises(KeyError, match='test_pipeline'):
        derive.retime(ConfigDict(train_pipeline=[], val_pipeline=[]), 16)


def test_with_pipelines_leaves_unset_loaders_alone():
    train, val, test = derive.with_pipelines([1], None, [3], batch_size=4)
    assert train == dict(batch_size=4, dataset=dict(pipeline=[1]))
    assert val == {} and test == dict(dataset=dict(pipeline=[3]))


def test_official_lr_rule():
    optim, scale = derive.official_lr(1e-4, gpus=16, videos=16)
    # 1e-4 * 16 * 16 * 2 / 256 is not 0.0002 in floats; the rule rounds.
    assert optim == dict(optimizer=dict(lr=0.0002))
    assert scale == dict(base_batch_size=256)
    optim, _ = derive.official_lr(5e-6, 16, 6, weight_decay=1e-8)
    assert optim == dict(optimizer=dict(lr=3.75e-06, weight_decay=1e-8))


def test_warmup_cosine():
    base = _base()
    linear, cosine = derive.warmup_cosine(base, epochs=50)
    assert linear == base.param_scheduler[0]
    assert (cosine['begin'], cosine['T_max'], cosine['end']) == (5, 45, 50)
    linear, cosine = derive.warmup_cosine(base, epochs=10, warmup=2, floor=0.2)
    assert linear['start_factor'] == cosine['eta_min_ratio'] == 0.2
    assert (linear['end'], cosine['begin'], cosine['T_max']) == (2, 2, 8)


def test_decord_and_eval_pipelines():
    sample = dict(type='UniformSample', clip_len=8, num_clips=1)
    train = derive.decord_pipeline(sample, [dict(type='Flip')], io_backend='x')
    assert [t['type'] for t in train] == [
        'DecordInit',
        'UniformSample',
        'DecordDecode',
        'Flip',
        'FormatShape',
        'PackActionInputs',
    ]
    assert train[0] == dict(type='DecordInit', io_backend='x')
    test = derive.eval_pipeline(
        sample, 224, 'ThreeCrop', resize=dict(interpolation='bicubic')
    )
    assert test[3] == dict(
        type='Resize', scale=(-1, 224), interpolation='bicubic'
    )
    assert test[4] == dict(type='ThreeCrop', crop_size=224)


def test_retime_with_sampling_arguments_and_views():
    train, _, test = derive.retime(_base(), 16, frame_interval=4)
    assert train[1]['frame_interval'] == test[0]['frame_interval'] == 4
    views = derive.views(_base(), 2)
    assert views[0]['num_clips'] == 2 and views[0]['clip_len'] == 8
    with pytest.raises(KeyError, match='num_clips'):
        derive.views(ConfigDict(_base(), test_pipeline=[dict(type='A')]), 2)


def test_with_files_and_test_files():
    train, val, test = derive.with_files(
        'videos', 'train.txt', 'val.txt', pipelines=([1], None, [3])
    )
    assert train == dict(
        dataset=dict(
            pipeline=[1],
            ann_file='train.txt',
            data_prefix=dict(video='videos'),
        )
    )
    assert val['dataset']['ann_file'] == test['dataset']['ann_file']
    assert test['dataset']['pipeline'] == [3] and 'pipeline' not in val
    assert derive.test_files('t.txt', 'v') == dict(
        dataset=dict(ann_file='t.txt', data_prefix=dict(video='v'))
    )


def test_base_novel_files_and_video_eval():
    train, val, test = derive.base_novel_files(
        'splits', 'videos', 51, 50, pipelines=(None, None, [3])
    )
    assert train['dataset']['ann_file'] == 'splits/fs_base_s1_train.txt'
    assert val['dataset']['novel']['ann_file'] == 'splits/novel_val.txt'
    assert 'pipeline' not in val['dataset']['base']
    assert test['dataset']['base']['pipeline'] == [3]
    assert (val['dataset']['num_base_classes'], 50) == (51, 50)
    val, test = derive.video_eval(_base(), 'val.txt', 'videos')
    assert val['dataset']['_delete_'] and val['dataset']['test_mode']
    assert test['dataset']['pipeline'] == _base().test_pipeline


def test_model_deltas():
    base = ConfigDict(
        model=dict(
            data_preprocessor=dict(
                blending=dict(augments=[dict(type='Mixup', num_classes=4)])
            )
        )
    )
    model = derive.classes(base, 10)
    assert model['cls_head'] == dict(num_classes=10)
    mix = model['data_preprocessor']['blending']['augments']
    assert mix == [dict(type='Mixup', num_classes=10)]
    assert 'data_preprocessor' not in derive.classes(ConfigDict(model={}), 3)
    branch = derive.text_classes('n_{}.csv', 'd_{}.json', base_novel=True)
    assert branch['cls_head']['text_branch'] == dict(
        class_names='n_base.csv',
        novel_class_names='n_novel.csv',
        spatial_descriptions='d_s.json',
        temporal_descriptions='d_t.json',
    )
    branch = derive.text_classes('ucf101', novel_class_names=None)
    assert branch['cls_head']['text_branch'] == dict(
        class_names='ucf101', novel_class_names=None
    )
    assert derive.model_size('small', 384, 0.35) == dict(
        backbone=dict(arch='small', drop_path_rate=0.35),
        cls_head=dict(in_channels=384),
    )
    sized = derive.model_size('small', 384, 0.35, 'w.pth')
    assert sized['backbone']['init_cfg'] == dict(checkpoint='w.pth')
    clip = derive.clip_size('l14', 'l.pt', 768)
    encoder = clip['cls_head']['text_branch']['text_encoder']
    assert clip['backbone']['foundation'] == encoder
    assert encoder['init_cfg']['checkpoint'] == 'l.pt'


def test_linear_cosine():
    linear, cosine = derive.linear_cosine(30, 2.5, 0.01, eta_min=0.0)
    assert (linear['start_factor'], linear['end']) == (0.01, 2.5)
    assert (cosine['begin'], cosine['T_max'], cosine['end']) == (2.5, 27.5, 30)
    assert cosine['eta_min'] == 0.0 and cosine['convert_to_iter_based']
    # warmup_cosine re-derives what linear_cosine writes.
    base = ConfigDict(param_scheduler=[linear, cosine])
    assert derive.warmup_cosine(base, epochs=30) == [linear, cosine]


def test_a_config_row_using_derive(tmp_path):
    base = tmp_path / 'base.py'
    base.write_text(
        'num_frames = 8\n'
        f'train_pipeline = {_base().train_pipeline!r}\n'
        f'val_pipeline = {_base().val_pipeline!r}\n'
        f'test_pipeline = {_base().test_pipeline!r}\n'
        'train_dataloader = dict(batch_size=8, dataset=dict(pipeline=[]))\n'
        'val_dataloader = dict(dataset=dict(pipeline=[]))\n'
        'test_dataloader = dict(dataset=dict(pipeline=[]))\n'
    )
    row = tmp_path / 'row.py'
    row.write_text(
        "_base_ = ['./base.py']\n"
        'from mmvssm.utils import derive\n\n'
        'num_frames = 16\n'
        'train_pipeline, val_pipeline, test_pipeline = '
        'derive.retime(_base_, num_frames)\n'
        'train_dataloader, val_dataloader, test_dataloader = '
        'derive.with_pipelines(train_pipeline, val_pipeline, test_pipeline, '
        'batch_size=2)\n'
    )
    cfg = Config.fromfile(osp.join(tmp_path, 'row.py'))
    assert 'derive' not in cfg
    assert cfg.train_dataloader.batch_size == 2
    assert cfg.train_dataloader.dataset.pipeline[1].clip_len == 16
    assert cfg.test_dataloader.dataset.pipeline[0].clip_len == 16
