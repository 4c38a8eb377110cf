# Copyright (c) mmvssm contributors. All rights reserved.
"""CLIP's BPE tokenizer, offline (open_clip's, with its bundled vocabulary).

open_clip_torch ships OpenAI's byte-pair vocabulary
(``open_clip/bpe_simple_vocab_16e6.txt.gz``) in its wheel, so nothing is
fetched. Texts longer than the context are cut with the end-of-text token
kept in the last position (OpenAI's and ViCLIP's behaviour); the EOT token
has the largest id of a row, which is where the text encoders pool.
"""

from typing import List, Sequence, Union

from mmvssm.registry import TOKENIZERS

__all__ = ['CLIPTokenizer']


@TOKENIZERS.register_module()
class CLIPTokenizer:
    """Texts to ``(N, context_length)`` token ids (0-padded).

    Args:
        context_length (int): Tokens per text including start and end of
            text: 77 for OpenAI CLIP, 32 for ViCLIP. Defaults to 77.
    """

    def __init__(self, context_length: int = 77):
        from open_clip.tokenizer import SimpleTokenizer

        if not isinstance(context_length, int) or context_length < 2:
            raise ValueError(
                f'context_length must be an int >= 2, got {context_length!r}'
            )
        self.context_length = context_length
        self._tokenizer = SimpleTokenizer(context_length=context_length)
        self.sot_token_id = self._tokenizer.sot_token_id
        self.eot_token_id = self._tokenizer.eot_token_id
        self.vocab_size = self._tokenizer.vocab_size

    def __call__(self, texts: Union[str, Sequence[str]]):
        """Tokenize.

        Args:
            texts (str | Sequence[str]): One text or several.

        Returns:
            torch.LongTensor: ``(N, context_length)``.
        """
        if isinstance(texts, str):
            texts = [texts]
        texts = list(texts)
        bad = [t for t in texts if not isinstance(t, str)]
        if bad:
            raise TypeError(f'texts must be strings, got {bad[0]!r}')
        return self._tokenizer(texts, context_length=self.context_length)

    def encode(self, text: str) -> List[int]:
        """BPE ids of ``text`` without start/end tokens."""
        return self._tokenizer.encode(text)

    def decode(self, ids: Sequence[int]) -> str:
        """Text of BPE ids (up to the end-of-text token, start dropped)."""
        kept = []
        for i in (int(i) for i in ids):
            if i == self.eot_token_id:
                break
            if i != self.sot_token_id:
                kept.append(i)
        return self._tokenizer.decode(kept).strip()

    def __repr__(self) -> str:
        return f'{type(self).__name__}(context_length={self.context_length})'
