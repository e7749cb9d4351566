"""The layout holds: only bot/telegram_shell imports telegram, the pure packages import no adapter,
nothing does I/O at import time, every public name is documented, and the diagrams match the flows."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from bot.content.diagram import mermaid

ROOT = Path(__file__).resolve().parents[2]
BOT = ROOT / "bot"
PURE = ("core", "language", "safety", "matching", "content", "storage")  # no telegram, no adapter
ADAPTERS = ("telegram_shell", "process", "wiring", "cli", "console")


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth (inside functions too), as a dotted name."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def modules(*packages: str) -> list[Path]:
    """The .py files of the given packages under bot/."""
    return sorted(path for package in packages for path in (BOT / package).rglob("*.py"))


def test_only_the_telegram_shell_imports_telegram():
    outside = [path for path in BOT.rglob("*.py") if "telegram_shell" not in path.parts]
    offenders = [str(path.relative_to(ROOT)) for path in outside
                 if any(name == "telegram" or name.startswith("telegram.") for name in imported_modules(path))]
    assert offenders == []
    assert any("telegram" in imported_modules(path) for path in modules("telegram_shell")), "the check sees imports"


def test_the_pure_packages_import_no_adapter():
    offenders = []
    for path in modules(*PURE):
        for name in imported_modules(path):
            if any(name == f"bot.{adapter}" or name.startswith(f"bot.{adapter}.") for adapter in ADAPTERS):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_no_import_cycles_between_modules_not_even_inside_functions_or_for_typing():
    """A cycle (Brain building PersonalData that imports Brain back) means neither side can be read alone."""
    names = {".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): path
             for path in BOT.rglob("*.py")}
    graph = {name: {dep for dep in imported_modules(path) if dep in names and dep != name}
             for name, path in names.items()}
    cycles: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = "open"
        for dep in sorted(graph[name]):
            if state.get(dep) == "open":
                cycles.append(" -> ".join([*trail[trail.index(dep):], dep]))
            elif dep not in state:
                visit(dep, [*trail, dep])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_every_module_lives_in_a_package_by_role():
    top = sorted(path.name for path in BOT.glob("*.py"))
    assert top == ["__init__.py", "__main__.py", "cli.py", "console.py", "settings.py", "wiring.py"]
    assert sorted(p.name for p in BOT.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))) == sorted(
        PURE + ("process", "telegram_shell"))


def test_importing_and_running_the_core_loads_no_telegram_module():
    code = (
        "import sys\n"
        "from bot.content.bundle import load_content\n"
        "from bot.core.brain import Brain\n"
        "brain = Brain(load_content())\n"
        "brain.classify('my foot is cramping right now')\n"
        "bad = sorted(m for m in sys.modules if m == 'telegram' or m.startswith('telegram.'))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_every_module_has_a_docstring_and_every_public_function_too():
    missing = []
    for path in sorted(BOT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        name = str(path.relative_to(BOT))
        if not ast.get_docstring(tree) and path.name != "__main__.py":
            missing.append(name)
        for node in ast.walk(tree):
            if (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                    and not node.name.startswith("_") and not ast.get_docstring(node)):
                missing.append(f"{name}:{node.name}")
    assert missing == []


def test_ruff_finds_nothing_with_the_rules_in_pyproject():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--quiet", "bot", "tests", "bench"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing_in_bot_with_the_settings_in_pyproject():
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mermaid_diagrams_beside_the_flows_are_current(content):
    for flow in content.flows.values():
        path = ROOT / "dialogs" / f"{flow.id}.mmd"
        assert path.read_text(encoding="utf-8") == mermaid(flow), f"run: crampbot diagrams --write ({path.name})"
