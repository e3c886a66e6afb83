"""`in` on integer columns, made safe for values no integer column can hold.

Django leaves out-of-range values out of `exact`, `gt`, `lt` (IntegerFieldOverflow) but not out of
`in`. A posted pk like 99999999999999999999 in a multiple choice (ModelMultipleChoiceField
filters `pk__in`) then made SQLite raise OverflowError, a 500, where PostgreSQL compares it as a
numeric and finds nothing. Leaving such values out gives both databases the same answer: no row
has them, so the form says "Select a valid choice".
"""

from typing import Any

from django.db.models import IntegerField
from django.db.models.lookups import In


class IntegerFieldIn(In):
    def process_rhs(self, compiler: Any, connection: Any) -> tuple[str, Any]:
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(
                self.lhs.output_field.get_internal_type()
            )
            self.rhs = [value for value in self.rhs if not _outside(value, low, high)]
        return super().process_rhs(compiler, connection)


def _outside(value: Any, low: int | None, high: int | None) -> bool:
    return isinstance(value, int) and (
        (low is not None and value < low) or (high is not None and value > high)
    )


def register() -> None:
    IntegerField.register_lookup(IntegerFieldIn)
