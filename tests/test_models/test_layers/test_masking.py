# Copyright (c) mmvssm contributors. All rights reserved.
"""Token masks for masked pre-training: ratios, shapes, row structure."""

import pytest
import torch

from mmvssm.models.layers import MASK_TYPES, generate_mask, mask_ratio_of

N, T, GRID = 3, 4, (7, 6)
HW = GRID[0] * GRID[1]


def _gen(kind, ratio, **kwargs):
    g = torch.Generator().manual_seed(0)
    return generate_mask(kind, N, T, GRID, ratio, generator=g, **kwargs)


@pytest.mark.parametrize('ratio', [0.5, 0.8, 0.9])
def test_random_and_tube_ratio(ratio):
    mask = _gen('random', ratio)
    assert mask.shape == (N, T, HW) and mask.dtype == torch.bool
    assert (mask.flatten(1).sum(1) == round(ratio * T * HW)).all()
    tube = _gen('tube', ratio)
    assert (tube.sum(2) == round(ratio * HW)).all()
    # a tube: the same spatial mask in every frame, different per clip
    assert (tube == tube[:, :1]).all()
    assert not (tube[0] == tube[1]).all()


@pytest.mark.parametrize('ratio', [0.5, 0.8])
def test_row_masks_keep_whole_rows(ratio):
    rows_per_frame = int(ratio * GRID[0])
    for kind in ('clip_row', 'frame_row'):
        mask = _gen(kind, ratio).view(N, T, *GRID)
        # every row is either fully masked or fully visible
        row = mask.all(-1)
        assert (row == mask.any(-1)).all(), kind
        total = row.flatten(1).sum(1)
        assert (total == T * rows_per_frame).all(), kind
        assert mask_ratio_of(mask) == pytest.approx(rows_per_frame / GRID[0])
    frame = _gen('frame_row', ratio).view(N, T, *GRID).all(-1)
    assert (frame.sum(-1) == rows_per_frame).all()  # per frame
    # clip-row: the count holds for the clip, not per frame
    counts = set()
    for seed in range(20):
        g = torch.Generator().manual_seed(seed)
        m = generate_mask('clip_row', N, T, GRID, ratio, generator=g)
        counts |= set(m.view(N, T, *GRID).all(-1).sum(-1).flatten().tolist())
    assert len(counts) > 1


def test_attention_mask_follows_attention():
    attention = torch.zeros(N, T, HW)
    favourite = torch.arange(8)  # 8 tokens hold nearly all the mass
    attention[..., favourite] = 1.0
    attention += 1e-6
    mask = _gen('attention', 0.8, attention=attention)
    visible = HW - int(0.8 * HW)
    assert ((~mask).sum(-1) == visible).all()
    assert (~mask[..., favourite]).all()  # the attended tokens stay visible
    with pytest.raises(ValueError, match='attention'):
        _gen('attention', 0.8)
    with pytest.raises(ValueError, match='shaped'):
        _gen('attention', 0.8, attention=torch.ones(N, T, HW + 1))


def test_bad_arguments():
    with pytest.raises(ValueError, match='unknown mask type'):
        _gen('blocks', 0.5)
    with pytest.raises(ValueError, match=r'\[0, 1\)'):
        _gen('random', 1.0)
    assert set(MASK_TYPES) == {
        'random',
        'tube',
        'clip_row',
        'frame_row',
        'attention',
    }
