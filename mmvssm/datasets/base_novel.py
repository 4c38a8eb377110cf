# Copyright (c) mmvssm contributors. All rights reserved.
"""Base-to-novel evaluation: base and novel videos in one test run."""

from typing import Dict, List, Union

from torch.utils.data import Dataset

from mmvssm.registry import DATASETS

__all__ = ['BaseNovelDataset']


@DATASETS.register_module()
class BaseNovelDataset(Dataset):
    """The base-class and the novel-class test lists, served together.

    As in ViFi-CLIP's protocol, each list has its own label space
    (``base_val.txt`` labels index the base class list, ``novel_val.txt``
    the novel one). Here novel labels are shifted by the number of base
    classes, so labels ``< num_base_classes`` are base videos and the rest
    novel; the model (``MSTATextBranch(novel_class_names=...)``) scores each
    video within its own split, and ``BaseNovelMetric`` reports base,
    novel and harmonic-mean accuracy from one ``tools/test.py`` run.

    Args:
        base (dict): Dataset config of the base-class videos (labels
            ``0..B-1``), e.g. a ``VideoDataset`` or a
            ``SyntheticMotionDataset`` with ``classes=`` a subset.
        novel (dict): Dataset config of the novel-class videos (labels
            ``0..N-1`` within the novel split).
        num_base_classes (int): ``B``.
        num_novel_classes (int): ``N``.
    """

    def __init__(
        self,
        base: Union[Dict, Dataset],
        novel: Union[Dict, Dataset],
        num_base_classes: int,
        num_novel_classes: int,
    ):
        self.base_dataset = (
            DATASETS.build(base) if isinstance(base, dict) else base
        )
        self.novel_dataset = (
            DATASETS.build(novel) if isinstance(novel, dict) else novel
        )
        self.num_base_classes = int(num_base_classes)
        self.num_novel_classes = int(num_novel_classes)
        for part, n in (
            (self.base_dataset, self.num_base_classes),
            (self.novel_dataset, self.num_novel_classes),
        ):
            check = getattr(part, 'check_num_classes', None)
            if check is not None:
                check(n)
        self.metainfo = dict(
            num_base_classes=self.num_base_classes,
            num_novel_classes=self.num_novel_classes,
        )
        self.test_mode = True

    def check_num_classes(self, num_classes: int) -> None:
        """Base labels must fit the trained head (the novel ones are new)."""
        check = getattr(self.base_dataset, 'check_num_classes', None)
        if check is not None:
            check(min(num_classes, self.num_base_classes))

    def __len__(self) -> int:
        return len(self.base_dataset) + len(self.novel_dataset)

    def get_data_info(self, idx: int) -> Dict:
        """The underlying sample info, label in the joint space."""
        dataset, j, offset = self._locate(idx)
        info = dict(dataset.get_data_info(j))
        info['label'] = info['label'] + offset
        return info

    def _locate(self, idx: int):
        if idx < 0:
            idx += len(self)
        n_base = len(self.base_dataset)
        if idx < n_base:
            return self.base_dataset, idx, 0
        return self.novel_dataset, idx - n_base, self.num_base_classes

    def __getitem__(self, idx: int) -> Dict:
        dataset, j, offset = self._locate(idx)
        data = dataset[j]
        sample = data.get('data_samples') if isinstance(data, dict) else None
        if offset and sample is not None and 'gt_label' in sample:
            sample.set_gt_label(sample.gt_label + offset)
        if sample is not None:
            sample.set_metainfo(
                dict(class_split='novel' if offset else 'base')
            )
        return data

    def full_init(self) -> None:
        """Initialise both parts."""
        for part in (self.base_dataset, self.novel_dataset):
            if hasattr(part, 'full_init'):
                part.full_init()

    @property
    def parts(self) -> List[Dataset]:
        """The base and the novel dataset."""
        return [self.base_dataset, self.novel_dataset]
