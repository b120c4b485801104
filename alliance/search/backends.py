"""What differs between PostgreSQL and SQLite: the index structures and the match and rank SQL.

PostgreSQL: a partial GIN index per kind over the tsvector column; a query is a tsquery built
from the analyzer's terms (never the text-search parser), phrases with <->.
SQLite: a contentless FTS5 table per kind, fed by triggers on the entry table in the same
transaction; a query is an FTS5 expression over the hex-encoded terms, phrases in quotes.
"""

from alliance.search.fields import fts_token

ENTRY_TABLE = "search_searchentry"
KINDS = ("meeting", "outcome", "provision", "body", "person")


def for_connection(connection):
    return PostgresBackend() if connection.vendor == "postgresql" else SQLiteBackend()


class PostgresBackend:
    def create_structures(self, cursor):
        for kind in KINDS:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS search_{kind}_gin ON {ENTRY_TABLE} USING gin (document) WHERE kind = '{kind}'"
            )

    def drop_structures(self, cursor):
        for kind in KINDS:
            cursor.execute(f"DROP INDEX IF EXISTS search_{kind}_gin")

    @staticmethod
    def _lexeme(token):
        literal = "'" + token.term.replace("\\", "\\\\").replace("'", "''") + "'"
        return literal + (":*" if token.prefix else "")

    def _term(self, term):
        return "(" + " <-> ".join(self._lexeme(token) for token in term.tokens) + ")"

    def expression(self, query):
        groups = ["(" + " | ".join(self._term(term) for term in group) + ")" for group in query.groups]
        groups += ["!" + self._term(term) for term in query.excluded]
        return " & ".join(groups)

    def match(self, kind, query):
        """A condition on the entry table, aliased e."""
        return "e.document @@ %s::tsquery", [self.expression(query)]

    def rank(self, cursor, kind, query, entry_ids):
        cursor.execute(
            f"SELECT id, ts_rank_cd(document, %s::tsquery) FROM {ENTRY_TABLE} WHERE id = ANY(%s)",
            [self.expression(query), list(entry_ids)],
        )
        return dict(cursor.fetchall())


class SQLiteBackend:
    @staticmethod
    def fts_table(kind):
        return f"alliance_search_{kind}"

    def create_structures(self, cursor):
        for kind in KINDS:
            table = self.fts_table(kind)
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5(document, content='', tokenize='ascii', prefix='6')"
            )
            cursor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {table}_insert AFTER INSERT ON {ENTRY_TABLE} WHEN new.kind = '{kind}' "
                f"BEGIN INSERT INTO {table}(rowid, document) VALUES (new.id, new.document); END"
            )
            cursor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {table}_delete AFTER DELETE ON {ENTRY_TABLE} WHEN old.kind = '{kind}' "
                f"BEGIN INSERT INTO {table}({table}, rowid, document) VALUES ('delete', old.id, old.document); END"
            )
            # One trigger for updates, so that the old terms leave before the new ones arrive.
            cursor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {table}_update AFTER UPDATE ON {ENTRY_TABLE} "
                f"WHEN old.kind = '{kind}' OR new.kind = '{kind}' BEGIN "
                f"INSERT INTO {table}({table}, rowid, document) SELECT 'delete', old.id, old.document WHERE old.kind = '{kind}'; "
                f"INSERT INTO {table}(rowid, document) SELECT new.id, new.document WHERE new.kind = '{kind}'; END"
            )

    def drop_structures(self, cursor):
        for kind in KINDS:
            table = self.fts_table(kind)
            for suffix in ("insert", "delete", "update"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_{suffix}")
            cursor.execute(f"DROP TABLE IF EXISTS {table}")

    @staticmethod
    def _term(term):
        phrase = '"' + " ".join(fts_token(token.term) for token in term.tokens) + '"'
        return phrase + ("*" if term.tokens[-1].prefix else "")

    def expression(self, query):
        positive = " AND ".join("(" + " OR ".join(self._term(term) for term in group) + ")" for group in query.groups)
        if query.excluded:
            positive = f"({positive}) NOT (" + " OR ".join(self._term(term) for term in query.excluded) + ")"
        return positive

    def match(self, kind, query):
        table = self.fts_table(kind)
        return f"e.id IN (SELECT rowid FROM {table} WHERE {table} MATCH %s)", [self.expression(query)]

    def rank(self, cursor, kind, query, entry_ids):
        table = self.fts_table(kind)
        placeholders = ",".join(["%s"] * len(entry_ids))
        cursor.execute(
            f"SELECT rowid, -bm25({table}) FROM {table} WHERE {table} MATCH %s AND rowid IN ({placeholders})",
            [self.expression(query), *entry_ids],
        )
        return dict(cursor.fetchall())
