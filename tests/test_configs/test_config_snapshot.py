# Copyright (c) mmvssm contributors. All rights reserved.
"""Every config under ``configs/`` resolves to its stored snapshot.

A refactor of the configs (bases, deltas, derived pipelines) must not change
what a config means. This test resolves every config
(``Config.fromfile(path).to_dict()``), writes it in a canonical JSON form
(sorted keys, tuples tagged, non-JSON values by ``repr``) and compares it with
``tests/test_configs/data/resolved_configs.json``.

The snapshot is only rewritten on purpose::

    # all configs
    python tests/test_configs/test_config_snapshot.py --regenerate
    # only the named ones
    python tests/test_configs/test_config_snapshot.py --regenerate CONFIG...

A regeneration that changes an existing entry is a change of meaning: say so
in the commit message.
"""

import argparse
import difflib
import glob
import json
import os.path as osp
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SNAPSHOT = osp.join(
    osp.dirname(osp.abspath(__file__)), 'data', 'resolved_configs.json'
)
REGENERATE = 'python tests/test_configs/test_config_snapshot.py --regenerate'


def config_paths() -> list[str]:
    """Every config under ``configs/`` but the partial ``_base_`` files.

    Returns:
        list[str]: Paths relative to the repository root, sorted.
    """
    paths = glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
    rel = [osp.relpath(p, REPO) for p in paths]
    return sorted(p for p in rel if '_base_' not in p.split(osp.sep))


def canonical(value):
    """A JSON-stable form of a resolved config value.

    Dicts get sorted keys, tuples stay apart from lists (``{'__tuple__':
    [...]}``, mmaction's transforms tell them apart), and anything JSON cannot
    hold is kept as its ``repr``.

    Args:
        value: A value of ``Config.to_dict()``.

    Returns:
        The canonical value.
    """
    if isinstance(value, dict):
        return {
            str(k): canonical(v)
            for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))
        }
    if isinstance(value, tuple):
        return {'__tuple__': [canonical(v) for v in value]}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return {'__repr__': repr(value)}


def resolve(rel_path: str) -> str:
    """Resolve one config to its canonical JSON text.

    Args:
        rel_path (str): Config path relative to the repository root.

    Returns:
        str: Indented JSON of the resolved config.
    """
    from mmengine.config import Config

    cfg = Config.fromfile(osp.join(REPO, rel_path)).to_dict()
    return json.dumps(canonical(cfg), indent=1, sort_keys=True)


def flatten(value, prefix: str = '') -> list[str]:
    """One ``key.path: value`` line per leaf, for a readable diff.

    Args:
        value: A canonical config value.
        prefix (str): The key path so far. Defaults to ''.

    Returns:
        list[str]: Lines such as ``model.backbone.num_frames: 16``.
    """
    if isinstance(value, dict) and set(value) == {'__tuple__'}:
        return [f'{prefix}: tuple {json.dumps(value["__tuple__"])}']
    if isinstance(value, dict) and value:
        lines = []
        for key in sorted(value):
            sub = f'{prefix}.{key}' if prefix else key
            lines += flatten(value[key], sub)
        return lines
    if isinstance(value, list) and value:
        lines = []
        for i, item in enumerate(value):
            lines += flatten(item, f'{prefix}[{i}]')
        return lines
    return [f'{prefix}: {json.dumps(value)}']


def load_snapshot() -> dict:
    """The stored snapshot: config path -> canonical resolved config."""
    if not osp.exists(SNAPSHOT):
        return {}
    with open(SNAPSHOT, encoding='utf-8') as f:
        return json.load(f)


def write_snapshot(paths: list[str]) -> None:
    """Store the resolved form of ``paths`` (all configs when empty).

    Entries of configs that no longer exist are dropped.

    Args:
        paths (list[str]): Configs to (re)store, relative to the repo root.
    """
    existing = set(config_paths())
    snapshot = {k: v for k, v in load_snapshot().items() if k in existing}
    for path in paths or sorted(existing):
        path = osp.relpath(osp.abspath(path), REPO)
        if path not in existing:
            raise SystemExit(
                f'{path} is not a config under configs/ (or is a _base_ file)'
            )
        snapshot[path] = json.loads(resolve(path))
        print(f'stored {path}')
    with open(SNAPSHOT, 'w', encoding='utf-8') as f:
        json.dump(snapshot, f, indent=1, sort_keys=True)
        f.write('\n')


def test_snapshot_has_no_stale_entries():
    stale = sorted(set(load_snapshot()) - set(config_paths()))
    assert not stale, (
        f'the snapshot names configs that no longer exist: {stale}; if '
        f'they were removed on purpose, run `{REGENERATE}` to drop them'
    )


@pytest.mark.parametrize('path', config_paths())
def test_config_matches_snapshot(path):
    snapshot = load_snapshot()
    if path not in snapshot:
        pytest.fail(
            f'{path} is not in the config snapshot; after checking that it '
            f'resolves as intended, add it with `{REGENERATE} {path}`'
        )
    expected = json.dumps(snapshot[path], indent=1, sort_keys=True)
    actual = resolve(path)
    if actual != expected:
        diff = '\n'.join(
            difflib.unified_diff(
                flatten(snapshot[path]),
                flatten(json.loads(actual)),
                'snapshot',
                'resolved now',
                lineterm='',
            )
        )
        pytest.fail(
            f'{path} resolves differently from its snapshot; fix the config, '
            f'or if the change is intended run `{REGENERATE} {path}`:\n{diff}'
        )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--regenerate',
        action='store_true',
        help='rewrite the snapshot for the given configs (all when none)',
    )
    parser.add_argument('configs', nargs='*', help='config paths')
    args = parser.parse_args(argv)
    if not args.regenerate:
        parser.error(
            'nothing to do: pass --regenerate (pytest runs the check)'
        )
    sys.path.insert(0, REPO)
    import mmvssm  # noqa: F401  (stack fixes before mmaction configs)

    write_snapshot(args.configs)
    return 0


if __name__ == '__main__':
    sys.exit(main())
