"""The installed shape: one top-level name, no collision with a host's packages, a headless CLI,
and a core whose imports flow one way (no cycles)."""
from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIRS = {"prompt_tracking": ROOT / "prompt_tracking", "prompt_tracking.widgets": ROOT / "widgets",
               "prompt_tracking.analytics_window": ROOT / "analytics_window",
               "prompt_tracking.integration": ROOT / "integration"}


def run_python(code: str, *, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_public_names_of_each_subpackage_import(tmp_path):
    result = run_python("""
        from prompt_tracking.widgets import StarBar, QualityRatingWidget, RatingDialog, RatingPrompter, ask_rating
        from prompt_tracking.analytics_window import open_analytics_window
        from prompt_tracking.integration import quick_integrate_tracking, TrackingMixin
        from prompt_tracking.migration import run_migration, migrate
        import prompt_tracking
        missing = [n for n in prompt_tracking.__all__ if not hasattr(prompt_tracking, n)]
        assert not missing, missing
        print("ok")
    """, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_a_host_with_its_own_widgets_and_integration_packages_keeps_both(tmp_path):
    for name in ("widgets", "integration", "analytics_window"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text(f"HOST = {name!r}\n")
    result = run_python("""
        import widgets, integration, analytics_window
        assert (widgets.HOST, integration.HOST, analytics_window.HOST) == (
            "widgets", "integration", "analytics_window")
        from prompt_tracking.widgets import RatingPrompter
        from prompt_tracking.integration import quick_integrate_tracking
        import prompt_tracking.widgets as ours
        assert not hasattr(ours, "HOST")
        print("ok")
    """, cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_importing_the_core_loads_no_gui_and_no_numpy(tmp_path):
    result = run_python("""
        import sys
        import prompt_tracking
        t = prompt_tracking.EnhancedPromptTracker
        heavy = sorted(m for m in ("tkinter", "matplotlib", "ttkbootstrap", "numpy") if m in sys.modules)
        print(heavy)
    """, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


BLOCK_TK = """
import sys
class _NoTk:
    def find_spec(self, name, path=None, target=None):
        if name == "tkinter" or name.startswith(("tkinter.", "_tkinter")):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None
sys.meta_path.insert(0, _NoTk())
"""


@pytest.mark.parametrize("argv", [["where"], ["stats"], ["stats", "--json"],
                                  ["assess", "a red fox", "--model", "m"], ["--help"]])
def test_headless_commands_run_without_tkinter(tmp_path, argv):
    env = {**os.environ, "PROMPT_TRACKING_HOME": str(tmp_path / "store")}
    env.pop("DISPLAY", None)
    result = run_python(BLOCK_TK + f"""
from prompt_tracking.cli import main
try:
    code = main({argv!r})
except SystemExit as exc:
    code = exc.code
assert "tkinter" not in sys.modules
sys.exit(code)
""", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("command", ["demo", "analytics"])
def test_gui_commands_say_that_tk_is_missing(tmp_path, command):
    env = {**os.environ, "PROMPT_TRACKING_HOME": str(tmp_path / "store")}
    result = run_python(BLOCK_TK + f"""
from prompt_tracking.cli import main
sys.exit(main([{command!r}]))
""", cwd=tmp_path, env=env)
    assert result.returncode == 4
    assert "needs Tk" in result.stderr and "Traceback" not in result.stderr


def test_gui_command_without_a_display_says_so(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env["PROMPT_TRACKING_HOME"] = str(tmp_path / "store")
    result = subprocess.run([sys.executable, "-m", "prompt_tracking", "analytics"], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 4
    assert "no display" in result.stderr and "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                    "-q", "-w", str(out), str(ROOT)], check=True, capture_output=True, timeout=300)
    return next(out.glob("*.whl"))


def test_the_wheel_holds_one_top_level_name(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith((".dist-info", ".data"))}
    assert top == {"prompt_tracking"}
    assert not any(n.endswith(".png") for n in names), "README images are not runtime data"


def test_the_wheel_holds_every_source_module(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = set()
    for package, folder in SOURCE_DIRS.items():
        for path in folder.rglob("*.py"):
            if "__pycache__" in path.parts:
                continue
            rel = path.relative_to(folder)
            expected.add("/".join([*package.split("."), *rel.parts]))
    assert expected - names == set()


# -- the import graph --------------------------------------------------------------------------
def _modules() -> dict[str, Path]:
    found = {}
    for package, folder in SOURCE_DIRS.items():
        for path in folder.rglob("*.py"):
            if "__pycache__" in path.parts or (package == "prompt_tracking" and any(
                    p in ("widgets", "analytics_window", "integration") for p in path.parts)):
                continue
            parts = [*package.split("."), *path.relative_to(folder).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _in_type_checking(node: ast.AST, parents: dict) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def import_graph() -> dict[str, set[str]]:
    """Module -> modules it imports (every import statement, lazy ones too, not TYPE_CHECKING)."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text())
        parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = set()
        for node in ast.walk(tree):
            if _in_type_checking(node, parents):
                continue
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                           for a in node.names]
            else:
                continue
            edges.update(t for t in targets if t in modules and t != name)
        graph[name] = edges
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return cycles


def test_there_are_no_import_cycles():
    assert find_cycles(import_graph()) == []


def test_the_core_imports_no_gui_and_features_never_import_the_cli():
    gui = ("prompt_tracking.widgets", "prompt_tracking.analytics_window", "prompt_tracking.integration")
    for module, targets in import_graph().items():
        if module.startswith(gui) or module.startswith("prompt_tracking.cli"):
            continue
        assert not [t for t in targets if t.startswith(gui)], module
        if not module.endswith("__main__"):
            assert not [t for t in targets if t.startswith("prompt_tracking.cli")], module


def test_the_gui_uses_only_public_core_modules():
    gui = ("prompt_tracking.widgets", "prompt_tracking.analytics_window", "prompt_tracking.integration")
    for module, targets in import_graph().items():
        if module.startswith(gui):
            private = [t for t in targets if not t.startswith(gui) and "._" in t]
            assert not private, (module, private)


def test_no_module_is_over_450_lines():
    long = {name: n for name, path in _modules().items()
            if (n := len(path.read_text().splitlines())) > 450}
    assert long == {}
