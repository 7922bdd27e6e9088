"""iptriad.core must stay pure Python: no Django, no other part of iptriad."""

import ast
import subprocess
import sys
from pathlib import Path

import iptriad.core

CORE_DIR = Path(iptriad.core.__file__).parent


def _imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def test_it_imports_neither_django_nor_the_rest_of_iptriad():
    offenders = {
        f"{path.relative_to(CORE_DIR)}: {module}"
        for path in CORE_DIR.rglob("*.py")
        for module in _imported_modules(path)
        if module.split(".")[0] == "django" or (module.startswith("iptriad") and not module.startswith("iptriad.core"))
    }
    assert offenders == set()


def test_it_loads_without_django_in_a_fresh_interpreter():
    modules = [
        "iptriad.core." + ".".join(path.relative_to(CORE_DIR).with_suffix("").parts)
        for path in CORE_DIR.rglob("*.py")
        if path.name != "__init__.py"
    ]
    script = "import sys\n" + "".join(f"import {m}\n" for m in modules) + "print('django' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)  # noqa: S603
    assert result.stdout.strip() == "False"
