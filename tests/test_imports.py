"""The root folders platform/ and graphql/ must not shadow the standard library's
``platform`` or graphql-core (which strawberry imports)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_import_platform_and_graphql_from_the_repo_root_gives_the_real_modules():
    code = (
        "import platform, graphql, sysconfig;"
        "print(platform.system(), graphql.__version__);"
        "assert platform.__file__.startswith(sysconfig.get_paths()['stdlib']), platform.__file__;"
        "assert 'site-packages' in graphql.__file__, graphql.__file__"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    system, version = result.stdout.split()
    assert system == "Linux"
    assert version.startswith("3.")


def test_after_django_setup_the_real_modules_still_win_and_apps_import():
    code = (
        "import kanal, platform, graphql, strawberry, cityconfig;"
        "assert hasattr(platform, 'python_version');"
        "assert hasattr(graphql, 'GraphQLSchema');"
        "print(cityconfig.__file__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "platform/cityconfig" in result.stdout
    for folder in ("platform", "graphql"):
        assert not (ROOT / folder / "__init__.py").exists()
