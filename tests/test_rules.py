"""The structure rules from STYLE.md and issue 14, checked on whatever the tree is when they run.

Each rule is a small AST checker that takes a root folder, so the same function checks the real
tree (the ``test_tree_*`` tests) and a tiny synthetic package in ``tmp_path`` that breaks the rule
on purpose (the ``test_checker_*`` tests), which proves the checker can fail. Nothing here lists
the project's files: the checkers walk ``qa/`` (with its feature areas, ``qa/coaching/`` among them) and
``tests/`` as they are.

The rules:

- no import cycles between the modules of ``qa``, counting every import
  statement, at module level or inside a function (a function-level import only hides a cycle
  from Python, not from the design); imports under ``if TYPE_CHECKING:`` do not count, nor
  does a package's ``__init__`` importing its own submodules (see ``import_graph``);
- imports run one way: services, jobs and models never import views, forms, the CLI or the demo;
- no function-level imports in ``qa`` except the short allow-list below;
- services (``qa/services/**``, ``qa/coaching/services/**``) never import the request state;
- a view (a function decorated with ``@<blueprint>.route/get/post/put/patch/delete("/…")``)
  has at most ``VIEW_MAX_LINES`` lines of body;
- every test has a docstring saying what it checks;
- ruff's mccabe complexity rule (C901) is on with the threshold ``MAX_COMPLEXITY``.
"""

from __future__ import annotations

import ast
import textwrap
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP_PACKAGES = ("qa",)  # the app, its feature areas (qa/coaching/ among them) included

# A view's length: the physical lines from its first statement after the docstring to its last
# line, not counting blank lines and comment-only lines. The decorators, the ``def`` line(s) and
# the docstring are not counted: the rule is about how much a view does, not how it is described.
VIEW_MAX_LINES = 25
ROUTE_DECORATORS = frozenset({"route", "get", "post", "put", "patch", "delete"})

MAX_COMPLEXITY = 12

# Names that read the current request's state; a service that used them could not be called from
# a job, the CLI or the API (STYLE.md, "Where logic lives"). ``g`` is the request's scratch space
# and ``current_user`` reads the session cookie: the user is passed in as an argument instead.
# ``current_app`` (configuration) is allowed.
REQUEST_STATE = {
    "flask": frozenset({"request", "session", "flash", "g"}),
    "flask_login": frozenset({"current_user", "login_user", "logout_user"}),
}

# Function-level imports allowed in qa/, each with its reason. Everything else is
# imported at the top of the module, where a reader (and the cycle rule) sees the dependency.
ALLOWED_FUNCTION_IMPORTS_IN = {
    # file (relative to the root): reason
    "qa/__init__.py": (
        "the app factory (flaskr): create_app wires blueprints, CLI commands, Celery and model "
        "listeners while the app is built, so importing qa.models or a service does not import "
        "every blueprint through the qa package"
    ),
}
ALLOWED_FUNCTION_IMPORTS_OF = {
    # imported module (and its submodules): reason
    "scoring": (
        "scoring pulls in scikit-learn and numpy (seconds to import); the web app starts "
        "without it and loads it on the first scoring or training call (qa/ml.py, the AutoQA "
        "service, the scoring CLI)"
    ),
}


# --- the import graph ---------------------------------------------------------------------


@dataclass(frozen=True)
class Import:
    """One import statement found in a module of the checked packages."""

    module: str  # the importing module, dotted
    target: str  # the imported module (internal targets resolved to a module of the packages)
    path: str  # the importing file, relative to the root
    line: int
    function: str | None  # the enclosing function's qualified name, None at module level


def iter_modules(root: Path, packages: tuple[str, ...]) -> Iterator[tuple[str, Path]]:
    """Yield (dotted module name, file) for every .py file of the packages under root."""
    for package in packages:
        for file in sorted((root / package).rglob("*.py")):
            parts = file.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join(parts), file


def _is_type_checking(test: ast.expr) -> bool:
    """True for ``TYPE_CHECKING`` and ``typing.TYPE_CHECKING`` (imports only for type hints)."""
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _walk_imports(
    tree: ast.AST,
) -> Iterator[tuple[ast.Import | ast.ImportFrom, str | None]]:
    """Yield every import node with its enclosing function (None at module level), skipping the
    bodies of ``if TYPE_CHECKING:``."""

    def visit(node: ast.AST, scope: list[str], in_function: bool) -> Iterator:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for sub in child.orelse:
                    yield from visit_one(sub, scope, in_function)
                continue
            yield from visit_one(child, scope, in_function)

    def visit_one(node: ast.AST, scope: list[str], in_function: bool) -> Iterator:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, (".".join(scope) if in_function else None)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from visit(node, [*scope, node.name], True)
        elif isinstance(node, ast.ClassDef):
            yield from visit(node, [*scope, node.name], in_function)
        else:
            yield from visit(node, scope, in_function)

    yield from visit(tree, [], False)


def _resolve(name: str, known: set[str]) -> str | None:
    """The longest prefix of a dotted name that is a module of the checked packages."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            return candidate
    return None


def collect_imports(root: Path, packages: tuple[str, ...]) -> list[Import]:
    """Every import statement in the packages, internal targets resolved to their module.

    ``from a.b import c`` targets ``a.b.c`` when that is a module, else ``a.b``; relative imports
    are resolved against the importing module's package. External targets keep their name.
    """
    modules = dict(iter_modules(root, packages))
    known = set(modules)
    found: list[Import] = []
    for module, file in modules.items():
        is_package = file.name == "__init__.py"
        package = module if is_package else module.rpartition(".")[0]
        tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
        rel = file.relative_to(root).as_posix()
        for node, function in _walk_imports(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                if node.level:
                    base_parts = package.split(".")
                    base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                    base = ".".join(p for p in [*base_parts, node.module or ""] if p)
                else:
                    base = node.module or ""
                # ``from pkg import name``: the submodule pkg.name if there is one, else pkg.
                names = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                    for alias in node.names
                ]
            for name in dict.fromkeys(names):
                target = _resolve(name, known) or name
                found.append(Import(module, target, rel, node.lineno, function))
    return found


def import_graph(imports: list[Import], known: set[str]) -> dict[str, list[Import]]:
    """Edges between the packages' modules, module -> imports of other internal modules.

    A package's ``__init__`` importing its own submodules is not an edge: the package is the
    submodules' public face, assembling them (the microblog blueprint pattern ``bp = Blueprint();
    from . import views``, or re-exports in ``__all__``); the dependency that matters runs from
    the submodule to what it uses.
    """
    graph: dict[str, list[Import]] = {module: [] for module in known}
    for imp in imports:
        if imp.target not in known or imp.target == imp.module:
            continue
        if imp.target.startswith(imp.module + "."):
            continue
        graph[imp.module].append(imp)
    return graph


def reachable(graph: dict[str, list[Import]], start: str) -> set[str]:
    """The modules reachable from start by one or more imports."""
    seen: set[str] = set()
    todo = [edge.target for edge in graph[start]]
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(edge.target for edge in graph[node])
    return seen


def cyclic_groups(graph: dict[str, list[Import]]) -> list[list[str]]:
    """The groups of modules that all reach each other (strongly connected, two or more)."""
    reach = {node: reachable(graph, node) for node in graph}
    groups = {
        frozenset({node} | {other for other in reach[node] if node in reach[other]})
        for node in graph
        if node in reach[node]
    }
    return sorted(sorted(group) for group in groups)


def shortest_cycle(graph: dict[str, list[Import]], group: list[str]) -> list[Import]:
    """The shortest chain of imports from the group's first module back to itself."""
    start, members = group[0], set(group)
    paths: dict[str, list[Import]] = {start: []}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for edge in sorted(graph[node], key=lambda e: (e.target, e.line)):
            if edge.target == start:
                return [*paths[node], edge]
            if edge.target in members and edge.target not in paths:
                paths[edge.target] = [*paths[node], edge]
                queue.append(edge.target)
    raise AssertionError(f"no cycle in {group}")


def format_cycle(cycle: list[Import], group: list[str]) -> str:
    """``a -> b (a.py:3) -> a (b.py:9, in f)``: the cycle with the statement behind each step,
    and the other modules caught in the same knot, if any."""
    steps = [cycle[0].module]
    for edge in cycle:
        where = f"{edge.path}:{edge.line}" + (f", in {edge.function}" if edge.function else "")
        steps.append(f"{edge.target} ({where})")
    others = sorted(set(group) - {edge.target for edge in cycle})
    return " -> ".join(steps) + (f"  [same knot: {', '.join(others)}]" if others else "")


def import_cycles(root: Path, packages: tuple[str, ...]) -> list[str]:
    """The import cycles among the packages' modules: one readable chain per knot of modules
    (break it and the next run shows the knot's next cycle, if any)."""
    imports = collect_imports(root, packages)
    known = {module for module, _ in iter_modules(root, packages)}
    graph = import_graph(imports, known)
    return [format_cycle(shortest_cycle(graph, group), group) for group in cyclic_groups(graph)]


# --- function-level imports -----------------------------------------------------------------


def function_level_imports(
    root: Path,
    packages: tuple[str, ...],
    allowed_in: dict[str, str],
    allowed_of: dict[str, str],
) -> list[str]:
    """Imports inside functions that neither an allowed file nor an allowed module explains."""
    bad = []
    for imp in collect_imports(root, packages):
        if imp.function is None or imp.path in allowed_in:
            continue
        if any(imp.target == m or imp.target.startswith(m + ".") for m in allowed_of):
            continue
        bad.append(f"{imp.path}:{imp.line} {imp.function}: imports {imp.target}")
    return bad


# --- services and the request ---------------------------------------------------------------


def is_service_file(path: Path) -> bool:
    """``services.py``, ``services_*.py`` or anything inside a ``services`` package."""
    return (
        path.stem == "services"
        or path.stem.startswith("services_")
        or "services" in path.parts[:-1]
    )


# What sits above the services: a blueprint's pages and forms, the command line, the demo loader.
# Services, jobs and models serve them and never import them (blueprints -> services -> models).
UPPER_LAYER_PARTS = frozenset({"views", "forms", "cli", "demo"})


def is_lower_layer(module: str, path: Path) -> bool:
    """Services, background jobs and models: the layers blueprints build on."""
    parts = module.split(".")
    return is_service_file(path) or "jobs" in parts or parts[-1] == "models"


def upward_imports(root: Path, packages: tuple[str, ...]) -> list[str]:
    """Imports from a service, job or model module into views, forms, the CLI or the demo."""
    internal = {module for module, _ in iter_modules(root, packages)}
    return [
        f"{imp.path}:{imp.line} {imp.module} imports {imp.target}"
        for imp in collect_imports(root, packages)
        if imp.target in internal
        and is_lower_layer(imp.module, Path(imp.path))
        and UPPER_LAYER_PARTS & set(imp.target.split("."))
    ]


def request_state_in_services(
    root: Path, packages: tuple[str, ...], forbidden: dict[str, frozenset[str]]
) -> list[str]:
    """Places where a service imports (or reads through the module) the request's state."""
    bad = []
    for _, file in iter_modules(root, packages):
        rel = file.relative_to(root)
        if not is_service_file(rel):
            continue
        tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
        aliases: dict[str, str] = {}  # local name -> forbidden module it stands for
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                top = node.module.split(".")[0]
                for alias in node.names:
                    if alias.name in forbidden.get(top, ()):
                        bad.append(f"{rel.as_posix()}:{node.lineno} imports {top}.{alias.name}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    top = alias.name.split(".")[0]
                    if top in forbidden:
                        aliases[alias.asname or top] = top
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr in forbidden[aliases[node.value.id]]
            ):
                module = aliases[node.value.id]
                bad.append(f"{rel.as_posix()}:{node.lineno} reads {module}.{node.attr}")
    return bad


# --- view length ----------------------------------------------------------------------------


def _is_route(decorator: ast.expr) -> bool:
    """``@x.route("/…")``, ``@x.get("/…")`` and the like: a URL rule as first argument."""
    return (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr in ROUTE_DECORATORS
        and bool(decorator.args)
        and isinstance(decorator.args[0], ast.Constant)
        and isinstance(decorator.args[0].value, str)
    )


def view_length(node: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str]) -> int:
    """The view's body lines after the docstring, blank and comment-only lines left out."""
    body = node.body[1:] if ast.get_docstring(node, clean=False) is not None else node.body
    if not body:
        return 0
    assert node.end_lineno is not None
    span = lines[body[0].lineno - 1 : node.end_lineno]
    return sum(1 for line in span if line.strip() and not line.strip().startswith("#"))


def long_views(root: Path, packages: tuple[str, ...], limit: int) -> list[str]:
    """Views whose body is longer than the limit, as ``file:function (n lines)``."""
    bad = []
    for _, file in iter_modules(root, packages):
        source = file.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source, filename=str(file))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
                _is_route(d) for d in node.decorator_list
            ):
                length = view_length(node, lines)
                if length > limit:
                    rel = file.relative_to(root).as_posix()
                    bad.append(f"{rel}:{node.name} ({length} lines)")
    return bad


# --- test docstrings ------------------------------------------------------------------------


def undocumented_tests(tests: Path, root: Path) -> list[str]:
    """Test functions and test methods (as pytest collects them) with no docstring, or an empty
    one."""
    bad = []
    files = sorted({*tests.rglob("test_*.py"), *tests.rglob("*_test.py")})
    for file in files:
        tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
        candidates: list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]] = []
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                candidates.append((node.name, node))
            elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                        candidates.append((f"{node.name}.{item.name}", item))
        for name, function in candidates:
            if not function.name.startswith("test"):
                continue
            doc = ast.get_docstring(function)
            if not doc or not doc.strip():
                bad.append(f"{file.relative_to(root).as_posix()}:{function.lineno} {name}")
    return bad


# --- the rules on the real tree -------------------------------------------------------------


def test_tree_has_no_import_cycles():
    """No import cycle among the modules of qa/, function-level imports included."""
    cycles = import_cycles(ROOT, APP_PACKAGES)
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_tree_imports_run_one_way():
    """Services, jobs and models never import a blueprint's views or forms, the CLI or the demo."""
    bad = upward_imports(ROOT, APP_PACKAGES)
    assert not bad, "imports against the direction blueprints -> services -> models:\n" + "\n".join(bad)


def test_tree_function_level_imports_are_allow_listed():
    """qa/ import at module level, except the allow-listed files and modules."""
    bad = function_level_imports(
        ROOT, APP_PACKAGES, ALLOWED_FUNCTION_IMPORTS_IN, ALLOWED_FUNCTION_IMPORTS_OF
    )
    assert not bad, "function-level imports:\n" + "\n".join(bad)


def test_tree_allow_list_is_live():
    """Each file on the function-level import allow-list still exists (a stale entry is removed)."""
    missing = [path for path in ALLOWED_FUNCTION_IMPORTS_IN if not (ROOT / path).is_file()]
    assert not missing, missing


def test_tree_services_never_read_the_request():
    """Services never import request, session, flash, g or current_user (jobs, CLI, API reuse them)."""
    bad = request_state_in_services(ROOT, APP_PACKAGES, REQUEST_STATE)
    assert not bad, "services reading the request:\n" + "\n".join(bad)


def test_tree_services_exist():
    """The service checker finds the services (a renamed folder would make the rule vacuous)."""
    services = [
        f for _, f in iter_modules(ROOT, APP_PACKAGES) if is_service_file(f.relative_to(ROOT))
    ]
    assert any(f.relative_to(ROOT).parts[:2] == ("qa", "services") for f in services)
    assert any(f.relative_to(ROOT).parts[:3] == ("qa", "coaching", "services") for f in services)


def test_tree_views_are_short():
    """Every route function in qa/ has at most VIEW_MAX_LINES lines of body."""
    bad = long_views(ROOT, APP_PACKAGES, VIEW_MAX_LINES)
    assert not bad, f"views over {VIEW_MAX_LINES} lines:\n" + "\n".join(bad)


def test_tree_every_test_has_a_docstring():
    """Every test function and test method under tests/ has a docstring saying what it checks."""
    bad = undocumented_tests(ROOT / "tests", ROOT)
    assert not bad, "tests without a docstring:\n" + "\n".join(bad)


def test_ruff_complexity_rule_is_on():
    """pyproject.toml selects ruff's C90 (mccabe) with max-complexity MAX_COMPLEXITY."""
    lint = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    assert any(code in ("C", "C9", "C90", "C901") for code in lint["select"]), lint["select"]
    assert lint["mccabe"]["max-complexity"] == MAX_COMPLEXITY


# --- the checkers on deliberately bad examples ----------------------------------------------


def write(root: Path, files: dict[str, str]) -> Path:
    """Write a synthetic tree of files (dedented) under root and return root."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def test_checker_finds_a_cycle_hidden_in_a_function(tmp_path):
    """A cycle closed by a function-level import is reported with both import statements."""
    root = write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg import b\n",
            "pkg/b.py": "def f():\n    from .a import thing\n    return thing\n",
        },
    )
    assert import_cycles(root, ("pkg",)) == [
        "pkg.a -> pkg.b (pkg/a.py:1) -> pkg.a (pkg/b.py:2, in f)"
    ]


def test_checker_finds_a_cycle_across_packages(tmp_path):
    """A three-module cycle running through two packages and parent-relative imports is found."""
    root = write(
        tmp_path,
        {
            "one/__init__.py": "",
            "one/sub/__init__.py": "",
            "one/sub/x.py": "from ...two.y import Y\n",
            "two/__init__.py": "",
            "two/y.py": "import two.z as z\nY = 1\n",
            "two/z.py": "class C:\n    def m(self):\n        from one.sub import x\n",
        },
    )
    (cycle,) = import_cycles(root, ("one", "two"))
    assert cycle.startswith("one.sub.x -> two.y (one/sub/x.py:1) -> two.z (two/y.py:1)")
    assert cycle.endswith("-> one.sub.x (two/z.py:3, in C.m)")


def test_checker_names_every_module_of_a_knot(tmp_path):
    """Modules tied into the same knot as the reported (shortest) cycle are named with it."""
    root = write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "import pkg.b\n",
            "pkg/b.py": "import pkg.a\nimport pkg.c\n",
            "pkg/c.py": "from pkg.a import x\n",
            "pkg/d.py": "import pkg.a\n",
        },
    )
    assert import_cycles(root, ("pkg",)) == [
        "pkg.a -> pkg.b (pkg/a.py:1) -> pkg.a (pkg/b.py:1)  [same knot: pkg.c]"
    ]


def test_checker_ignores_type_checking_imports_and_the_blueprint_pattern(tmp_path):
    """Imports under TYPE_CHECKING and a package importing its own views are not cycles."""
    root = write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg import b\n",
            "pkg/b.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from pkg.a import A\n"
                "import typing\nif typing.TYPE_CHECKING:\n    import pkg.a\n"
            ),
            "pkg/area/__init__.py": "bp = object()\nfrom . import views\n",
            "pkg/area/views.py": "from . import bp\n",
        },
    )
    assert import_cycles(root, ("pkg",)) == []


def test_checker_flags_function_level_imports_outside_the_allow_list(tmp_path):
    """A function-level import is flagged unless its file or its target module is allow-listed."""
    root = write(
        tmp_path,
        {
            "pkg/__init__.py": "def create_app():\n    from . import views\n",
            "pkg/views.py": "",
            "pkg/ml.py": "def load():\n    import heavy.sub\n    import json\n",
        },
    )
    bad = function_level_imports(root, ("pkg",), {"pkg/__init__.py": "factory"}, {"heavy": "slow"})
    assert bad == ["pkg/ml.py:3 load: imports json"]
    assert len(function_level_imports(root, ("pkg",), {}, {})) == 3


def test_checker_flags_services_reading_the_request(tmp_path):
    """from-imports, module attributes and flask_login's current_user in a service are flagged."""
    root = write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/views.py": "from flask import request, session\n",
            "pkg/services.py": "from flask import current_app, flash\n",
            "other/__init__.py": "",
            "other/services/__init__.py": "",
            "other/services/deep/mod.py": (
                "import flask as f\nfrom flask_login import current_user\n"
                "def run():\n    return f.g, f.current_app\n"
            ),
        },
    )
    bad = request_state_in_services(root, ("pkg", "other"), REQUEST_STATE)
    assert bad == [
        "pkg/services.py:1 imports flask.flash",
        "other/services/deep/mod.py:2 imports flask_login.current_user",
        "other/services/deep/mod.py:4 reads flask.g",
    ]


def test_checker_flags_imports_against_the_layers(tmp_path):
    """A service importing a blueprint's views and a model importing the CLI are flagged; a view
    importing a service, and a service importing another service, are not."""
    root = write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/models.py": "from . import cli\n",
            "pkg/cli.py": "",
            "pkg/area/__init__.py": "",
            "pkg/area/views.py": "from ..services import work\n",
            "pkg/area/forms.py": "",
            "pkg/services/__init__.py": "",
            "pkg/services/work.py": "from ..area import views\nfrom . import other\n",
            "pkg/services/other.py": "from ..area.forms import Form\n",
        },
    )
    assert upward_imports(root, ("pkg",)) == [
        "pkg/models.py:1 pkg.models imports pkg.cli",
        "pkg/services/other.py:1 pkg.services.other imports pkg.area.forms",
        "pkg/services/work.py:1 pkg.services.work imports pkg.area.views",
    ]


def test_checker_measures_views(tmp_path):
    """A route body over the limit is flagged; docstring, blanks, comments and non-routes are not."""
    body = "".join(f"    x{i} = {i}\n" for i in range(VIEW_MAX_LINES))
    padding = '    """Doc\n    string."""\n\n    # a comment\n\n'
    root = write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/views.py": (
                '@bp.route("/ok", methods=["GET"])\ndef ok():\n'
                + padding
                + body
                + '@bp.post("/long")\n@login_required\ndef too_long():\n'
                + body
                + "    return 1\n"
                + "def helper():\n"
                + body
                + "    return 1\n"
                + "@cache.get(key)\ndef cached():\n"
                + body
                + "    return 1\n"
            ),
        },
    )
    assert long_views(root, ("pkg",), VIEW_MAX_LINES) == [
        f"pkg/views.py:too_long ({VIEW_MAX_LINES + 1} lines)"
    ]


def test_checker_flags_undocumented_tests(tmp_path):
    """Test functions and Test* methods with no or an empty docstring are flagged; helpers not."""
    root = write(
        tmp_path,
        {
            "tests/test_a.py": (
                'def test_documented():\n    """Checks a thing."""\n'
                "def test_bare():\n    assert True\n"
                'def test_empty():\n    """ """\n'
                "def helper():\n    pass\n"
                "class TestGroup:\n    def test_method(self):\n        pass\n"
                "class Other:\n    def test_ignored(self):\n        pass\n"
            ),
            "tests/sub/b_test.py": "async def test_async():\n    pass\n",
            "tests/conftest.py": "def test_not_collected_here():\n    pass\n",
        },
    )
    assert undocumented_tests(root / "tests", root) == [
        "tests/sub/b_test.py:1 test_async",
        "tests/test_a.py:3 test_bare",
        "tests/test_a.py:5 test_empty",
        "tests/test_a.py:10 TestGroup.test_method",
    ]


@pytest.mark.parametrize(
    ("source", "function"),
    [
        ("import os\n", None),
        ("def f():\n    import os\n", "f"),
        ("class K:\n    import os\n", None),
    ],
)
def test_checker_scopes_imports(tmp_path, source, function):
    """An import's enclosing function is recorded; module and class bodies count as module level."""
    root = write(tmp_path, {"pkg/__init__.py": source})
    (imp,) = collect_imports(root, ("pkg",))
    assert (imp.target, imp.function) == ("os", function)
