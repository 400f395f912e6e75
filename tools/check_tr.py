"""Find user-visible strings that reach Qt without going through a translation function.

    python tools/check_tr.py [FILE...]      (default: every .py under src/s3desk/ui)

A string literal or f-string is reported when it reaches, unwrapped by ``tr()``,
``QCoreApplication.translate()`` or ``QT_TRANSLATE_NOOP()`` (then translated where shown):

- a text argument of a Qt widget constructor (``QLabel("…")``, ``QAction(icon, "…")``) or
  of a Qt setter or adder (``setText``, ``setToolTip``, ``addTab``, ``addItem``, ...),
- a caption of a static dialog (``QMessageBox.question``, ``QFileDialog.getOpenFileNames``),
- what a model's ``data()`` or ``headerData()`` returns,
- the text argument of ``tr()``/``translate()`` when it is not a plain literal (lupdate only
  extracts literals: an f-string or a variable there is never translated).

Text reaches these through local variables, loops over literal tables, constants of the
module or class, and functions of the same file (their return values, and parameters that
they pass to one of these). A string with no letters once URLs, HTML tags and placeholders
are taken out is not text. A ``# notr`` comment on a line exempts the strings on it (brand
name, sample values). Exits 1 after printing ``file:line: ...`` for each finding.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Recursive: the views live in sub-packages (ui/window, ui/browser, ...).
DEFAULT_GLOB = "src/s3desk/ui/**/*.py"

# Constructors whose string arguments are all shown (text, title, label).
CONSTRUCTORS = frozenset({
    "QAction", "QLabel", "QPushButton", "QCheckBox", "QRadioButton", "QGroupBox",
    "QToolButton", "QCommandLinkButton", "QMenu", "QToolBar", "QDockWidget", "QMessageBox",
    "QProgressDialog", "QListWidgetItem", "QTableWidgetItem", "QTreeWidgetItem",
    "QStandardItem", "QWidgetAction",
})  # fmt: skip
CONSTRUCTOR_KEYWORDS = frozenset({"text", "title", "labelText", "cancelButtonText"})

# Method name -> positions of the shown text (keywords: the same names as Qt's).
_FIRST = (0,)
METHODS: dict[str, tuple[int, ...]] = {
    **dict.fromkeys(
        (
            "setText",
            "setToolTip",
            "setStatusTip",
            "setWhatsThis",
            "setWindowTitle",
            "setPlaceholderText",
            "setAccessibleName",
            "setAccessibleDescription",
            "setTitle",
            "setSubTitle",
            "setInformativeText",
            "setDetailedText",
            "setIconText",
            "setLabelText",
            "setSuffix",
            "setPrefix",
            "setSpecialValueText",
            "setCancelButtonText",
            "setOkButtonText",
            "setHtml",
            "setWindowIconText",
            "addRow",
            "addButton",
            "setHeaderLabel",
            "setHorizontalHeaderLabels",
            "setVerticalHeaderLabels",
            "setHeaderLabels",
            "addItems",
        ),
        _FIRST,
    ),
    # (text, slot) or (icon, text, slot): the first two; a shortcut comes later.
    **dict.fromkeys(("addAction", "addMenu", "addSection"), (0, 1)),
    # QStatusBar (text, ms); QSystemTrayIcon (title, text, icon, ms).
    "showMessage": (0, 1),
    **dict.fromkeys(
        ("setTabText", "setTabToolTip", "setTabWhatsThis", "setItemText", "insertItems"), (1,)
    ),
    "addTab": (1, 2),
    "insertTab": (2, 3),
    "insertItem": (1,),  # (index, text, data) or (index, icon, text, data): see _positions
    "addItem": (0,),  # (text, data) or (icon, text, data): see _positions
}
METHOD_KEYWORDS = frozenset({"text", "title", "label", "caption", "labelText", "items"})

# Static dialogs: class -> method -> positions of shown text.
_BOX = (1, 2)
STATIC: dict[str, dict[str, tuple[int, ...]]] = {
    "QMessageBox": dict.fromkeys(("information", "warning", "critical", "question", "about"), _BOX),
    "QInputDialog": {
        **dict.fromkeys(("getText", "getInt", "getDouble", "getMultiLineText"), _BOX),
        "getItem": (1, 2, 3),
    },
    # (parent, caption, dir, filter): the directory is data, the filter is shown.
    "QFileDialog": dict.fromkeys(
        (
            "getOpenFileName",
            "getOpenFileNames",
            "getSaveFileName",
            "getExistingDirectory",
            "getOpenFileUrl",
            "getOpenFileUrls",
            "getSaveFileUrl",
            "getExistingDirectoryUrl",
        ),
        (1, 3),
    ),
}

# Model methods whose return values are shown.
SHOWN_RETURNS = frozenset({"data", "headerData"})

# Translation calls: name -> position of the context (None: the class) and of the text.
TRANSLATE = {"tr": (None, 0), "translate": (0, 1), "QT_TRANSLATE_NOOP": (0, 1),
             "QT_TR_NOOP": (None, 0), "QT_TRANSLATE_NOOP3": (0, 1)}  # fmt: skip
NOOP = frozenset({"QT_TRANSLATE_NOOP", "QT_TR_NOOP", "QT_TRANSLATE_NOOP3"})
APPLICATIONS = frozenset({"QCoreApplication", "QGuiApplication", "QApplication"})

# String methods whose result is the receiver's text (their arguments are data).
SAME_TEXT = frozenset({
    "format", "replace", "strip", "rstrip", "lstrip", "upper", "lower", "capitalize",
    "title", "casefold", "center", "ljust", "rjust", "removeprefix", "removesuffix", "arg",
})  # fmt: skip

_NOT_TEXT = [
    re.compile(r"<[^<>]*>"),  # HTML tags
    re.compile(r"&[a-zA-Z]+;|&#\d+;"),  # entities
    re.compile(r"\b[a-z][a-z0-9+.-]*://\S*"),  # URLs
    re.compile(r"%L?\d+|%L?n|%\(\w+\)[sdifr]|%[sdifr]|\{[^{}]*\}"),  # placeholders
]


def is_text(value: str) -> bool:
    """Whether a string has words a translator would translate."""
    for pattern in _NOT_TEXT:
        value = pattern.sub(" ", value)
    return any(ch.isalpha() for ch in value)


@dataclass(frozen=True)
class Literal:
    node: ast.expr
    noop: bool = False  # marked with QT_TRANSLATE_NOOP: fine where it is translated


@dataclass
class Flow:
    """What an expression's value may carry: untranslated literals, and which parameters
    of the enclosing function."""

    literals: list[Literal] = field(default_factory=list)
    params: set[str] = field(default_factory=set)

    def add(self, other: Flow) -> Flow:
        self.literals.extend(other.literals)
        self.params |= other.params
        return self


@dataclass
class Function:
    node: ast.FunctionDef | ast.AsyncFunctionDef
    cls: str | None
    params: list[str]
    bindings: dict[str, list[ast.expr]] = field(default_factory=dict)
    returns: Flow = field(default_factory=Flow)
    # Parameter -> the Qt sink it reaches inside the function.
    sink_params: dict[str, str] = field(default_factory=dict)

    @property
    def is_method(self) -> bool:
        return self.cls is not None and bool(self.params) and self.params[0] in ("self", "cls")


@dataclass(frozen=True)
class Finding:
    line: int
    message: str

    def format(self, path: str) -> str:
        return f"{path}:{self.line}: {self.message}"


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _describe(node: ast.expr) -> str:
    text = str(node.value) if isinstance(node, ast.Constant) else ast.unparse(node)
    text = text.replace("\n", "\\n")
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _is_icon(node: ast.expr) -> bool:
    """A guess that an argument is an icon (``addItem(icon, text, data)``)."""
    name = _call_name(node.func) if isinstance(node, ast.Call) else _call_name(node)
    return "icon" in name.lower() or "pixmap" in name.lower()


class Checker:
    def __init__(self, source: str) -> None:
        self.tree = ast.parse(source)
        self.exempt = _notr_lines(source)
        self.constants: dict[str, ast.expr] = {}  # module and class constants by name
        self.functions: dict[tuple[str | None, str], Function] = {}
        self.findings: dict[tuple[int, int], Finding] = {}
        self._current: Function | None = None
        self._collect(self.tree.body, None)

    # ------------------------------------------------------------------ collecting

    def _collect(self, body: Iterable[ast.stmt], cls: str | None) -> None:
        for stmt in body:
            if isinstance(stmt, ast.ClassDef):
                self._collect(stmt.body, stmt.name)
            elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                self._add_function(stmt, cls)
            elif isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        self.constants[target.id] = stmt.value

    def _add_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, cls: str | None) -> None:
        args = node.args
        params = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
        self.functions.setdefault((cls, node.name), Function(node, cls, params))
        for child in ast.walk(node):  # functions defined inside: called by their bare name
            if child is not node and isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                child_args = child.args
                names = [a.arg for a in (*child_args.posonlyargs, *child_args.args)]
                self.functions.setdefault((None, child.name), Function(child, None, names))

    def _bind(self, function: Function) -> None:
        """Local names and what may be assigned to them (in any order: flow-insensitive)."""
        for node in _walk_function(function.node):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    self._bind_target(function, target, node.value)
            elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.NamedExpr):
                if node.value is not None:
                    self._bind_target(function, node.target, node.value)
            elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
                self._bind_loop(function, node.target, node.iter)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("append", "extend", "insert")
                and isinstance(node.func.value, ast.Name)
                and node.args
            ):
                function.bindings.setdefault(node.func.value.id, []).append(node.args[-1])

    def _bind_target(self, function: Function, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            function.bindings.setdefault(target.id, []).append(value)
        # Unpacking anything but a literal of the same length: which part goes where is
        # unknown, and guessing would report data as text.
        elif (
            isinstance(target, ast.Tuple | ast.List)
            and isinstance(value, ast.Tuple | ast.List)
            and len(value.elts) == len(target.elts)
        ):
            for sub, part in zip(target.elts, value.elts, strict=True):
                self._bind_target(function, sub, part)

    def _bind_loop(self, function: Function, target: ast.expr, iterable: ast.expr) -> None:
        """``for a, b in ((1, "x"), ...)``: each name gets its own column of the table."""
        rows = self._table(iterable)
        if rows is None:
            self._bind_target(function, target, iterable)
            return
        for row in rows:
            self._bind_target(function, target, row)

    def _table(self, node: ast.expr) -> list[ast.expr] | None:
        if isinstance(node, ast.Name) and node.id in self.constants:
            node = self.constants[node.id]
        elif isinstance(node, ast.Attribute) and node.attr in self.constants:
            node = self.constants[node.attr]
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return list(node.elts)
        return None

    # ------------------------------------------------------------------ flows

    def flow(self, node: ast.expr | None, seen: frozenset[str] = frozenset()) -> Flow:
        """The literals and parameters ``node``'s value may carry as its text."""
        out = Flow()
        if node is None:
            return out
        if isinstance(node, ast.Constant | ast.JoinedStr) and is_text(_literal_text(node)):
            out.literals.append(Literal(node))
        if isinstance(node, ast.Name):
            out.add(self._name_flow(node.id, self._current, seen))
        elif isinstance(node, ast.Attribute):
            if node.attr in self.constants and node.attr not in seen:
                out.add(self.flow(self.constants[node.attr], seen | {node.attr}))
        elif isinstance(node, ast.Call):
            out.add(self._call_flow(node, seen))
        for part in _text_parts(node):
            out.add(self.flow(part, seen))
        return out

    def _name_flow(self, name: str, function: Function | None, seen: frozenset[str]) -> Flow:
        out = Flow()
        if name in seen:
            return out
        seen = seen | {name}
        if function is not None and (name in function.bindings or name in function.params):
            if name in function.params:
                out.params.add(name)
            for value in function.bindings.get(name, []):
                out.add(self.flow(value, seen))
        elif name in self.constants:
            out.add(self.flow(self.constants[name], seen))
        return out

    def _call_flow(self, node: ast.Call, seen: frozenset[str]) -> Flow:
        out = Flow()
        name = _call_name(node.func)
        if self._is_translation(node):
            if name in NOOP:
                position = TRANSLATE[name][1]
                if len(node.args) > position:
                    out.literals.append(Literal(node.args[position], noop=True))
            return out
        if isinstance(node.func, ast.Attribute) and name in SAME_TEXT:
            return self.flow(node.func.value, seen)
        if isinstance(node.func, ast.Attribute) and name == "join" and node.args:
            return self.flow(node.func.value, seen).add(self.flow(node.args[0], seen))
        callee = self._callee(node)
        if callee is not None:
            out.add(Flow(list(callee.returns.literals)))
            for param in callee.returns.params:
                for arg in self._args_for(node, callee, param):
                    out.add(self.flow(arg, seen))
        return out

    def _callee(self, node: ast.Call) -> Function | None:
        func = node.func
        cls = self._current.cls if self._current else None
        if isinstance(func, ast.Name):
            return self.functions.get((None, func.id))
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.value.id in ("self", "cls"):
                return self.functions.get((cls, func.attr))
            return self.functions.get((func.value.id, func.attr))  # Class.method(...)
        return None

    @staticmethod
    def _args_for(node: ast.Call, callee: Function, param: str) -> list[ast.expr]:
        params = callee.params[1:] if callee.is_method else callee.params
        found = [k.value for k in node.keywords if k.arg == param]
        if param in params:
            index = params.index(param)
            if index < len(node.args) and not any(
                isinstance(a, ast.Starred) for a in node.args[: index + 1]
            ):
                found.append(node.args[index])
        return found

    def _is_translation(self, node: ast.Call) -> bool:
        func, name = node.func, _call_name(node.func)
        if name not in TRANSLATE:
            return False
        if name == "translate":  # QCoreApplication.translate, not str.translate
            if isinstance(func, ast.Attribute):
                return isinstance(func.value, ast.Name) and func.value.id in APPLICATIONS
            return len(node.args) >= 2
        return True

    # ------------------------------------------------------------------ sinks

    def _sinks(self, node: ast.Call) -> Iterator[tuple[ast.expr, str]]:
        """The arguments of ``node`` that are shown, with what shows them."""
        func, name = node.func, _call_name(node.func)
        if self._is_translation(node):
            position = TRANSLATE[name][1]
            text = node.args[position] if len(node.args) > position else None
            receiver = func.value if isinstance(func, ast.Attribute) else None
            if name == "tr" and receiver is not None and ast.unparse(receiver) != "self":
                # lupdate takes "self.window" for the context; Qt looks up the class.
                where = ast.unparse(receiver)
                message = (
                    f"{where}.tr(): lupdate files this under the context '{where}', which Qt "
                    "never looks up; use self.tr()"
                )
                self._report(Literal(node), "", message)
            if isinstance(text, ast.JoinedStr):  # even without words: never in the catalogue
                self._report(Literal(text), f"{name}() (lupdate cannot extract an f-string)")
            elif text is not None and not (
                isinstance(text, ast.Constant) and isinstance(text.value, str)
            ):
                yield text, f"{name}() as a non-literal (lupdate cannot extract it)"
            return
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            positions = STATIC.get(func.value.id, {}).get(name)
            if positions is not None:
                yield from self._at(node, positions, METHOD_KEYWORDS, f"{func.value.id}.{name}()")
                return
        if name in CONSTRUCTORS:
            positions = tuple(range(len(node.args)))
            yield from self._at(node, positions, CONSTRUCTOR_KEYWORDS, f"{name}()")
        elif isinstance(func, ast.Attribute) and name in METHODS:
            yield from self._at(node, self._positions(node, name), METHOD_KEYWORDS, f"{name}()")

    @staticmethod
    def _positions(node: ast.Call, name: str) -> tuple[int, ...]:
        positions = METHODS[name]
        offset = {"addItem": 0, "insertItem": 1}.get(name)
        # (icon, text, data): the text comes after the icon; otherwise data follows it.
        if offset is not None and len(node.args) > offset and _is_icon(node.args[offset]):
            positions = (offset + 1,)
        return positions

    @staticmethod
    def _at(
        node: ast.Call, positions: tuple[int, ...], keywords: frozenset[str], sink: str
    ) -> Iterator[tuple[ast.expr, str]]:
        for position in positions:
            if position < len(node.args) and not isinstance(node.args[position], ast.Starred):
                yield node.args[position], sink
        for keyword in node.keywords:
            if keyword.arg in keywords:
                yield keyword.value, sink

    def _check_sink(self, value: ast.expr, sink: str) -> None:
        flow = self.flow(value)
        translating = sink.startswith(tuple(TRANSLATE))
        for literal in flow.literals:
            if literal.noop and translating:
                continue
            self._report(literal, sink)
        if self._current is not None:
            for param in flow.params:
                self._current.sink_params.setdefault(param, sink)

    def _report(self, literal: Literal, sink: str, message: str = "") -> None:
        node = literal.node
        lines = range(node.lineno, (node.end_lineno or node.lineno) + 1)
        if any(line in self.exempt for line in lines):
            return
        if not message:
            text = _describe(node)
            if literal.noop:
                text += " (QT_TRANSLATE_NOOP, never translated)"
            elif isinstance(node, ast.JoinedStr):
                text = "f-string " + text
            message = f"untranslated {text} reaches {sink}"
        key = (node.lineno, node.col_offset)
        self.findings.setdefault(key, Finding(node.lineno, message))

    # ------------------------------------------------------------------ running

    def run(self) -> list[Finding]:
        for function in self.functions.values():
            self._bind(function)
        # Return values and parameters reaching sinks go up through callers: a fixpoint.
        for _ in range(10):
            before = self._state()
            for function in self.functions.values():
                self._visit(function)
            if self._state() == before:
                break
        self._current = None
        for node in _walk_module_level(self.tree):
            self._visit_call(node)
        return sorted(self.findings.values(), key=lambda f: f.line)

    def _state(self) -> tuple[object, ...]:
        return tuple(
            (len(f.returns.literals), sorted(f.returns.params), sorted(f.sink_params))
            for f in self.functions.values()
        )

    def _visit(self, function: Function) -> None:
        self._current = function
        returns = Flow()
        for node in _walk_function(function.node):
            if isinstance(node, ast.Return) and node.value is not None:
                flow = self.flow(node.value)
                returns.add(flow)
                if function.cls is not None and function.node.name in SHOWN_RETURNS:
                    self._check_sink(node.value, f"{function.node.name}()")
            elif isinstance(node, ast.Call):
                self._visit_call(node)
        seen: set[tuple[int, int]] = set()
        function.returns = Flow(
            [
                lit
                for lit in returns.literals
                if (k := (lit.node.lineno, lit.node.col_offset)) not in seen and not seen.add(k)
            ],
            returns.params,
        )

    def _visit_call(self, node: ast.AST) -> None:
        if not isinstance(node, ast.Call):
            return
        for value, sink in self._sinks(node):
            self._check_sink(value, sink)
        callee = self._callee(node)
        if callee is not None:
            for param, sink in list(callee.sink_params.items()):
                for arg in self._args_for(node, callee, param):
                    self._check_sink(arg, f"{sink} (via {callee.node.name}())")


def _literal_text(node: ast.expr) -> str:
    """The words written in a literal (an f-string's without its fields)."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else ""
    if isinstance(node, ast.JoinedStr):
        return "".join(_literal_text(value) for value in node.values)
    return ""


def _text_parts(node: ast.expr) -> list[ast.expr]:
    """The sub-expressions whose text becomes part of ``node``'s value."""
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
    if isinstance(node, ast.BinOp):  # "a" + b; "%s files" % n: the template only
        return [node.left, node.right] if isinstance(node.op, ast.Add) else [node.left]
    if isinstance(node, ast.IfExp):
        return [node.body, node.orelse]
    if isinstance(node, ast.BoolOp):
        return list(node.values)
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return list(node.elts)
    if isinstance(node, ast.Dict):
        return [value for value in node.values if value is not None]
    if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp):
        return [node.elt]
    if isinstance(node, ast.Starred | ast.NamedExpr | ast.Subscript):
        return [node.value]
    return []


def _walk_function(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a function's body, not of functions or classes defined in it (lambdas
    are part of it)."""
    todo = list(ast.iter_child_nodes(node))
    while todo:
        child = todo.pop()
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        yield child
        todo.extend(ast.iter_child_nodes(child))


def _walk_module_level(tree: ast.Module) -> Iterator[ast.AST]:
    """Nodes outside any function (module and class bodies)."""
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            yield child
            todo.append(child)


def _notr_lines(source: str) -> set[int]:
    lines = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT and re.search(r"#\s*notr\b", token.string):
            lines.add(token.start[0])
    return lines


def check_file(path: Path) -> list[Finding]:
    return Checker(path.read_text(encoding="utf-8")).run()


def default_paths() -> list[Path]:
    """The modules checked when none is named: every one of the UI, in its sub-packages too."""
    return sorted(ROOT.glob(DEFAULT_GLOB))


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or default_paths()
    count = 0
    for path in paths:
        try:
            shown = str(path.resolve().relative_to(Path.cwd()))
        except ValueError:
            shown = str(path)
        for finding in check_file(path):
            print(finding.format(shown))
            count += 1
    if count:
        sys.stdout.flush()
        print(f"{count} untranslated string(s); wrap them in tr() or mark them # notr",
              file=sys.stderr)  # fmt: skip
    return 1 if count else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
