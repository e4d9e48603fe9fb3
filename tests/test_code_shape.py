"""The code keeps a readable shape: no module over 600 lines, no function over 60. Migrations are
generated and exempt."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTS = ["articles", "corrections", "editorial", "tests", "bench"]
MAX_MODULE, MAX_FUNCTION = 600, 60


def _modules():
    for part in PARTS:
        for path in sorted((ROOT / part).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_no_module_is_over_600_lines():
    long = {str(p.relative_to(ROOT)): n for p in _modules() if (n := p.read_text().count("\n")) > MAX_MODULE}
    assert long == {}


def test_no_function_is_over_60_lines():
    long = {}
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION:
                    long[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = length
    assert long == {}
