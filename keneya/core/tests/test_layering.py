"""The import structure of ``keneya``: no cycle, apps in one direction, fenced fast paths.

The layers themselves are the import-linter contracts in ``pyproject.toml``, run by
``test_foundation.py``; docs/architecture.md says why this order.
"""

from __future__ import annotations

import grimp
import pytest

# Who may use the compiled lookups and planned readers (docs/decisions/0006-compiled-lookups.md):
# each use keys its statements by everything their SQL depends on; a new use is reviewed here.
FAST_PATH_USERS = {
    "keneya.core.compiled": {
        "keneya.accounts.authentication",
        "keneya.people.queries",
    },
    "keneya.core.readers": {
        "keneya.core.api",
        "keneya.people.api",
    },
}


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("keneya", include_external_packages=False)


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected sets of more than one module (Tarjan, iteratively)."""
    modules = sorted(graph.modules)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in modules:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            targets = edges.get(node, [])
            if child < len(targets):
                work.append((node, child + 1))
                target = targets[child]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            for target in targets:
                if target in on_stack:
                    low[node] = min(low[node], low[target])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycle_between_modules_tests_and_migrations_included(graph):
    assert _cycles(graph) == []


def test_the_fast_paths_are_used_only_where_listed(graph):
    for module, allowed in FAST_PATH_USERS.items():
        users = {m for m in graph.find_modules_that_directly_import(module) if ".tests" not in m}
        assert users <= allowed, f"{module} used by {sorted(users - allowed)}: see decision 0006"
