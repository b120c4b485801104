"""`field__any=[ids]`: a list of ids as ONE parameter, where `__in` sends one per id.

A CSV export reads 500 meetings, then their 2,500 items, a chunk at a time: with `__in`, Django
prepares each id and the driver parses a statement of thousands of placeholders, which cost
about a third of an export's time. Here the list is one value: an array on PostgreSQL
(`id = ANY(%s)`), a JSON array on SQLite (`id IN (SELECT value FROM json_each(%s))`). Only for
lists of integers (the ids of rows); registered on the integer key fields and foreign keys.
"""

import json

from django.db import models
from django.db.models import Lookup


class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self):
        return [int(value) for value in self.rhs]  # ids only: anything else is a programming error

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, self.rhs]
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*lhs_params, json.dumps(self.rhs)]


for field in (models.IntegerField, models.ForeignKey):  # the auto keys are integer fields too
    field.register_lookup(AnyOf)
