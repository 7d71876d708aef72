"""Load agreement files (YAML) with every error named by file, line and field.

ruamel.yaml keeps the line and column of each key and item, which PyYAML's
plain loader throws away; that is why it is used here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.reader import ReaderError

from accord.agreement.model import Agreement
from accord.agreement.references import Loc, check_references
from accord.limits import MAX_DEPTH, MAX_PLAN_BYTES, TooDeep, check_depth

# Characters YAML refuses (C0 controls but tab, newline and carriage return; DEL).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MAX_REPORTED = 20


@dataclass(frozen=True)
class FileProblem:
    """One thing wrong with an agreement file, and where."""

    file: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class AgreementFileError(Exception):
    """All problems found in one agreement file."""

    def __init__(self, problems: list[FileProblem]):
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in {problems[0].file}:\n{lines}")


def plain_yaml(node: Any) -> Any:
    """Round-trip YAML nodes (which keep line numbers) as plain dicts and lists, for a
    model to validate while the nodes still place its errors."""
    if isinstance(node, dict):
        return {str(k): plain_yaml(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain_yaml(v) for v in node]
    return node


def field_path(loc: Loc) -> str:
    """('terms', 3, 'zone', 'width') -> 'terms[3].zone.width'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _position(root: Any, loc: Loc, at_key: bool = False) -> tuple[int, int]:
    """1-based line and column of the deepest node of `loc` present in the file:
    the value itself when it is a scalar (or the key, with `at_key`)."""
    node, line, col = root, 0, 0
    if isinstance(root, CommentedMap | CommentedSeq):
        line, col = root.lc.line, root.lc.col
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            scalar = _is_scalar(node[part]) and not at_key
            line, col = node.lc.value(part) if scalar else node.lc.key(part)
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            line, col = node.lc.item(part)
            node = node[part]
        else:
            break
    return line + 1, col + 1


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, CommentedMap | CommentedSeq)


def _message(error: ErrorDetails) -> tuple[Loc, str, bool]:
    loc: Loc = tuple(p for p in error["loc"] if not _is_model_tag(p))
    kind = error["type"]
    if kind == "missing":
        return loc, f"missing required field '{loc[-1]}'", False
    if kind == "extra_forbidden":
        return loc, f"unknown field '{loc[-1]}'{_valid_fields(loc)}", True
    text = error["msg"].removeprefix("Value error, ")
    if kind in {"enum", "literal_error", "string_pattern_mismatch"}:
        text = f"{text} (got {json.dumps(error.get('input'), default=str)})"
    return loc, text, False


def _is_model_tag(part: Any) -> bool:
    # pydantic puts union member names such as 'function-before[...]' in locs.
    return isinstance(part, str) and ("[" in part or part.startswith("function-"))


def _valid_fields(loc: Loc) -> str:
    from accord.agreement.schema import fields_at

    names = fields_at(loc[:-1])
    return f"; valid fields here: {', '.join(names)}" if names else ""


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _unreadable(text: str, filename: str) -> list[FileProblem]:
    """What stops YAML from reading the text at all: size, control characters, nesting."""
    if len(text) > MAX_PLAN_BYTES:
        return [
            FileProblem(
                filename,
                1,
                1,
                "",
                f"the file is {len(text):,} characters; plan files are "
                f"limited to {MAX_PLAN_BYTES:,}",
            )
        ]
    problems = [
        FileProblem(
            filename,
            *_line_col(text, m.start()),
            "",
            f"control character U+{ord(m.group()):04X} is not allowed in a plan file",
        )
        for m in _CONTROL.finditer(text)
    ][:_MAX_REPORTED]
    try:
        check_depth(text)
    except TooDeep as exc:
        problems.append(FileProblem(filename, *_line_col(text, exc.offset), "", str(exc)))
    at = _too_deep_by_indent(text)
    if at is not None:
        problems.append(
            FileProblem(
                filename, at, 1, "", f"nested deeper than {MAX_DEPTH} levels by indentation"
            )
        )
    return problems


def _too_deep_by_indent(text: str) -> int | None:
    """The first line whose block nesting by indentation passes MAX_DEPTH, if any."""
    stack: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        body = line.lstrip(" ")
        if not body or body.startswith("#"):
            continue
        indent = len(line) - len(body)
        while stack and stack[-1] >= indent:
            stack.pop()
        stack.append(indent)
        if len(stack) > MAX_DEPTH:
            return number
    return None


@dataclass(frozen=True)
class SourceMap:
    """Where each node of an agreement file sits, for problems found after loading
    (e.g. by a stage that knows the negotiation domain)."""

    file: str
    root: Any

    @classmethod
    def parse(cls, text: str, filename: str) -> SourceMap:
        """The node positions of a file's text; a map without positions when the YAML is broken."""
        try:
            return cls(filename, YAML(typ="rt").load(text.removeprefix("\ufeff")))
        except MarkedYAMLError:
            return cls(filename, None)

    @classmethod
    def read(cls, path: str | Path) -> SourceMap:
        """The node positions of the file at `path`."""
        return cls.parse(Path(path).read_text(encoding="utf-8"), str(path))

    def problem(self, loc: Loc, message: str, at_key: bool = False) -> FileProblem:
        """A problem at `loc` (e.g. ('terms', 3, 'negotiation', 'dmz')), positioned."""
        return FileProblem(self.file, *_position(self.root, loc, at_key), field_path(loc), message)


def parse_agreement(text: str, filename: str) -> Agreement:
    """Validate agreement YAML text; raise AgreementFileError with every problem."""
    text = text.removeprefix("\ufeff")
    unreadable = _unreadable(text, filename)
    if unreadable:
        raise AgreementFileError(unreadable)
    yaml = YAML(typ="rt")
    try:
        root = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = FileProblem(filename, line, col, "", f"not valid YAML: {exc.problem}")
        raise AgreementFileError([problem]) from None
    except ReaderError as exc:
        line, col = _line_col(text, exc.position)
        problem = FileProblem(filename, line, col, "", f"not readable as YAML: {exc.reason}")
        raise AgreementFileError([problem]) from None
    if not isinstance(root, CommentedMap):
        got = "an empty file" if root is None else f"a {type(root).__name__}"
        problem = FileProblem(filename, 1, 1, "", f"an agreement file is a mapping, not {got}")
        raise AgreementFileError([problem])
    found: list[tuple[Loc, str, bool]] = [(loc, msg, False) for loc, msg in check_references(root)]
    try:
        agreement = Agreement.model_validate(root, context={"references_checked": True})
    except ValidationError as exc:
        found.extend(_message(e) for e in exc.errors())
        agreement = None
    if found or agreement is None:
        where = SourceMap(filename, root)
        problems = [where.problem(loc, msg, at_key) for loc, msg, at_key in found]
        problems.sort(key=lambda p: (p.line, p.column, p.field))
        raise AgreementFileError(problems)
    return agreement


def load_agreement(path: str | Path) -> Agreement:
    """Load one agreement file."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_PLAN_BYTES * 4:  # over the limit in any UTF-8 text
            raise AgreementFileError(
                [
                    FileProblem(
                        str(path),
                        1,
                        1,
                        "",
                        f"the file is {path.stat().st_size:,} bytes; plan "
                        f"files are limited to {MAX_PLAN_BYTES:,} characters",
                    )
                ]
            )
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AgreementFileError(
            [FileProblem(str(path), 1, 1, "", f"cannot read: {exc.strerror}")]
        ) from None
    except UnicodeDecodeError as exc:
        raise AgreementFileError(
            [FileProblem(str(path), 1, 1, "", f"not UTF-8 text: {exc.reason}")]
        ) from None
    return parse_agreement(text, str(path))


def locate_problems(path: str | Path, found: Sequence[tuple[Loc, str]]) -> list[FileProblem]:
    """File, line and column of problems found in a loaded agreement (by the
    geography, say), given as (location, message) pairs like pydantic's."""
    where = SourceMap.read(path)
    problems = [where.problem(loc, msg) for loc, msg in found]
    return sorted(problems, key=lambda p: (p.line, p.column, p.field))
