"""Conditionality: incentives that follow compliance and deadlines.

A settlement ties sanctions relief, aid tranches and access to frozen assets
to how the parties comply, and snaps them back on a serious breach. Each
condition term is compiled into a state machine (`machine.compile_conditions`)
whose triggers are small, safe expressions (`expressions.parse`), and run day
by day (`machine.run`) over the `inputs`: daily compliance per party,
obligations and reviews, from a file (`load_inputs`) or from the store
(`from_store`). `decisions.record` writes every day's evaluation to the
ledger; `decisions.compare` sets a what-if replay beside the record.
"""

from accord.conditions.decisions import Divergence, Recorded, compare, record
from accord.conditions.expressions import Expression, ExpressionError, parse
from accord.conditions.inputs import Inputs, from_store, load_inputs
from accord.conditions.machine import (
    ConditionMachine,
    DayEvaluation,
    Run,
    compile_conditions,
    run,
    step_day,
)

__all__ = [
    "ConditionMachine",
    "DayEvaluation",
    "Divergence",
    "Expression",
    "ExpressionError",
    "Inputs",
    "Recorded",
    "Run",
    "compare",
    "compile_conditions",
    "from_store",
    "load_inputs",
    "parse",
    "record",
    "run",
    "step_day",
]
