# Copyright (c) mmvssm contributors. All rights reserved.
"""bf16 autocast training steps of a real VideoMamba recognizer on CPU."""

import torch
from mmaction.structures import ActionDataSample
from mmengine.optim import OptimWrapper
from mmengine.registry import DefaultScope

from mmvssm.registry import MODELS
from mmvssm.utils.amp_fixes import fix_bf16_head_scores


def build_model():
    with DefaultScope.overwrite_default_scope('mmvssm'):
        return MODELS.build(
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


def test_bf16_autocast_train_steps_stay_finite():
    fix_bf16_head_scores()
    torch.manual_seed(0)
    model = build_model()
    head_dtypes = []
    model.cls_head.fc_cls.register_forward_hook(
        lambda module, args, out: head_dtypes.append(out.dtype)
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
    # The backbone ran in bf16, the head's scores were computed in fp32.
    assert head_dtypes == [torch.float32] * 3
    assert all(torch.isfinite(p).all() for p in model.parameters())
    model.eval()
    with torch.no_grad(), torch.autocast('cpu', dtype=torch.bfloat16):
        (pred,) = model.val_step(
            dict(data, data_samples=samples[:1], inputs=data['inputs'][:1])
        )
    assert pred.pred_score.dtype == torch.float32


def test_head_scores_under_autocast_equal_fp32():
    fix_bf16_head_scores()
    torch.manual_seed(0)
    head = build_model().cls_head.eval()
    feats = torch.randn(2, 1, 32).to(torch.bfloat16) * 4
    samples = [ActionDataSample() for _ in range(2)]
    with torch.no_grad():
        expected = head.predict(feats.float(), samples)
        with torch.autocast('cpu', dtype=torch.bfloat16):
            got = head.predict(feats, [ActionDataSample() for _ in range(2)])
    for a, b in zip(expected, got):
        assert b.pred_score.dtype == torch.float32
        assert torch.allclose(a.pred_score, b.pred_score, atol=1e-6)
