# Copyright (c) mmvssm contributors. All rights reserved.
"""bf16 autocast training steps of a real VideoMamba recognizer on CPU."""

import torch
from mmaction.structures import ActionDataSample
from mmengine.optim import OptimWrapper
from mmengine.registry import DefaultScope

from mmvssm.registry import MODELS
from mmvssm.utils.amp_fixes import fix_bf16_head_scores


def test_bf16_autocast_train_steps_stay_finite():
    fix_bf16_head_scores()
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmvssm'):
        model = MODELS.build(
            dict(
                type='Recognizer3D',
                backbone=dict(
                    type='VideoMamba',
                    arch=dict(embed_dims=32, num_layers=2),
                    img_size=32,
                    patch_size=8,
                    num_frames=4,
                    tubelet_size=2,
                    drop_path_rate=0.1,
                ),
                cls_head=dict(
                    type='TimeSformerHead', num_classes=4, in_channels=32
                ),
                data_preprocessor=dict(
                    type='ActionDataPreprocessor', format_shape='NCTHW'
                ),
            )
        )
    wrapper = OptimWrapper(torch.optim.AdamW(model.parameters(), lr=1e-3))
    samples = [ActionDataSample().set_gt_label(i % 4) for i in range(4)]
    data = dict(
        inputs=[torch.rand(1, 3, 4, 32, 32) * 255 for _ in samples],
        data_samples=samples,
    )
    for _ in range(3):
        with torch.autocast('cpu', dtype=torch.bfloat16):
            log = model.train_step(data, wrapper)
        assert torch.isfinite(log['loss'])
    assert all(torch.isfinite(p).all() for p in model.parameters())
    model.eval()
    with torch.no_grad(), torch.autocast('cpu', dtype=torch.bfloat16):
        (pred,) = model.val_step(
            dict(data, data_samples=samples[:1], inputs=data['inputs'][:1])
        )
    assert pred.pred_score.dtype == torch.float32
