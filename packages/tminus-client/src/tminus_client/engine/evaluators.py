"""One evaluator function per flag, fused from its strategies when the state is loaded.

A strategy is a sequence of *steps*: its constraints, then its rule, all of which must match.
Most steps are predicates (closures over a context). Two kinds are described as data instead,
because they are on the path of nearly every evaluation:

- ``FieldIn``: a context field is (or is not) one of a set of values (the ``IN`` and ``NOT_IN``
  operators, and the ``userWithId`` strategy);
- ``StickyRollout``: the share of contexts whose stickiness value hashes into the rollout's
  buckets (``flexibleRollout``, ``gradualRolloutUserId`` and ``gradualRolloutSessionId``).

Each of them builds its own predicate (``predicate()``), which is what a strategy's ``matches``
uses. For ``is_enabled``, ``feature_evaluator`` writes the whole flag, every strategy and every
step in order, as the body of one Python function and compiles it: the flag then costs one
function call instead of one per strategy and per step, which is most of what an evaluation
cost. The generated code does what the predicates do, in the same order, reading the same
fields the same way, so both answer alike for every context and fail alike on malformed ones
(the tests hold them to that).

The generated source names definition values only through variables (``k0``, ``s0``, ...) that
are bound as closure cells: no value from a definition ever becomes source text. So the source
depends only on the shape of a flag (which kinds of steps, in which strategies), and flags of
the same shape share one compiled code object. Compiling a new shape takes a fraction of a
millisecond, once per process while its code stays among the 1,024 kept; a flag of a known
shape only binds its values.
"""

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from mmh3 import hash as _murmur3

from .context import STANDARD_FIELDS, Context, FieldReader
from .predicates import Predicate, always, any_of, negate, never

# Beyond these sizes a flag keeps the composed predicates: a huge generated function would cost
# more to compile than it saves, and Python limits how deeply blocks can nest.
MAX_STEPS_PER_STRATEGY = 32
MAX_STEPS_PER_FLAG = 256


@dataclass(frozen=True, slots=True, eq=False)
class FieldIn:
    """Context field ``name`` (read as text by ``read``) is in ``values``; not in, if negated."""

    name: str
    values: frozenset[str]
    read: FieldReader
    negated: bool = False

    @property
    def standard(self) -> bool:
        return self.name in STANDARD_FIELDS

    def inverted(self) -> "FieldIn":
        return FieldIn(self.name, self.values, self.read, not self.negated)

    def predicate(self) -> Predicate:
        name, values, read = self.name, self.values, self.read
        # The usual lookup (a str where it belongs) is inlined before ``read``.
        if self.standard:

            def standard_field_in(context: Context) -> bool:
                value = context.get(name)
                if value.__class__ is not str:
                    value = read(context)
                return value in values

            is_in = standard_field_in
        else:

            def property_in(context: Context) -> bool:
                properties = context.get("properties")
                value = properties.get(name) if properties else None
                if value.__class__ is not str:
                    value = read(context)
                return value in values

            is_in = property_in
        return negate(is_in) if self.negated else is_in


@dataclass(frozen=True, slots=True, eq=False)
class StickyRollout:
    """Match the ``percent`` (1 to 100) of contexts whose stickiness value falls into buckets
    1..percent of ``normalized_hash(value, group_id)``.

    ``default`` stickiness uses userId, then sessionId (``read`` answers that), then a coin toss;
    any other names a context field, read by ``read``, and a context without it never matches.
    ``normalized_hash(...) <= percent`` is written ``murmur3(...) % 100 < percent``.
    """

    percent: int
    group_id: str
    stickiness: str
    read: FieldReader

    @property
    def prefix(self) -> str:
        return f"{self.group_id}:"

    def predicate(self) -> Predicate:
        percent, prefix, read = self.percent, self.prefix, self.read
        if self.stickiness == "default":

            def sticky_on_user_or_session(context: Context) -> bool:
                identifier = context.get("userId")
                if identifier.__class__ is not str:
                    identifier = read(context)
                    if identifier is None:
                        return random.random() * 100 < percent
                return _murmur3(prefix + identifier, 0, False) % 100 < percent

            return sticky_on_user_or_session

        key = self.stickiness if self.stickiness in STANDARD_FIELDS else None

        def sticky_on_field(context: Context) -> bool:
            identifier = context.get(key) if key else None
            if identifier.__class__ is not str:
                identifier = read(context)
                if identifier is None:
                    return False
            return _murmur3(prefix + identifier, 0, False) % 100 < percent

        return sticky_on_field


Step = FieldIn | StickyRollout | Predicate


def predicate_of(step: Step) -> Predicate:
    """The predicate that answers a step on its own."""
    if isinstance(step, FieldIn | StickyRollout):
        return step.predicate()
    return step


Tally = Iterator[int]  # Counts one answer per next() on it: an itertools.count.


def feature_evaluator(
    strategies: Sequence[tuple[Sequence[Step], Predicate]],
    parents: Predicate | None,
    tally: tuple[Tally, Tally] | None = None,
) -> Predicate:
    """One function answering whether an enabled flag is on for a context.

    ``strategies`` holds each strategy's steps with its composed predicate; ``parents`` is the
    check of the flag's dependencies, if it has any. The flag is on when its parents are
    satisfied and it has no strategies or one of them matches: all of its steps, in order.
    With ``tally`` (yes, no), the function also counts its answer, ``next(yes)`` or ``next(no)``,
    before it returns it: counting inside the evaluation saves a client the lookups of counting
    after it.
    """
    if sum(len(steps) for steps, _ in strategies) > MAX_STEPS_PER_FLAG:
        check = any_of([matches for _, matches in strategies]) if strategies else always
        if parents is not None:
            check = _with_parents(parents, check)
        return check if tally is None else counting(check, *tally)
    writer = _Writer(tally)
    if parents is not None:
        writer.line(f"if not {writer.bind(parents)}(context):", 1)
        writer.answer(False, 2)
    for steps, matches in strategies:
        if len(steps) > MAX_STEPS_PER_STRATEGY:
            steps = (matches,)
        depth = 1
        for step in steps:
            depth = writer.step(step, depth)
        writer.answer(True, depth)
    writer.answer(not strategies, 1)
    return writer.build()


def counting(evaluate: Predicate, yes: Tally, no: Tally) -> Predicate:
    """``evaluate`` that also counts each answer."""

    def counted(context: Context) -> bool:
        if evaluate(context):
            next(yes)
            return True
        next(no)
        return False

    return counted


def _with_parents(parents: Predicate, check: Predicate) -> Predicate:
    def with_parents(context: Context) -> bool:
        return parents(context) and check(context)

    return with_parents


class _Writer:
    """Writes the body of one evaluator; each value it needs becomes a variable of its own."""

    def __init__(self, tally: tuple[Tally, Tally] | None = None) -> None:
        self.lines: list[str] = []
        self.values: dict[str, Any] = {"murmur3": _murmur3, "random": random}
        self.counts = tally is not None
        if tally is not None:
            # next() bound as a variable of its own is still the builtin: one fast C call.
            self.values["next"] = next
            self.values["yes"], self.values["no"] = tally

    def bind(self, value: Any, kind: str = "f") -> str:
        variable = f"{kind}{len(self.values)}"
        self.values[variable] = value
        return variable

    def line(self, text: str, depth: int) -> None:
        self.lines.append("    " * (depth + 1) + text)

    def answer(self, enabled: bool, depth: int) -> None:
        """Return ``enabled``, counting it first when the evaluator counts."""
        if self.counts:
            self.line("next(yes)" if enabled else "next(no)", depth)
        self.line(f"return {enabled}", depth)

    def step(self, step: Step, depth: int) -> int:
        """Write the check of one step as an ``if``; return the depth of its body."""
        if isinstance(step, FieldIn):
            self.read_field(step.name, step.read, depth)
            negation = "not " if step.negated else ""
            self.line(f"if v {negation}in {self.bind(step.values, 's')}:", depth)
        elif isinstance(step, StickyRollout):
            self.rollout(step, depth)
        elif step is always:
            return depth
        elif step is never:
            self.line("if False:", depth)
        else:
            self.line(f"if {self.bind(step)}(context):", depth)
        return depth + 1

    def read_field(self, name: str, read: FieldReader, depth: int) -> None:
        """Set ``v`` to the field's text, or None; as ``field_reader`` reads it."""
        key = self.bind(name, "k")
        if name in STANDARD_FIELDS:
            self.line(f"v = context.get({key})", depth)
        else:
            self.line('p = context.get("properties")', depth)
            self.line(f"v = p.get({key}) if p else None", depth)
        self.line("if v.__class__ is not str:", depth)
        self.line(f"v = {self.bind(read, 'r')}(context)", depth + 1)

    def rollout(self, step: StickyRollout, depth: int) -> None:
        percent, prefix = self.bind(step.percent, "c"), self.bind(step.prefix, "g")
        bucket = f"murmur3({prefix} + v, 0, False) % 100 < {percent}"
        if step.stickiness == "default":
            self.line('v = context.get("userId")', depth)
            self.line("if v.__class__ is not str:", depth)
            self.line(f"v = {self.bind(step.read, 'r')}(context)", depth + 1)
            toss = f"random.random() * 100 < {percent}"
            self.line(f"if ({bucket}) if v is not None else ({toss}):", depth)
        else:
            self.read_field(step.stickiness, step.read, depth)
            self.line(f"if v is not None and {bucket}:", depth)

    def build(self) -> Predicate:
        names = list(self.values)
        make = _factory(", ".join(names), "\n".join(self.lines))
        return make(*(self.values[name] for name in names))


@lru_cache(maxsize=1024)
def _factory(variables: str, body: str) -> Callable[..., Predicate]:
    """Compile an evaluator body once per shape, into a function that binds its values."""
    source = f"def make({variables}):\n    def evaluate(context):\n{body}\n    return evaluate\n"
    namespace: dict[str, Any] = {}
    exec(compile(source, "<flag evaluator>", "exec"), namespace)  # the source is ours (see above)
    return namespace["make"]
