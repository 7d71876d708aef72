"""Trigger expressions: a small, safe language over compliance, obligations and time.

    min_compliance("RU", 183) >= 0.9 and serious("RU", 183) == 0
    met("ceasefire.withdrawal") or elapsed_days >= 365

Text is parsed with Python's `ast` and only a whitelist of nodes is allowed:
numbers, strings, `and`/`or`/`not`, comparisons, + - * /, the variable
`elapsed_days`, and calls of the functions in `FUNCTIONS` with constant
arguments. Nothing is ever passed to `eval`; evaluation walks the tree, and
every function call's value is recorded as evidence for the ledger.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

# Function name -> the argument types it takes, and what it means (for errors and docs).
FUNCTIONS: dict[str, tuple[tuple[type, ...], str]] = {
    "compliance": ((str,), "the party's compliance index on the day (0..1)"),
    "min_compliance": ((str, int), "lowest daily index over the last N days; 0 if any is missing"),
    "mean_compliance": ((str, int), "mean daily index over the last N days; 0 if any is missing"),
    "serious": ((str, int), "serious violations by the party over the last N days"),
    "met": ((str,), "true once the obligation (term id) is recorded as met"),
    "missed": ((str,), "true once the obligation (term id) is recorded as missed"),
}
VARIABLES = {"elapsed_days": "days since the condition took effect"}

_COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_ARITHMETIC: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


class ExpressionError(ValueError):
    """An expression outside the language, with where and what is allowed."""


class Context(Protocol):
    """What an expression reads: the functions' values on one day."""

    elapsed_days: int

    def call(self, name: str, args: tuple[Any, ...]) -> float | int | bool:
        """The value of one of `FUNCTIONS` on this day for these arguments."""


@dataclass
class Evaluation:
    """An expression's value and every input it read, as `name(args) = value`."""

    value: Any
    inputs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Expression:
    """A parsed trigger expression and the text it came from, ready to evaluate each day."""

    text: str
    tree: ast.expr

    def evaluate(self, context: Context) -> Evaluation:
        """The expression's value on the context's day, with every input it read."""
        inputs: dict[str, Any] = {}
        return Evaluation(_walk(self.tree, context, inputs), inputs)

    def __str__(self) -> str:
        return self.text


def parse(text: str) -> Expression:
    """Parse and check an expression; ExpressionError says what and where when it is not allowed."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(
            f"{text!r}: not an expression ({exc.msg}, column {exc.offset})"
        ) from None
    _check(tree.body, text)
    return Expression(text, tree.body)


def _check(node: ast.AST, text: str) -> None:
    where = f"{text!r}, column {getattr(node, 'col_offset', 0) + 1}"
    if isinstance(node, ast.BoolOp | ast.Compare | ast.BinOp | ast.UnaryOp):
        _check_operator(node, where)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                _check(child, text)
        return
    if isinstance(node, ast.Constant):
        if not isinstance(node.value, int | float | str):
            raise ExpressionError(f"{where}: only numbers, strings, true and false are allowed")
        return
    if isinstance(node, ast.Name):
        if node.id not in VARIABLES:
            raise ExpressionError(
                f"{where}: unknown name {node.id!r}; the variables are {', '.join(VARIABLES)}"
            )
        return
    if isinstance(node, ast.Call):
        _check_call(node, where)
        return
    raise ExpressionError(
        f"{where}: {type(node).__name__} is not allowed; use numbers, strings, and/or/not, "
        f"comparisons, + - * / and the functions {', '.join(FUNCTIONS)}"
    )


def _check_operator(node: ast.AST, where: str) -> None:
    allowed = (ast.And, ast.Or, ast.Not, ast.USub, *_COMPARE, *_ARITHMETIC)
    ops = getattr(node, "ops", None) or [getattr(node, "op", None)]
    for op in ops:
        if not isinstance(op, allowed):
            raise ExpressionError(f"{where}: operator {type(op).__name__} is not allowed")


def _check_call(node: ast.Call, where: str) -> None:
    name = node.func.id if isinstance(node.func, ast.Name) else None
    if name not in FUNCTIONS:
        raise ExpressionError(f"{where}: only the functions {', '.join(FUNCTIONS)} can be called")
    types, meaning = FUNCTIONS[name]
    args = node.args
    if node.keywords or len(args) != len(types):
        raise ExpressionError(f"{where}: {name} takes {len(types)} argument(s): {meaning}")
    for arg, wanted in zip(args, types, strict=True):
        if not isinstance(arg, ast.Constant) or type(arg.value) is not wanted:
            raise ExpressionError(
                f"{where}: {name}'s arguments are constants of type "
                f"{', '.join(t.__name__ for t in types)}"
            )


def _walk(node: ast.expr, context: Context, inputs: dict[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        inputs[node.id] = context.elapsed_days
        return context.elapsed_days
    if isinstance(node, ast.BoolOp):
        values = [bool(_walk(v, context, inputs)) for v in node.values]  # all read: evidence
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.UnaryOp):
        operand = _walk(node.operand, context, inputs)
        return (not operand) if isinstance(node.op, ast.Not) else -operand
    if isinstance(node, ast.BinOp):
        left, right = _walk(node.left, context, inputs), _walk(node.right, context, inputs)
        if isinstance(node.op, ast.Div) and right == 0:
            return 0.0
        return _ARITHMETIC[type(node.op)](left, right)
    if isinstance(node, ast.Compare):
        left = _walk(node.left, context, inputs)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _walk(comparator, context, inputs)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        args = tuple(a.value for a in node.args if isinstance(a, ast.Constant))
        value = context.call(node.func.id, args)
        inputs[f"{node.func.id}({', '.join(repr(a) for a in args)})"] = value
        return value
    raise ExpressionError(f"{type(node).__name__} cannot be evaluated")  # _check prevents this
