"""The core stays pure: no telegram import, no I/O at import time; diagrams match the flows."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from bot.diagram import mermaid

ROOT = Path(__file__).resolve().parent.parent
CORE = ["conversation", "dialog_engine", "flows", "plan", "matching", "language", "triggers", "knowledge",
        "session", "replies", "content", "loading", "messages", "evaluation", "diagram", "chat_scope"]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_core_modules_never_import_telegram():
    for name in CORE:
        assert "telegram" not in imported_modules(ROOT / "bot" / f"{name}.py"), name


def test_importing_and_running_the_core_loads_no_telegram_module():
    code = (
        "import sys\n"
        "from bot.content import load_content\n"
        "from bot.conversation import Brain\n"
        "brain = Brain(load_content())\n"
        "brain.classify('my foot is cramping right now')\n"
        "bad = sorted(m for m in sys.modules if m == 'telegram' or m.startswith('telegram.'))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_every_module_has_a_docstring_and_every_public_function_too():
    missing = []
    for path in sorted((ROOT / "bot").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if not ast.get_docstring(tree):
            missing.append(path.name)
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if not node.name.startswith("_") and not ast.get_docstring(node):
                    missing.append(f"{path.name}:{node.name}")
    assert missing == []


def test_no_unused_imports_undefined_names_or_syntax_errors():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--select", "F,E9", "--quiet", "bot", "tests",
                             "bench"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mermaid_diagrams_beside_the_flows_are_current(content):
    for flow in content.flows.values():
        path = ROOT / "dialogs" / f"{flow.id}.mmd"
        assert path.read_text(encoding="utf-8") == mermaid(flow), f"run: crampbot diagrams --write ({path.name})"
