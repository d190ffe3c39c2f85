"""Safe parsing and vectorised evaluation of one-line KPI formulas.

A formula such as ``uu * cvr * aov`` or ``arpa * gross_margin / churn`` is parsed with
:mod:`ast` and checked against an allowlist: numbers, KPI codes, ``+ - * /``, unary
``+``/``-`` and parentheses. It is evaluated by walking our own small tree, never by
handing text to the interpreter, so user input cannot run code.

Error codes (``FormulaError.code``) are stable; the Django layer translates by code.

- ``empty`` -- nothing but whitespace.
- ``too_long`` -- more than ``MAX_LENGTH`` characters; params ``length``, ``max``.
- ``syntax`` -- not a well-formed expression; params ``col``, ``detail``.
- ``forbidden`` -- a construct outside the allowlist; params ``construct``, ``col``.
- ``too_many_nodes`` -- more than ``MAX_NODES`` numbers, names and operators;
  params ``count``, ``max``.
- ``invalid_name`` -- a name that is not spelled like a KPI code; params ``name``, ``col``.
- ``unknown_code`` -- a KPI code not in ``known_codes``; params ``name``, ``col``.
- ``number_out_of_range`` -- a number too large for a float; params ``number``, ``col``.
- ``missing_value`` -- no value given for a variable or leaf; params ``name``.
- ``cycle`` -- formulas depend on each other in a loop; params ``path`` ("a → b → a").
- ``self_reference`` -- a formula uses its own KPI; params ``name``, ``path``.
- ``not_a_leaf`` -- goal seek on a KPI that is not a leaf of the root; params ``name``,
  ``root``.
- ``unsolvable`` -- no value of the leaf reaches the target; params ``name``, ``target``.
- ``invalid_direction`` -- a sensitivity direction other than +1 or -1; params
  ``name``, ``direction``.

``col`` is 1-based and counts characters of the text as typed.
"""

from __future__ import annotations

import ast
import re
import unicodedata
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

# Bounded so a pasted formula can't cost the parser (or the recursion limit) anything:
# 4,000 characters hold a sum of 18 team products with room to spare; 500 parts keep the
# tree at most ~250 operators deep, well under Python's recursion limit.
MAX_LENGTH = 4000
MAX_NODES = 500
CODE_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")

# Symbols people type in Japanese business documents; NFKC does not map × and ÷.
_SYMBOLS = {"×": "*", "÷": "/", "−": "-", "–": "-", "·": "*", "∕": "/"}

_BINARY_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_UNARY_OPS = {ast.USub: "-", ast.UAdd: "+"}

_FORBIDDEN_OPERATORS = {
    ast.Pow: "operator **",
    ast.FloorDiv: "operator //",
    ast.Mod: "operator %",
    ast.MatMult: "operator @",
    ast.LShift: "operator <<",
    ast.RShift: "operator >>",
    ast.BitAnd: "operator &",
    ast.BitOr: "operator |",
    ast.BitXor: "operator ^",
    ast.Invert: "operator ~",
    ast.Not: "operator not",
}

_FORBIDDEN_NODES = {
    ast.Call: "function call",
    ast.Attribute: "attribute access",
    ast.Subscript: "subscript",
    ast.Compare: "comparison",
    ast.BoolOp: "and/or",
    ast.IfExp: "conditional expression",
    ast.Lambda: "lambda",
    ast.NamedExpr: "assignment expression",
    ast.JoinedStr: "f-string",
    ast.Tuple: "tuple",
    ast.List: "list",
    ast.Set: "set",
    ast.Dict: "dict",
    ast.ListComp: "comprehension",
    ast.SetComp: "comprehension",
    ast.DictComp: "comprehension",
    ast.GeneratorExp: "comprehension",
    ast.Starred: "starred expression",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "slice",
}


class FormulaError(ValueError):
    """A formula or KPI tree problem with a stable machine ``code`` and ``params``."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params
        self.message = message


# --- our own expression tree -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Const:
    value: float


@dataclass(frozen=True, slots=True)
class _Var:
    name: str


@dataclass(frozen=True, slots=True)
class _Unary:
    op: str
    operand: _Node


@dataclass(frozen=True, slots=True)
class _Binary:
    op: str
    left: _Node
    right: _Node


_Node = _Const | _Var | _Unary | _Binary

Value = float | np.ndarray


@dataclass(frozen=True)
class Formula:
    """A parsed, validated formula that evaluates over floats or numpy arrays."""

    text: str
    variables: frozenset[str]
    names: tuple[str, ...] = ()  # variables in order of first appearance
    _root: _Node = field(default=_Const(0.0), repr=False, compare=False)

    def evaluate(self, values: Mapping[str, Value]) -> Value:
        """Return the formula's value; division by zero yields inf/nan, never an error."""
        missing = [name for name in self.names if name not in values]
        if missing:
            raise FormulaError("missing_value", f"no value for {missing[0]!r}", name=missing[0])
        arrays = {name: np.asarray(values[name], dtype=np.float64) for name in self.names}
        with np.errstate(all="ignore"):
            result = _walk(self._root, arrays)
        if np.ndim(result) == 0:
            return float(result)
        return np.asarray(result)


def _walk(node: _Node, values: Mapping[str, np.ndarray]) -> np.ndarray | np.float64:
    """Compute one node with numpy arithmetic (caller sets np.errstate)."""
    if isinstance(node, _Const):
        return np.float64(node.value)
    if isinstance(node, _Var):
        return values[node.name]
    if isinstance(node, _Unary):
        operand = _walk(node.operand, values)
        return np.negative(operand) if node.op == "-" else np.positive(operand)
    left = _walk(node.left, values)
    right = _walk(node.right, values)
    if node.op == "+":
        return np.add(left, right)
    if node.op == "-":
        return np.subtract(left, right)
    if node.op == "*":
        return np.multiply(left, right)
    return np.true_divide(left, right)


# --- parsing ------------------------------------------------------------------------


def parse_formula(text: str, known_codes: set[str] | None = None) -> Formula:
    """Parse ``text`` into a Formula or raise FormulaError explaining what is wrong."""
    if len(text) > MAX_LENGTH:
        raise FormulaError(
            "too_long",
            f"formula is {len(text)} characters long; the limit is {MAX_LENGTH}",
            length=len(text),
            max=MAX_LENGTH,
        )
    if not text.strip():
        raise FormulaError("empty", "formula is empty")
    source = normalise(text)
    tree = _parse_ast(source)
    # Counted on Python's tree first (iteratively), so a huge chain is refused before the
    # recursive conversion walks it.
    rough = sum(isinstance(n, (ast.BinOp, ast.UnaryOp, ast.Name, ast.Constant))
                for n in ast.walk(tree.body))
    if rough > MAX_NODES:
        raise FormulaError("too_many_nodes", f"formula has {rough} parts; the limit is "
                           f"{MAX_NODES}", count=rough, max=MAX_NODES)
    root = _Converter(source, known_codes).convert(tree.body)
    _reject_comment(source)
    _check_node_count(root)
    names = tuple(dict.fromkeys(_names(root)))
    return Formula(text=text, variables=frozenset(names), names=names, _root=root)


def normalise(text: str) -> str:
    """Map full-width and typographic symbols to ASCII, one character for one."""
    # One-for-one replacement keeps every column pointing at the text as typed.
    return "".join(_normalise_char(char) for char in text)


def _normalise_char(char: str) -> str:
    """Return the ASCII stand-in for one character, or the character itself."""
    if char in _SYMBOLS:
        return _SYMBOLS[char]
    if char.isspace():
        return " "
    folded = unicodedata.normalize("NFKC", char)
    if len(folded) == 1 and folded.isascii():
        return folded
    return char


def _parse_ast(source: str) -> ast.Expression:
    """Parse normalised source in expression mode, mapping failures to ``syntax``."""
    # Leading spaces are an IndentationError in expression mode; blank them out.
    padded = source.lstrip()
    indent = len(source) - len(padded)
    try:
        with warnings.catch_warnings():
            # Invalid escapes in string literals warn; strings are refused anyway.
            warnings.simplefilter("ignore")
            return ast.parse(padded, mode="eval")
    except SyntaxError as exc:
        col = indent + (exc.offset or 1)
        detail = exc.msg or "invalid syntax"
        raise FormulaError(
            "syntax", f"syntax error at column {col}: {detail}", col=col, detail=detail
        ) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise FormulaError("syntax", f"syntax error: {exc}", col=1, detail=str(exc)) from None


class _Converter:
    """Turns an allowlisted Python AST into the formula's own tree."""

    def __init__(self, source: str, known_codes: set[str] | None) -> None:
        self.source = source
        self.stripped = source.lstrip()
        self.indent = len(source) - len(self.stripped)
        self.encoded = self.stripped.encode("utf-8")
        self.known_codes = known_codes

    def convert(self, node: ast.expr) -> _Node:
        """Return the tree for ``node`` or raise ``forbidden`` at its column."""
        if isinstance(node, ast.Constant):
            return self._constant(node)
        if isinstance(node, ast.Name):
            return _Var(self._name(node))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY_OPS:
            return _Unary(_UNARY_OPS[type(node.op)], self.convert(node.operand))
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY_OPS:
            left = self.convert(node.left)
            return _Binary(_BINARY_OPS[type(node.op)], left, self.convert(node.right))
        raise self._forbidden(node)

    def col(self, node: ast.AST) -> int:
        """Return the 1-based character column of ``node`` in the text as typed."""
        # ast offsets count UTF-8 bytes; columns for people count characters.
        prefix = self.encoded[: node.col_offset]
        return self.indent + len(prefix.decode("utf-8", errors="ignore")) + 1

    def _constant(self, node: ast.Constant) -> _Const:
        """Accept int and float literals only, as finite floats."""
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._forbidden(node)
        try:
            number = float(value)
        except OverflowError:
            number = float("inf")
        if not np.isfinite(number):
            col = self.col(node)
            raise FormulaError(
                "number_out_of_range",
                f"number at column {col} is too large",
                number=ast.get_source_segment(self.stripped, node),
                col=col,
            )
        return _Const(number)

    def _name(self, node: ast.Name) -> str:
        """Accept a KPI code, checking its spelling and, if asked, that it exists."""
        col = self.col(node)
        # Spelled as typed (Python folds some Unicode); sliced, get_source_segment is O(text).
        typed = self.encoded[node.col_offset:node.end_col_offset].decode("utf-8", "replace")
        if typed != node.id or not CODE_PATTERN.fullmatch(node.id):
            name = typed or node.id
            raise FormulaError(
                "invalid_name",
                f"{name!r} at column {col} is not a KPI code (a-z, 0-9, _)",
                name=name,
                col=col,
            )
        if self.known_codes is not None and node.id not in self.known_codes:
            raise FormulaError(
                "unknown_code", f"unknown KPI {node.id!r} at column {col}", name=node.id, col=col
            )
        return node.id

    def _forbidden(self, node: ast.AST) -> FormulaError:
        """Build the ``forbidden`` error naming the construct and where it starts."""
        construct, col = _describe(node), self.col(node)
        if isinstance(node, ast.BinOp):
            col = self._operator_col(node)
        return FormulaError(
            "forbidden",
            f"{construct} is not allowed (column {col})",
            construct=construct,
            col=col,
        )

    def _operator_col(self, node: ast.BinOp) -> int:
        """Return the column of a binary operator rather than of its left operand."""
        start = node.left.end_col_offset or 0
        tail = self.stripped.encode("utf-8")[start:].decode("utf-8", errors="ignore")
        skipped = len(tail) - len(tail.lstrip(" )"))
        before = self.stripped.encode("utf-8")[:start].decode("utf-8", errors="ignore")
        return self.indent + len(before) + skipped + 1


def _describe(node: ast.AST) -> str:
    """Name a forbidden construct in words a formula author understands."""
    if isinstance(node, ast.BinOp | ast.UnaryOp):
        return _FORBIDDEN_OPERATORS.get(type(node.op), "operator")
    if isinstance(node, ast.Constant):
        return _describe_constant(node.value)
    for kind, description in _FORBIDDEN_NODES.items():
        if isinstance(node, kind):
            return description
    return type(node).__name__


def _describe_constant(value: object) -> str:
    """Name a forbidden literal (string, boolean, None, complex...)."""
    if isinstance(value, bool):
        return f"boolean {value}"
    if isinstance(value, str | bytes):
        return "string"
    if isinstance(value, complex):
        return "complex number"
    if value is None:
        return "None"
    return "literal"


def _reject_comment(source: str) -> None:
    """Refuse ``#`` so the stored text never hides part of itself as a comment."""
    index = source.find("#")
    if index >= 0:
        raise FormulaError(
            "forbidden",
            f"comment is not allowed (column {index + 1})",
            construct="comment",
            col=index + 1,
        )


def _check_node_count(root: _Node) -> None:
    """Refuse formulas with more than MAX_NODES operands and operators."""
    count = _count(root)
    if count > MAX_NODES:
        raise FormulaError(
            "too_many_nodes",
            f"formula has {count} parts; the limit is {MAX_NODES}",
            count=count,
            max=MAX_NODES,
        )


def _count(node: _Node) -> int:
    """Count the expression nodes (numbers, names, operators) under ``node``."""
    if isinstance(node, _Unary):
        return 1 + _count(node.operand)
    if isinstance(node, _Binary):
        return 1 + _count(node.left) + _count(node.right)
    return 1


def _names(node: _Node) -> list[str]:
    """List variable names left to right, with repeats."""
    if isinstance(node, _Var):
        return [node.name]
    if isinstance(node, _Unary):
        return _names(node.operand)
    if isinstance(node, _Binary):
        return _names(node.left) + _names(node.right)
    return []
