"""Message templates: `Hello {{patient.first_name}}`, rendered safely. Pure.

Admins write templates; patients' data fills them. So templates run in Jinja2's
ImmutableSandboxedEnvironment with StrictUndefined, and the language is narrowed to what a
message needs: output of variables, filters from a short list, `{% if %}`, comparisons and
arithmetic. Loops, assignments, macros, includes, function and method calls, `**`, printf-style
`%` on text and `{% autoescape %}` are refused before anything runs: without them rendering time
grows only with the template's own size, and every way out of the sandbox we know of needs one
of them. What is left that can build big values (`*`, `+`, `sum`, `join`, `list`, printing) is
measured before it allocates (`template_limits`), literal expressions and nesting depth are
checked when the template is saved (`template_static`), and output size and time are checked
while it streams (`generate()`) and at each of those operations.

Only data is printed. A variable or attribute that is not text, a number, a date, an id or a
list or dict of those — a method (`patient.items`, `patient.first_name.upper`), a time zone,
an object a caller left in the context — reads as missing; and wherever a value becomes text
(`finalize` for `{{ … }}`, `~`, `|string`, `|upper`…) it is checked to be data within the text
cap, so nothing prints its Python representation (`<bound method … at 0x7f…>`).

Channels: `html` escapes every value (HTML e-mail); `text` leaves values as they are (SMS,
push, in-app text). A `None` value renders as an empty string; a missing one is an error.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from typing import Any, Literal

from jinja2 import StrictUndefined, TemplateSyntaxError, Undefined, UndefinedError, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context, markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import missing

from frontdesk.domain.rules.conditions import resolve
from frontdesk.domain.rules.errors import TemplateFailed, TemplateOverLimit, TemplateRefused
from frontdesk.domain.rules.template_filters import bounded_filters
from frontdesk.domain.rules.template_limits import (
    CURRENT_METER,
    MAX_TEXT_CHARS,
    LimitExceeded,
    Meter,
    NotPrintable,
    check_as_text,
    check_join,
    check_printable,
    check_repeat,
    check_text,
    is_data,
)
from frontdesk.domain.rules.template_static import static_problem, too_deep
from frontdesk.i18n import N_, _

Channel = Literal["html", "text"]

MAX_SOURCE_CHARS = 5_000
MAX_OUTPUT_CHARS = MAX_TEXT_CHARS
TIME_LIMIT_SECONDS = 0.2

SAFE_FILTERS = frozenset(
    {
        "abs", "capitalize", "count", "d", "default", "e", "escape", "first", "float", "int",
        "join", "last", "length", "list", "lower", "max", "min", "reverse", "round", "sort",
        "string", "striptags", "sum", "title", "trim", "truncate", "unique", "upper",
        "urlencode", "wordcount",
    }
)  # fmt: skip
"""Filters whose output grows at most linearly with their input (those that can still build a
big value are measured first: `template_filters`). `format`, `center`, `indent`, `wordwrap`
and `replace` can blow a short input up to gigabytes; `attr`, `map` and `selectattr` read
attributes by a computed name; `batch` and `slice` build nested lists."""

_ALLOWED_NODES: tuple[type[nodes.Node], ...] = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.If, nodes.Const, nodes.Name,
    nodes.Getattr, nodes.Getitem, nodes.Slice, nodes.Filter, nodes.Test, nodes.CondExpr,
    nodes.And, nodes.Or, nodes.Not, nodes.Neg, nodes.Pos, nodes.Compare, nodes.Operand,
    nodes.Concat, nodes.Add, nodes.Sub, nodes.Mul, nodes.Div, nodes.FloorDiv, nodes.Mod,
    nodes.Tuple, nodes.List, nodes.Dict, nodes.Pair, nodes.Keyword,
)  # fmt: skip

_REFUSED_WORDING: dict[type[nodes.Node], str] = {
    nodes.For: N_("loops ({% for %}) are not allowed"),
    nodes.Call: N_("function and method calls are not allowed; use filters, e.g. {{ x|upper }}"),
    nodes.Pow: N_("the ** operator is not allowed"),
    nodes.Assign: N_("assignments ({% set %}) are not allowed"),
    nodes.AssignBlock: N_("assignments ({% set %}) are not allowed"),
    nodes.Macro: N_("macros are not allowed"),
    nodes.CallBlock: N_("macros are not allowed"),
    nodes.Include: N_("including other templates is not allowed"),
    nodes.Import: N_("importing other templates is not allowed"),
    nodes.FromImport: N_("importing other templates is not allowed"),
    nodes.Extends: N_("extending other templates is not allowed"),
    nodes.Block: N_("blocks are not allowed"),
    nodes.Scope: N_("{% autoescape %} is not allowed"),
    nodes.ScopedEvalContextModifier: N_("{% autoescape %} is not allowed"),
    nodes.With: N_("{% with %} is not allowed"),
    nodes.FilterBlock: N_("{% filter %} blocks are not allowed"),
}


class _DataContext(Context):
    """A variable whose value is not data (an object a caller left in the context) is
    missing, like an unknown one."""

    def resolve_or_missing(self, key: str) -> Any:
        value = super().resolve_or_missing(key)
        return value if value is missing or is_data(value) else missing


class _CodeGenerator(CodeGenerator):
    """`a ~ b` joins through the sandbox (`concat_text`), which measures and checks its
    parts, instead of Jinja's plain `str()` of each."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.concat_text((")
        for part in node.nodes:
            self.visit(part, frame)
            self.write(", ")
        self.write("))")


class _Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox with the operators that allocate measured first, and lookups that yield
    data only."""

    intercepted_binops = frozenset({"*", "+", "%", "**"})
    context_class = _DataContext
    code_generator_class = _CodeGenerator

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            raise SecurityError("the ** operator is not allowed")
        if operator == "%" and isinstance(left, str):
            raise SecurityError("printf-style formatting with % is not allowed")
        if operator == "*":
            check_repeat(left, right)
        elif operator == "+":
            check_join(left, right)
        return super().call_binop(context, operator, left, right)

    def call(self, context: Context, obj: Any, *args: Any, **kwargs: Any) -> Any:
        raise SecurityError("function and method calls are not allowed")

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict or isinstance(obj, Mapping):
            # `patient.items` is the key "items", never the dict's method.
            if attribute not in obj:
                return self.undefined(obj=obj, name=attribute)
            return self._data(obj, attribute, obj[attribute])
        return self._data(obj, attribute, super().getattr(obj, attribute))

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, Mapping) and isinstance(argument, str):
            return self.getattr(obj, argument)
        return self._data(obj, argument, super().getitem(obj, argument))

    def _data(self, obj: Any, name: Any, value: Any) -> Any:
        # A method, a time zone, a time span… is not a value a message prints: missing.
        if isinstance(value, Undefined) or is_data(value):
            return value
        return self.undefined(obj=obj, name=name)

    def concat_text(self, parts: tuple[Any, ...]) -> str:
        """`a ~ b ~ …`: each part data within the text cap, and the whole text too."""
        for part in parts:
            check_as_text(part)
        pieces = [part if isinstance(part, str) else str(part) for part in parts]
        check_text(sum(map(len, pieces)))
        # Autoescaping is fixed per channel ({% autoescape %} is refused).
        return markup_join(pieces) if self.autoescape else str_join(pieces)


def _printable(value: Any) -> Any:
    """What `{{ … }}` writes: None as nothing, data as itself, anything else an error."""
    if value is None:
        return ""
    if isinstance(value, str | int | float | Undefined):
        return value  # StrictUndefined: printing it raises the "no value" error
    meter = CURRENT_METER.get()
    check_printable(value, meter.max_chars if meter is not None else MAX_OUTPUT_CHARS)
    return value


def _environment(autoescape: bool) -> _Sandbox:
    env = _Sandbox(
        autoescape=autoescape,
        undefined=StrictUndefined,
        finalize=_printable,
        auto_reload=False,
    )
    # No globals: range, cycler, joiner, lipsum, dict and namespace are all ways to loop,
    # allocate or reach Python objects, and a message needs none of them.
    env.globals.clear()
    env.filters = bounded_filters(env.filters, SAFE_FILTERS)
    return env


_ENVIRONMENTS: dict[Channel, _Sandbox] = {"html": _environment(True), "text": _environment(False)}


def check_template(source: str, *, field: str = "template") -> None:
    """Refuse (TemplateRefused naming `field`) a template that is malformed or not allowed."""
    _checked_tree(source, field)


def referenced_variables(source: str, *, field: str = "template") -> frozenset[str]:
    """The dotted variable paths a template reads: `{{ patient.first_name|upper }}` →
    {"patient.first_name"}. Subscripts with a literal key count as attributes
    (`patient["city"]` → "patient.city"); a list index ends the path."""
    tree = _checked_tree(source, field)
    found: set[str] = set()
    _collect(tree, found)
    return frozenset(found)


def render(
    source: str,
    context: Mapping[str, Any],
    *,
    channel: Channel = "text",
    field: str = "template",
    max_chars: int = MAX_OUTPUT_CHARS,
    time_limit: float = TIME_LIMIT_SECONDS,
    timer: Callable[[], float] = time.monotonic,
) -> str:
    """`source` filled from `context` (a nested dict), escaped for `channel`.

    TemplateRefused: the template is not allowed. TemplateOverLimit: it would build a value,
    or an output, over a limit (`max_chars` for the output) or take longer than `time_limit`
    seconds. TemplateFailed: a value it needs is missing or cannot be printed."""
    template = _compiled(source, channel, field)
    meter = Meter(
        deadline=timer() + time_limit, time_limit=time_limit, max_chars=max_chars, timer=timer
    )
    pieces: list[str] = []
    size = 0
    token = CURRENT_METER.set(meter)
    try:
        for piece in template.generate(dict(context)):
            size += len(piece)
            if size > max_chars:
                raise LimitExceeded(f"output longer than {max_chars:,} characters")
            meter.check_time()
            pieces.append(piece)
    except LimitExceeded as exc:
        raise TemplateOverLimit(str(exc), field=field) from None
    except NotPrintable as exc:
        raise TemplateFailed(str(exc), field=field) from None
    except SecurityError as exc:
        raise TemplateRefused.single(field, f"not allowed: {exc}") from None
    except UndefinedError:
        raise TemplateFailed(_missing_value_message(source, context, field), field=field) from None
    except (TypeError, ValueError, ArithmeticError, LookupError) as exc:
        raise TemplateFailed(f"cannot render: {exc}", field=field) from None
    finally:
        CURRENT_METER.reset(token)
    return "".join(pieces)


def _missing_value_message(source: str, context: Mapping[str, Any], field: str) -> str:
    absent = sorted(
        path
        for path in referenced_variables(source, field=field)
        if not _present(resolve(context, path))
    )
    if absent:
        return "no value for " + ", ".join(repr(path) for path in absent)
    return "a value the template needs is missing"


def _present(value: object) -> bool:
    return value is not None and is_data(value)


@lru_cache(maxsize=2048)
def _checked_tree(source: str, field: str) -> nodes.Template:
    if len(source) > MAX_SOURCE_CHARS:
        message = _("template longer than {count} characters").format(count=MAX_SOURCE_CHARS)
        raise TemplateRefused.single(field, message)
    try:
        tree = _ENVIRONMENTS["text"].parse(source)
    except TemplateSyntaxError as exc:
        message = _("template syntax error on line {line}: {problem}").format(
            line=exc.lineno, problem=exc.message
        )
        raise TemplateRefused.single(field, message) from None
    except RecursionError:
        # Jinja's parser recurses once per nesting level (`((((…))))`).
        raise TemplateRefused.single(field, too_deep()) from None
    except ValueError:
        # Python refuses to read a whole number of more than 4,300 digits.
        raise TemplateRefused.single(field, _(_TOO_MANY_DIGITS)) from None
    problem = static_problem(tree) or next(
        filter(None, map(_node_problem, tree.find_all(nodes.Node))), None
    )
    if problem is not None:
        raise TemplateRefused.single(field, problem)
    return tree


_TOO_MANY_DIGITS = N_("a number in the template has too many digits")


def _node_problem(node: nodes.Node) -> str | None:
    refused = _REFUSED_WORDING.get(type(node))
    if refused is not None:
        return _(refused)
    if not isinstance(node, _ALLOWED_NODES):
        return _("{kind} is not allowed in a template").format(kind=type(node).__name__.lower())
    if isinstance(node, nodes.Filter) and node.name not in SAFE_FILTERS:
        return _("the filter {name} is not allowed").format(name=repr(node.name))
    if isinstance(node, nodes.Name) and node.name == "self":
        return _("'self' is not a variable")
    if isinstance(node, nodes.Getattr):
        return _lookup_problem(node.node, node.attr)
    if isinstance(node, nodes.Getitem):
        if isinstance(node.arg, nodes.Slice):
            return None
        if not isinstance(node.arg, nodes.Const):
            return _("subscripts must be written out, e.g. patient['city']")
        key = node.arg.value
        return _lookup_problem(node.node, key) if isinstance(key, str) else None
    return None


def _lookup_problem(target: nodes.Node, name: str) -> str | None:
    if name.startswith("_"):
        return _("{name} is private").format(name=repr(name))
    if not isinstance(target, nodes.Name | nodes.Getattr | nodes.Getitem):
        return _("attributes can only be read from variables, e.g. patient.first_name")
    return None


def _collect(node: nodes.Node, found: set[str]) -> None:
    if isinstance(node, nodes.Name | nodes.Getattr | nodes.Getitem):
        parts = _chain(node)
        if parts:
            found.add(".".join(parts))
            # Only the arguments of subscripts can hold further variables.
            for sub in _subscript_args(node):
                _collect(sub, found)
            return
    for child in node.iter_child_nodes():
        _collect(child, found)


def _chain(node: nodes.Node) -> list[str]:
    """The dotted path of a Name/Getattr/Getitem chain; [] when it does not start at a Name.
    A subscript that is not a literal name (a list index) ends the path there."""
    parts: list[str] = []
    while isinstance(node, nodes.Getattr | nodes.Getitem):
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
        elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            parts.append(node.arg.value)
        else:
            parts.clear()  # everything read so far was inside a list item
        node = node.node
    if not isinstance(node, nodes.Name):
        return []
    return [node.name, *reversed(parts)]


def _subscript_args(node: nodes.Node) -> Iterator[nodes.Node]:
    while isinstance(node, nodes.Getattr | nodes.Getitem):
        if isinstance(node, nodes.Getitem):
            yield node.arg
        node = node.node


@lru_cache(maxsize=2048)
def _compiled(source: str, channel: Channel, field: str) -> Any:
    _checked_tree(source, field)
    return _ENVIRONMENTS[channel].from_string(source)
