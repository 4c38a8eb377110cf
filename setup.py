# Copyright (c) mmvssm contributors. All rights reserved.
import os
import os.path as osp
import re
import shutil
import sys

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def read_version() -> str:
    with open(osp.join(HERE, 'mmvssm', 'version.py')) as f:
        return re.search(r"__version__ = '([^']+)'", f.read()).group(1)


def parse_requirements(name: str) -> list:
    """Read ``requirements/<name>.txt``, dropping comments and blanks."""
    with open(osp.join(HERE, 'requirements', f'{name}.txt')) as f:
        lines = (line.split('#', 1)[0].strip() for line in f)
        return [line for line in lines if line]


MIM_FILES = ('configs', 'tools', 'demo', 'model-index.yml')


def add_mim_extension() -> None:
    """Put ``MIM_FILES`` under ``mmvssm/.mim``, where ``mim`` looks for them.

    Copies for a wheel/sdist/install; symlinks for an editable install. The
    folder is generated (ignored by git).
    """
    if 'develop' in sys.argv or 'editable_wheel' in sys.argv:
        mode = 'symlink'
    elif {'sdist', 'bdist_wheel', 'install', 'build'} & set(sys.argv):
        mode = 'copy'
    else:
        return
    mim_root = osp.join(HERE, 'mmvssm', '.mim')
    os.makedirs(mim_root, exist_ok=True)
    for name in MIM_FILES:
        src = osp.join(HERE, name)
        dst = osp.join(mim_root, name)
        if not osp.exists(src):
            sys.exit(
                f'setup.py: {src} is missing; mim needs it in the package, '
                'so build from a full checkout of mmvssm'
            )
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if mode == 'symlink':
            os.symlink(osp.relpath(src, mim_root), dst)
        elif osp.isdir(src):
            shutil.copytree(
                src, dst, ignore=shutil.ignore_patterns('__pycache__', '*.pyc')
            )
        else:
            shutil.copyfile(src, dst)


add_mim_extension()

with open(osp.join(HERE, 'README.md'), encoding='utf-8') as f:
    long_description = f.read()

setup(
    name='mmvssm',
    version=read_version(),
    description='Video state-space models (VideoMamba, MoMa, MSTA) for '
    'OpenMMLab',
    long_description=long_description,
    long_description_content_type='text/markdown',
    license='Apache License 2.0',
    packages=find_packages(exclude=('configs', 'tools', 'tests', 'projects')),
    include_package_data=True,
    package_data={
        'mmvssm': [
            'models/text/class_names/*.txt',
            'ops/csrc/*.cpp',
            'datasets/descriptions/*.json',
        ]
    },
    python_requires='>=3.9',
    install_requires=parse_requirements('runtime'),
    extras_require={
        'tests': parse_requirements('tests'),
        'optional': parse_requirements('optional'),
    },
    classifiers=[
        'Programming Language :: Python :: 3',
        'Topic :: Scientific/Engineering :: Artificial Intelligence',
    ],
    zip_safe=False,
)
