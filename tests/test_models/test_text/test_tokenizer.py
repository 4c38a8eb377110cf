# Copyright (c) mmvssm contributors. All rights reserved.
import pytest
import torch

from mmvssm.models.text import CLIPTokenizer
from mmvssm.registry import TOKENIZERS

SOT, EOT = 49406, 49407


def test_known_ids_offline():
    tokens = CLIPTokenizer()('a photo of a cat')
    # OpenAI's BPE ids for "a photo of a cat".
    expected = [SOT, 320, 1125, 539, 320, 2368, EOT]
    assert tokens.shape == (1, 77) and tokens.dtype == torch.long
    assert tokens[0, :7].tolist() == expected
    assert tokens[0, 7:].eq(0).all()


@pytest.mark.parametrize('context_length', [77, 32])
def test_matches_open_clip(context_length):
    import open_clip

    texts = [
        'Hello, World!',
        'a VIDEO of a person   Playing   Guitar.',
        "it's a dog's life; isn't it?",
        'brush_hair',
        'ApplyEyeMakeup',
        'naïve café — 3.5 km',
        '',
        'long ' * 100,
    ]
    ours = CLIPTokenizer(context_length)(texts)
    ref = open_clip.tokenize(texts, context_length=context_length)
    assert torch.equal(ours, ref)


def test_case_and_punctuation():
    tok = CLIPTokenizer()
    assert torch.equal(tok('A Photo OF a Cat'), tok('a photo of a cat'))
    assert not torch.equal(tok('a cat.'), tok('a cat'))
    assert tok.decode(tok('Hello, World!')[0]) == 'hello , world !'


def test_truncation_keeps_eot():
    tok = CLIPTokenizer(context_length=32)
    row = tok('word ' * 50)[0]
    assert row.shape == (32,)
    assert row[0] == SOT and row[-1] == EOT and row.argmax() == 31
    assert (row[1:-1] != 0).all()


def test_empty_string():
    row = CLIPTokenizer()('')[0]
    assert row[:2].tolist() == [SOT, EOT] and row[2:].eq(0).all()


def test_registered_and_checked():
    tok = TOKENIZERS.build(dict(type='CLIPTokenizer', context_length=32))
    assert tok.context_length == 32
    with pytest.raises(TypeError, match='strings'):
        tok(['ok', 3])
    with pytest.raises(ValueError, match='context_length'):
        CLIPTokenizer(1)
