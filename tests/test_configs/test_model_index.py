# Copyright (c) mmvssm contributors. All rights reserved.
"""The OpenMMLab model index names real configs and labels its numbers."""

import glob
import os.path as osp
import re

import pytest
import yaml

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def load_yaml(rel_path):
    with open(osp.join(REPO, rel_path), encoding='utf-8') as f:
        return yaml.safe_load(f)


def metafiles():
    index = load_yaml('model-index.yml')
    return index['Import']


def models():
    return [m for path in metafiles() for m in load_yaml(path)['Models']]


def test_every_import_exists():
    for path in metafiles():
        assert osp.isfile(osp.join(REPO, path)), f'model-index.yml: {path}'


def test_every_config_named_exists_and_is_listed():
    listed = [m['Config'] for m in models()]
    assert len(listed) == len(set(listed)), 'a config is listed twice'
    for m in models():
        assert osp.isfile(osp.join(REPO, m['Config'])), m['Config']
        assert m['Name'] == osp.basename(m['Config'])[: -len('.py')]
    # Every VideoMamba row has an entry (add new rows to its metafile).
    rows = glob.glob(osp.join(REPO, 'configs', 'videomamba', '*.py'))
    missing = {osp.relpath(p, REPO) for p in rows} - set(listed)
    assert not missing, f'not in configs/videomamba/metafile.yml: {missing}'


def test_collections_and_results_are_labelled():
    for path in metafiles():
        meta = load_yaml(path)
        names = {c['Name'] for c in meta['Collections']}
        for c in meta['Collections']:
            assert osp.isfile(osp.join(REPO, c['README']))
        for m in meta['Models']:
            assert m['In Collection'] in names
            for result in m.get('Results', []):
                source = result['Source']
                assert source == 'paper' or source.startswith('measured')
                if source == 'paper':
                    assert re.fullmatch(r'videomamba_\w+\.pth', m['Weights'])


@pytest.mark.parametrize('model', models(), ids=lambda m: m['Name'])
def test_paper_numbers_match_the_readme(model):
    readme_path = osp.join(osp.dirname(model['Config']), 'README.md')
    with open(osp.join(REPO, readme_path), encoding='utf-8') as f:
        readme = f.read()
    config = osp.basename(model['Config'])
    rows = [line for line in readme.splitlines() if f'(./{config})' in line]
    paper = [r for r in model.get('Results', []) if r['Source'] == 'paper']
    if not paper:
        return
    (row,) = [r for r in rows if r.startswith('|')]
    metrics = paper[0]['Metrics']
    expected = f'{metrics["Top 1 Accuracy"]} / {metrics["Top 5 Accuracy"]}'
    assert f'| {expected} |' in row
