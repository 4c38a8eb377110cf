# Copyright (c) mmvssm contributors. All rights reserved.
"""VideoMamba + CLIP text retrieval model and the caption datasets."""

import json

import pytest
import torch
from mmaction.structures import ActionDataSample


def _model(**kwargs):
    from mmvssm.registry import MODELS

    cfg = dict(
        type='VideoTextRetriever',
        backbone=dict(
            type='VideoMamba',
            arch=dict(embed_dims=32, num_layers=2),
            img_size=32,
            patch_size=8,
            num_frames=4,
            tubelet_size=2,
        ),
        text_encoder=dict(
            type='CLIPTextTransformer',
            arch=dict(width=32, depth=1, num_heads=2, embed_dims=16),
        ),
        embed_dims=24,
    )
    cfg.update(kwargs)
    return MODELS.build(cfg)


def _samples(captions, ids):
    out = []
    for text, vid in zip(captions, ids):
        s = ActionDataSample()
        s.set_metainfo(dict(caption=text, video_id=vid))
        out.append(s)
    return out


def test_losses_and_predict():
    torch.manual_seed(0)
    model = _model()
    x = torch.randn(3, 3, 4, 32, 32)
    samples = _samples(['a dog runs', 'a cat sleeps', 'a dog runs'], [0, 1, 2])
    losses = model(x, samples, mode='loss')
    assert set(losses) == {'loss_vtc', 'loss_vtm'}
    total = sum(losses.values())
    assert torch.isfinite(total)
    total.backward()
    assert model.backbone.patch_embed.proj.weight.grad.abs().sum() > 0
    assert model.text_encoder.token_embedding.weight.grad.abs().sum() > 0
    assert model.itm_head[0].weight.grad.abs().sum() > 0
    with torch.no_grad():
        out = model(x, samples, mode='predict')
    for s in out:
        assert s.video_feat.shape == (24,) and s.text_feat.shape == (24,)
        torch.testing.assert_close(s.video_feat.norm(), torch.tensor(1.0))
    # cls+avg pooling: changing a patch token changes the embedding
    assert model(x, mode='tensor').shape == (3, 24)


def test_same_video_captions_are_positives():
    import torch.nn.functional as F

    torch.manual_seed(0)
    model = _model(matching_weight=0.0)
    x = torch.randn(3, 3, 4, 32, 32)
    texts = ['one', 'two', 'three']
    losses = model(x, _samples(texts, [5, 5, 6]), mode='loss')
    assert set(losses) == {'loss_vtc'}
    with torch.no_grad():
        v = F.normalize(model.encode_video(x), dim=-1)
        t = F.normalize(model.encode_text(texts), dim=-1)
        logits = model.logit_scale.exp() * v @ t.T
    # samples 0 and 1 show the same video: each is a positive of the other
    target = torch.tensor([[0.5, 0.5, 0], [0.5, 0.5, 0], [0, 0, 1.0]])
    expected = 0.5 * (
        -(target * logits.log_softmax(1)).sum(1).mean()
        - (target * logits.T.log_softmax(1)).sum(1).mean()
    )
    torch.testing.assert_close(
        losses['loss_vtc'].detach(), expected, atol=1e-5, rtol=0
    )


def test_bad_inputs():
    model = _model()
    with pytest.raises(ValueError, match='caption'):
        model(torch.randn(1, 3, 4, 32, 32), [ActionDataSample()], mode='loss')
    with pytest.raises(ValueError, match='pool_type'):
        _model(pool_type='max')


def test_caption_dataset(tmp_path):
    from mmvssm.datasets import AnnotationError, VideoCaptionDataset

    ann = tmp_path / 'test.json'
    ann.write_text(
        json.dumps(
            [
                {'video': 'v0.mp4', 'caption': ['a man cooks', 'cooking']},
                {'video': 'v1.mp4', 'caption': 'a girl sings'},
            ]
        )
    )
    ds = VideoCaptionDataset(
        str(ann), [], data_prefix=dict(video=str(tmp_path)), test_mode=True
    )
    items = [ds.get_data_info(i) for i in range(len(ds))]
    assert [(i['caption'], i['video_id']) for i in items] == [
        ('a man cooks', 0),
        ('cooking', 0),
        ('a girl sings', 1),
    ]
    assert items[0]['filename'] == str(tmp_path / 'v0.mp4')
    one = VideoCaptionDataset(str(ann), [], first_caption_only=True)
    assert len(one) == 2
    bad = tmp_path / 'bad.json'
    bad.write_text(json.dumps([{'video': 'v0.mp4', 'caption': ''}]))
    with pytest.raises(AnnotationError, match='bad.json: record 0'):
        VideoCaptionDataset(str(bad), [])
    bad.write_text('{not json')
    with pytest.raises(AnnotationError, match='not valid JSON'):
        VideoCaptionDataset(str(bad), [])


def test_synthetic_captions(tmp_path):
    from mmvssm.datasets import SYNTHETIC_CAPTIONS, SyntheticCaptionDataset

    ds = SyntheticCaptionDataset(
        [],
        data_root=str(tmp_path),
        split='val',
        num_videos_per_class=2,
        num_frames=4,
        resolution=32,
    )
    items = [ds.get_data_info(i) for i in range(len(ds))]
    classes = ds.metainfo['classes']
    assert len({i['video_id'] for i in items}) == len(items) == 16
    for info in items:
        assert info['caption'] in SYNTHETIC_CAPTIONS[classes[info['label']]]
    first = [i['caption'] for i in items if i['label'] == 0]
    assert first[0] != first[1]  # the phrasings cycle
