"""What differs between PostgreSQL and SQLite: the index structures and the match and rank SQL.

PostgreSQL: a partial GIN index per kind over the tsvector column; a query is a tsquery built
from the analyzer's terms (never the text-search parser), phrases with <->.
SQLite: a contentless FTS5 table per kind, fed by triggers on the entry table in the same
transaction; a query is an FTS5 expression over the hex-encoded terms, phrases in quotes. Its
rowids sort by date (the date's ordinal in the high 32 bits, the record's id in the low), so
FTS5 walks matches newest first and stops at the page, and bm25 is computed only for the
window that is ranked.

Each backend answers four questions about the records of a kind that match a query: how many,
which ids on a page sorted by date, the most recent ones with their rank, and how many of them
carry each facet term, per year.
"""

import datetime
from dataclasses import dataclass

from psycopg import postgres
from psycopg.adapt import Dumper
from psycopg.pq import Format

from alliance.search.analyzer import EXACT, facet, name_term
from alliance.search.fields import COLUMN_SEPARATOR, Tsvector, character_term, fts_token, is_japanese_term
from alliance.search.query import Query

ENTRY_TABLE = "search_searchentry"
TALLY_TABLE = "search_entrytally"  # PostgreSQL's running count of the entries (migration search.0014)
TALLY_ROWS = 64  # past this many rows of tally for a kind, a count folds them into one per state
TALLY_LOCK = 0x74616C6C79  # "tally": the advisory lock one fold at a time holds
UNDATED = datetime.date(1, 1, 1)  # the sort date of a record without a date
KINDS = ("meeting", "outcome", "provision", "body", "person")
DRAFT = facet("state", "draft")  # the facet term of a draft's document; published ones carry none
# What a public search asks of the entries beside its words: written as the partial indexes of
# the public entries are, so that PostgreSQL sees that they hold every entry the search may read.
PUBLIC = f"NOT (facets && '{{{DRAFT}}}'::text[])"
ALL = "*"  # the facet term every entry carries in facet counts: the totals per year
# What PostgreSQL's planner is told a document check (`document @@ query`) costs: reading a
# TOASTed document of several pages, not the cost 1 of a plain operator (migration search.0011).
MATCH_FUNCTION = "ts_match_vq(tsvector, tsquery)"
MATCH_COST = 1000

SAMPLE_GROUPS = 256
# Every document holds one sample term, "sample:0" … "sample:255": its record's group, the top 8
# bits of a multiplicative hash of the id, so that records made one after the other spread evenly
# over the groups. The facet counts of very many matches are estimated from the matches in the
# first few groups, which the search index itself selects: only those are read.
SAMPLE_GROUP_SQL = "((object_id * 2654435761 - (object_id * 2654435761 / 4294967296) * 4294967296) / 16777216)"


def sample_group(object_id):
    """What SAMPLE_GROUP_SQL computes, in Python."""
    return (object_id * 2654435761 % 2**32) >> 24


def sample_term(group):
    return f"sample:{group}"


# Every document holds the year of its date as a term, "year:2022". A search of words or facets
# within a window of at most YEAR_TERMS years asks for them too, so that PostgreSQL's GIN index
# selects the matches of those years instead of reading every match's row for its dates: a record
# lies within its start's year, so it can only overlap a window that reaches into that year.
YEAR_TERMS = 20


def year_term(year):
    return f"year:{year}"


@dataclass(frozen=True)
class Match:
    """What a search asks of the index: a parsed query, facet terms that must all be there, dates."""

    query: Query
    facets: tuple = ()
    after: datetime.date | None = None
    before: datetime.date | None = None
    sample: int | None = None  # only the records of the first `sample` sample groups
    without: tuple = ()  # facet terms that must not be there (a draft's, for a public search)
    years: range | None = None  # only the records dated in these years (PostgreSQL: the recent matches of many)


@dataclass(frozen=True)
class Counted:
    """What a count tells beside the number: for PostgreSQL, what choosing a plan needs."""

    count: int
    size: int | None = None  # how many public records of the kind there are, about
    years: range | None = None  # the years the kind's dated records span


def year_start(date):
    return datetime.date(date.year, 1, 1)


def dates_overlap(prefix, match):
    """SQL conditions (on the entry table's columns) for the records whose dates overlap the
    match's window: a meeting known only to its month matches any window that overlaps its month.

    A record ends no later than the end of its start's year, so the start bound stays a range on
    the sort date (what the index orders by), from 1 January of the window's first year."""
    where, params = [], []
    if match.after:
        where.append(f"{prefix}sort_date >= %s AND {prefix}date_end >= %s")
        params += [year_start(match.after), match.after]
    if match.before:
        where.append(f"{prefix}sort_date <= %s")
        params.append(match.before)
    return where, params


def rewrite_entries(apps, schema_editor, rewrite):
    """For the migrations that rewrite every PostgreSQL search entry: `rewrite(cursor)` with the
    search indexes dropped, built once after. Nothing on SQLite, or without entries. (The entries'
    digests then name their old documents: the next rebuild finds them different and writes them
    again, as the analyzer now makes them.)"""
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or not apps.get_model("search", "SearchEntry").objects.exists():
        return
    backend = for_connection(connection)
    with connection.cursor() as cursor:
        backend.drop_structures(cursor)
        rewrite(cursor)
        backend.create_structures(cursor)


def for_connection(connection):
    return PostgresBackend() if connection.vendor == "postgresql" else SQLiteBackend()


class TsvectorDumper(Dumper):
    """A `Tsvector` for a binary COPY: already in the form PostgreSQL reads."""

    format = Format.BINARY
    oid = postgres.types["tsvector"].oid

    def dump(self, document):
        if not isinstance(document, Tsvector):
            raise TypeError(f"a search document to COPY must be a Tsvector, not {type(document).__name__}")
        return document


class PostgresBackend:
    def create_structures(self, cursor):
        # fastupdate off: a write goes into the index at once, not into a pending list that the
        # planner charges for (after a few saves it chose a sequential scan over every document)
        # and that only VACUUM flushes.
        for kind in KINDS:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS search_{kind}_gin ON {ENTRY_TABLE} USING gin (document) "
                f"WITH (fastupdate = off) WHERE kind = '{kind}'"
            )
        # The published entries by date: the public list and its count without reading every
        # entry's facets (an index-only scan; 2 ms instead of 55 ms for 10,000 meetings). Not
        # before the facets column exists (the early migrations build these structures too).
        cursor.execute("SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = 'facets'",
                       [ENTRY_TABLE])
        if cursor.fetchone():
            for kind in KINDS:
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS search_{kind}_public_by_date ON {ENTRY_TABLE} "
                    f"(sort_date DESC, object_id DESC) WHERE kind = '{kind}' AND {PUBLIC}"
                )

    def drop_structures(self, cursor):
        for kind in KINDS:
            cursor.execute(f"DROP INDEX IF EXISTS search_{kind}_gin")
            cursor.execute(f"DROP INDEX IF EXISTS search_{kind}_public_by_date")

    # A rebuild's batch goes into the GIN index's pending list, which the batch's end flushes: one
    # sorted bulk insertion instead of inserting each document's ~1,500 keys one by one (fastupdate
    # off): 1,000 meetings in 5.6 s instead of 15.6 at 100,000. The list never holds more than a
    # batch (~40 MB for 1,000 meetings; the limit only keeps it from flushing midway).
    PENDING_LIST_KB = 262144

    ENTRY_COLUMNS = ("kind", "object_id", "sort_date", "date_end", "document", "facets", "names", "digest")
    ENTRY_TYPES = ("text", "int8", "date", "date", "tsvector", "text[]", "int8[]", "int8")

    def insert_entries(self, cursor, entries):
        """New entries by binary COPY: their documents (~20 KB each) are not quoted into one huge
        INSERT, and PostgreSQL takes each document as it is (`Tsvector`) instead of parsing its
        text. (Django's cursor, not psycopg's: a test capturing the queries counts it.)"""
        cursor.adapters.register_dumper(None, TsvectorDumper)
        with cursor.copy(f"COPY {ENTRY_TABLE} ({', '.join(self.ENTRY_COLUMNS)}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(self.ENTRY_TYPES)
            for entry in entries:
                copy.write_row([getattr(entry, column) for column in self.ENTRY_COLUMNS])

    @staticmethod
    def entry_versions(cursor, kind, ids):
        """Which transaction last wrote each of these records' entries (xmin), and what the entry
        holds (its digest), read before their documents are: see `replace_entries`."""
        cursor.execute(f"SELECT object_id, xmin::text, digest FROM {ENTRY_TABLE} "
                       "WHERE kind = %s AND object_id = ANY(%s)", [kind, sorted(ids)])
        return {object_id: (version, digest) for object_id, version, digest in cursor.fetchall()}

    def replace_entries(self, cursor, kind, ids, versions, entries):
        """The entries of these records, from documents read after `versions` ({id: (version,
        digest)}, less the entries `index.replace_entries` leaves as they are): each replaces the
        entry it was read beside, and entries of records that are gone are deleted. An entry that
        another transaction wrote since is newer (a curator saved during a rebuild) and stays; its
        row lock makes this wait for that transaction, and the version then no longer matches. A
        record that had no entry gets one, unless another transaction gave it one meanwhile.
        Returns how many entries it wrote."""
        from alliance.search.models import SearchEntry

        replacing = []
        if versions:  # (none for the items of a new meeting)
            cursor.execute(
                f"DELETE FROM {ENTRY_TABLE} e USING unnest(%s::bigint[], %s::text[]) AS seen(object_id, version) "
                f"WHERE e.kind = %s AND e.object_id = seen.object_id AND e.xmin::text = seen.version RETURNING e.object_id",
                [list(versions), [version for version, _ in versions.values()], kind])
            replaced = {object_id for object_id, in cursor.fetchall()}
            if replacing := [entry for entry in entries if entry.object_id in replaced]:
                self.insert_entries(cursor, replacing)
        if new := [entry for entry in entries if entry.object_id not in versions]:
            SearchEntry.objects.bulk_create(new, ignore_conflicts=True)
        return len(replacing) + len(new)

    @staticmethod
    def _gin(cursor, kind):
        cursor.execute("SELECT to_regclass(%s)", [f"search_{kind}_gin"])
        return cursor.fetchone()[0] and f"search_{kind}_gin"

    def begin_batches(self, cursor, kind):
        if index := self._gin(cursor, kind):
            cursor.execute(f"ALTER INDEX {index} SET (fastupdate = on, gin_pending_list_limit = {self.PENDING_LIST_KB})")

    def end_batch(self, cursor, kind):
        if index := self._gin(cursor, kind):
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])

    def end_batches(self, cursor, kind):
        """Back to every write going into the index at once (see `create_structures`)."""
        self.end_batch(cursor, kind)
        if index := self._gin(cursor, kind):
            cursor.execute(f"ALTER INDEX {index} SET (fastupdate = off)")
            cursor.execute(f"ALTER INDEX {index} RESET (gin_pending_list_limit)")

    @staticmethod
    def _lexeme(text):
        return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"

    @staticmethod
    def elements(tokens):
        """The lexemes that stand for a query term in the tsvector (`fields.lexemes`), each with its
        offset and whether it is a prefix.

        A Japanese run of up to four characters is the prefix of the lexeme at its first
        character's position (the 4-character run there, or the shorter end of the run), so a
        lone character or a pair needs nothing else; a run of exactly four is that lexeme; a
        longer run is the chain of 4-character lexemes that covers it. Two adjacent words are one
        lexeme, and a word written with a trailing * is a prefix.
        """
        elements, offset, i = [], 0, 0
        while i < len(tokens):
            if is_japanese_term(tokens[i].term):
                # A run: bigrams each leading into the next token, up to a bigram or a lone character.
                j = i
                while (len(tokens[j].term) == 2 and j + 1 < len(tokens) and is_japanese_term(tokens[j + 1].term)
                       and tokens[j + 1].term[0] == tokens[j].term[1]):
                    j += 1
                run = tokens[i : j + 1]
                chars = "".join(token.term[0] for token in run) + (run[-1].term[1] if len(run[-1].term) == 2 else "")
                if len(chars) <= 4:
                    elements.append((chars, offset, len(chars) < 4))
                else:  # 4-character runs that cover the whole run, as few as possible
                    starts = list(range(0, len(chars) - 3, 4))
                    if starts[-1] != len(chars) - 4:
                        starts.append(len(chars) - 4)
                    elements += [(chars[k : k + 4], offset + k, False) for k in starts]
                offset += len(run)
                i = j + 1
            elif tokens[i].prefix:  # a word written with a trailing * (Sen*): 'sen':*
                elements.append((tokens[i].term, offset, True))
                offset += 1
                i += 1
            else:
                if i + 1 < len(tokens) and not is_japanese_term(tokens[i + 1].term) and not tokens[i + 1].prefix:
                    elements.append((tokens[i].term + " " + tokens[i + 1].term, offset, False))
                    if i + 2 < len(tokens) and not is_japanese_term(tokens[i + 2].term) and not tokens[i + 2].prefix:
                        offset += 1
                        i += 1
                        continue
                    offset += 2
                    i += 2
                    continue
                elements.append((tokens[i].term, offset, False))
                offset += 1
                i += 1
        return elements

    def _term(self, term, ranked=False):
        """A query term as a tsquery. A lone Japanese character is the document's term for it
        (char:核); `ranked`, for ts_rank_cd, which reads positions, it is the prefix of the
        lexemes that start with it ('核':*), which find the same records."""
        tokens = term.tokens
        elements = self.elements(tokens)
        if not ranked and len(elements) == 1 and len(elements[0][0]) == 1 and is_japanese_term(elements[0][0]):
            return f"({self._lexeme(character_term(elements[0][0]))})"
        lexemes = [self._lexeme(text) + (":*" if prefix else "") for text, _, prefix in elements]
        if len(tokens) == 1 and tokens[0].prefix and not is_japanese_term(tokens[0].term):
            # a lone word with a trailing *: also the words as written (capabil* → capabilities)
            return f"({lexemes[0]} | {self._lexeme(EXACT + tokens[0].term)}:*)"
        parts = [lexemes[0]]
        for (_, before, _), (_, at, _), lexeme in zip(elements, elements[1:], lexemes[1:]):
            parts.append(f"<{at - before}>" if at - before != 1 else "<->")
            parts.append(lexeme)
        return "(" + " ".join(parts) + ")"

    def _groups(self, match, ranked=False):
        """The query's word groups, each a disjunction of its terms (`ranked`: see `_term`)."""
        return ["(" + " | ".join(self._term(term, ranked) for term in group) + ")" for group in match.query.groups]

    def expression(self, match):
        groups = [self._lexeme(term) for term in match.facets] + self._groups(match)
        if groups and match.after and match.before and 0 <= match.before.year - match.after.year < YEAR_TERMS:
            years = range(match.after.year, match.before.year + 1)
            groups.append("(" + " | ".join(self._lexeme(year_term(year)) for year in years) + ")")
        if groups and match.years:
            groups.append("(" + " | ".join(self._lexeme(year_term(year)) for year in match.years) + ")")
        if match.sample is not None:
            groups.append("(" + " | ".join(self._lexeme(sample_term(g)) for g in range(match.sample)) + ")")
        if groups:
            groups += ["!" + self._term(term) for term in match.query.excluded]
        return " & ".join(groups)

    def gathers_prefix(self, match):
        """Whether the GIN index gathers every match of a prefix ('尖閣':*) to answer the match: it
        merges the postings of every lexeme that starts with it, whatever else is asked, where it
        finds the matches of a whole lexeme by skipping along the postings of the rarest term."""
        return ":*" in self.expression(match)

    def _where(self, kind, match, walk=None):
        """The conditions on the entries. `walk`: see `page`."""
        # The kind is a literal so that the planner picks the kind's partial GIN index.
        assert kind in KINDS
        where, params = [f"e.kind = '{kind}'"], []
        expression = self.expression(match)
        if expression:
            # Written with IS TRUE, the same condition is one the GIN index cannot answer: the
            # planner then walks the index by date and checks each document.
            where.append("(e.document @@ %s::tsquery) IS TRUE" if walk else "e.document @@ %s::tsquery")
            params.append(expression)
        if match.without == (DRAFT,):
            where.append(PUBLIC.replace("facets", "e.facets"))
        elif match.without:
            # From the facets column, which is short and read anyway, not as a negation in the
            # tsquery, which the GIN index cannot answer and which would read every document.
            where.append("NOT (e.facets && %s::text[])")
            params.append(list(match.without))
        dates, date_params = dates_overlap("e.", match)
        return " AND ".join(where + dates), params + date_params

    def count(self, cursor, kind, match):
        """A `Counted`: how many records match; how many public records the kind holds, as the
        planner last counted them (the reltuples of the kind's index by date; None before the
        table was first vacuumed or analyzed); the first and last years its records are dated in
        (from the index by kind and date). All in one statement.

        Every record of the kind (or every public one) is counted from the tally the triggers
        keep, not from its entries: the same cost at any size."""
        dated = f"FROM {ENTRY_TABLE} d WHERE d.kind = '{kind}' AND d.sort_date > %s"
        if (not self.expression(match) and not match.after and not match.before
                and match.without in ((), (DRAFT,))):  # every record, or every public one
            tally = f"FROM {TALLY_TABLE} t WHERE t.kind = '{kind}'"
            counted, tallied = (f"(SELECT coalesce(sum(t.n), 0) {tally}{' AND t.public' if match.without else ''})",
                                f"(SELECT count(*) {tally})")
            params = []
        else:
            where, params = self._where(kind, match)
            counted, tallied = f"(SELECT count(*) FROM {ENTRY_TABLE} e WHERE {where})", "0"
        cursor.execute(
            f"SELECT {counted}, (SELECT reltuples FROM pg_class WHERE relname = 'search_{kind}_public_by_date'), "
            f"(SELECT extract(year FROM min(d.sort_date))::int {dated}), "
            f"(SELECT extract(year FROM max(d.sort_date))::int {dated}), {tallied}",
            [*params, UNDATED, UNDATED],
        )
        count, size, first, last, rows = cursor.fetchone()
        if rows > TALLY_ROWS:
            self._fold_tally(cursor, kind)
        return Counted(int(count), int(size) if size and size > 0 else None, range(first, last + 1) if first else None)

    @staticmethod
    def _fold_tally(cursor, kind):
        """The kind's rows of tally folded into one per state (none for a state it holds none of).
        One fold at a time (an advisory lock: a second one finds it taken and folds nothing, where
        two deleting the same rows in different orders could deadlock); each row is deleted once,
        by the fold that sums it, and the writers that add rows meanwhile never wait."""
        cursor.execute(
            f"WITH folded AS (DELETE FROM {TALLY_TABLE} WHERE kind = %s AND pg_try_advisory_xact_lock({TALLY_LOCK}) "
            "RETURNING public, n) "
            f"INSERT INTO {TALLY_TABLE} (kind, public, n) SELECT %s, public, sum(n) FROM folded GROUP BY public "
            "HAVING sum(n) <> 0",
            [kind, kind],
        )

    @staticmethod
    def _date_order(direction, walk):
        # sort_date + 0 cannot be read from the index by date: the planner then collects the
        # matches from the GIN index and sorts them.
        return f"e.sort_date{' + 0' if walk is False else ''} {direction}, e.object_id {direction}"

    def page(self, cursor, kind, match, newest_first, limit, offset, walk=None):
        """The ids of a page of matches in date order. `walk`: True to walk the records by date and
        check each one's document (cheap when many records match), False to collect every match
        from the GIN index and sort them (cheap when few do), None to let the planner choose (it
        does not know how many records a prefix matches, and guesses 0.5 %)."""
        where, params = self._where(kind, match, walk)
        direction = "DESC" if newest_first else "ASC"
        cursor.execute(
            f"SELECT e.object_id FROM {ENTRY_TABLE} e WHERE {where} "
            f"ORDER BY {self._date_order(direction, walk)} LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
        return [row[0] for row in cursor.fetchall()]

    def recent_ranked(self, cursor, kind, match, size, walk=None):
        """The `size` most recent matches as (object_id, day, rank, whole) tuples, newest first: the
        day is the sort date's ordinal; whole, whether one of its names is exactly the query.

        The rank is ts_rank_cd with the tiers' weights (A head, B about, D text), divided by
        1 + the log of the document's length; the exact forms of the query's words count too, so
        that a record with the form searched for ranks above one with another form of it."""
        where, params = self._where(kind, match, walk)
        # Ranked by the words alone: facet terms carry no position, and every match has them.
        words = " & ".join(self._groups(match, ranked=True))
        rank, rank_params = "0.0", []
        if words:
            exact = " | ".join(self._lexeme(term) for term in match.query.exact_forms)
            rank, rank_params = "ts_rank_cd(w.document, %s::tsquery, 1)", [f"({words}) | {exact}" if exact else words]
        # The names are read by primary key for the window's rows only: carried through the sort
        # of every match, they cost a third of the search.
        whole, whole_params = "false", []
        if match.query.whole:
            whole, whole_params = f"(SELECT %s = ANY(n.names) FROM {ENTRY_TABLE} n WHERE n.id = w.id)", [match.query.whole]
        cursor.execute(
            f"SELECT w.object_id, w.sort_date - date '0001-01-01' + 1, {rank}, {whole} FROM "
            f"(SELECT e.id, e.object_id, e.sort_date, e.document FROM {ENTRY_TABLE} e WHERE {where} "
            f"ORDER BY {self._date_order('DESC', walk)} LIMIT %s) w ORDER BY w.sort_date DESC, w.object_id DESC",
            [*rank_params, *whole_params, *params, size],
        )
        return cursor.fetchall()

    def facet_counts(self, cursor, kind, match, per_year=()):
        """(facet term, year, how many matches carry it) for every facet term of the matches,
        year None but for the facets named in `per_year`, and ("*", year, how many matches) for
        the year totals: one pass over the matches. (A year for every term made five times the
        groups, which PostgreSQL sorted: 16,000 rows for a sample of 1,000 matches.)"""
        where, params = self._where(kind, match)
        cursor.execute(
            f"SELECT f.term, CASE WHEN f.term = '{ALL}' OR split_part(f.term, ':', 1) = ANY(%s) "
            f"THEN extract(year FROM e.sort_date)::int END, count(*) FROM {ENTRY_TABLE} e "
            f"CROSS JOIN LATERAL unnest(array_append(e.facets, '{ALL}')) AS f(term) WHERE {where} GROUP BY 1, 2",
            [list(per_year), *params],
        )
        return cursor.fetchall()


# SQLite's FTS5 columns, one per tier of a document, and their weights in bm25 (PostgreSQL's
# default weights of A, B and D are in the same proportions).
COLUMNS = ("head", "about", "body")
COLUMN_WEIGHTS = (10.0, 4.0, 1.0)

# SQLite's rowid of an entry in a kind's FTS5 table: the date first, so rowid order is date order.
ID_BITS = 32
ID_MASK = (1 << ID_BITS) - 1
JULIAN_DAY_OF_ORDINAL_ZERO = 1721424.5


def entry_rowid(row=""):
    """An entry's rowid in its FTS5 table, in SQL over the entry table's columns (of `row`: new., old.)."""
    return f"((CAST(julianday({row}sort_date) - {JULIAN_DAY_OF_ORDINAL_ZERO} AS INTEGER) << {ID_BITS}) + {row}object_id)"


class SQLiteBackend:
    @staticmethod
    def fts_table(kind):
        assert kind in KINDS
        return f"search_{kind}_fts"

    @staticmethod
    def _columns(document):
        """SQL for the tiers' streams in a stored document (head|about|text), one per FTS5 column."""
        sep = COLUMN_SEPARATOR
        rest = f"substr({document}, instr({document}, '{sep}') + 1)"
        return (f"substr({document}, 1, instr({document}, '{sep}') - 1)",
                f"substr({rest}, 1, instr({rest}, '{sep}') - 1)",
                f"substr({rest}, instr({rest}, '{sep}') + 1)")

    def create_structures(self, cursor):
        new, old = entry_rowid("new."), entry_rowid("old.")
        new_columns, old_columns = ", ".join(self._columns("new.document")), ", ".join(self._columns("old.document"))
        names = ", ".join(COLUMNS)
        for kind in KINDS:
            table = self.fts_table(kind)
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5({names}, content='', tokenize='ascii', prefix='6')"
            )
            cursor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {table}_insert AFTER INSERT ON {ENTRY_TABLE} WHEN new.kind = '{kind}' "
                f"BEGIN INSERT INTO {table}(rowid, {names}) VALUES ({new}, {new_columns}); END"
            )
            cursor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {table}_delete AFTER DELETE ON {ENTRY_TABLE} WHEN old.kind = '{kind}' "
                f"BEGIN INSERT INTO {table}({table}, rowid, {names}) VALUES ('delete', {old}, {old_columns}); END"
            )
            # One trigger for updates, so that the old terms leave before the new ones arrive.
            cursor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {table}_update AFTER UPDATE ON {ENTRY_TABLE} "
                f"WHEN old.kind = '{kind}' OR new.kind = '{kind}' BEGIN "
                f"INSERT INTO {table}({table}, rowid, {names}) SELECT 'delete', {old}, {old_columns} WHERE old.kind = '{kind}'; "
                f"INSERT INTO {table}(rowid, {names}) SELECT {new}, {new_columns} WHERE new.kind = '{kind}'; END"
            )

    def drop_structures(self, cursor):
        for kind in KINDS:
            table = self.fts_table(kind)
            for suffix in ("insert", "delete", "update"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_{suffix}")
            cursor.execute(f"DROP TABLE IF EXISTS {table}")

    @staticmethod
    def insert_entries(cursor, entries):
        from alliance.search.models import SearchEntry

        SearchEntry.objects.bulk_create(entries)

    @staticmethod
    def entry_versions(cursor, kind, ids):
        """What each of these records' entries holds (its digest); no version, the first of each
        pair: a transaction takes SQLite's write lock as it begins (IMMEDIATE, see the settings),
        so no other write comes between reading the documents and writing them."""
        from alliance.search.models import SearchEntry

        return {object_id: (None, digest) for object_id, digest
                in SearchEntry.objects.filter(kind=kind, object_id__in=ids).values_list("object_id", "digest")}

    def replace_entries(self, cursor, kind, ids, versions, entries):
        """The entries of these records: those read (`versions`, less the entries
        `index.replace_entries` leaves as they are) deleted, these written. Returns how many."""
        from alliance.search.models import SearchEntry

        SearchEntry.objects.filter(kind=kind, object_id__in=versions).delete()
        self.insert_entries(cursor, entries)
        return len(entries)

    def begin_batches(self, cursor, kind):
        pass  # FTS5 merges its own segments as they are written

    end_batch = end_batches = begin_batches

    @staticmethod
    def _term(term):
        phrase = '"' + " ".join(fts_token(token.term) for token in term.tokens) + '"'
        if not term.tokens[-1].prefix:
            return phrase
        if len(term.tokens) == 1 and not is_japanese_term(term.tokens[0].term):
            # A lone word: also the words as written (capabil* → capabilities).
            return f'({phrase}* OR "{fts_token(EXACT + term.tokens[0].term)}"*)'
        return phrase + "*"

    def expression(self, match):
        groups = ['"' + fts_token(term) + '"' for term in match.facets]
        groups += ["(" + " OR ".join(self._term(term) for term in group) + ")" for group in match.query.groups]
        if match.sample is not None:
            groups.append("(" + " OR ".join('"' + fts_token(sample_term(g)) + '"' for g in range(match.sample)) + ")")
        expression = " AND ".join(groups)
        excluded = [self._term(term) for term in match.query.excluded]
        excluded += ['"' + fts_token(term) + '"' for term in match.without]
        if expression and excluded:
            expression = f"({expression}) NOT (" + " OR ".join(excluded) + ")"
        return expression

    def _where(self, kind, match, expression=None):
        """The table to read (the kind's FTS5 table, or the entries when nothing is to be matched).

        `expression`: what to match instead of the match's own expression (the same records)."""
        expression = expression or self.expression(match)
        if not expression:
            dates, params = dates_overlap("", match)
            where = [f"kind = '{kind}'", *dates]
            if match.without:
                where.append(f"NOT EXISTS (SELECT 1 FROM json_each(facets) WHERE value IN ({', '.join(['%s'] * len(match.without))}))")
                params += list(match.without)
            return ENTRY_TABLE, "object_id", " AND ".join(where), params, "sort_date {0}, object_id {0}"
        table = self.fts_table(kind)
        where, params = [f"{table} MATCH %s"], [expression]
        if match.after:
            # From the window's first day on; before it, only the records whose month or year
            # reaches into the window (from the entries, by date: at most a year of them).
            where.append(f"rowid >= %s AND (rowid >= %s OR rowid IN (SELECT {entry_rowid()} FROM {ENTRY_TABLE} "
                         f"WHERE kind = '{kind}' AND sort_date >= %s AND sort_date < %s AND date_end >= %s))")
            params += [year_start(match.after).toordinal() << ID_BITS, match.after.toordinal() << ID_BITS,
                       year_start(match.after), match.after, match.after]
        if match.before:
            where.append("rowid <= %s")
            params.append(((match.before.toordinal() + 1) << ID_BITS) - 1)
        return table, f"rowid & {ID_MASK}", " AND ".join(where), params, "rowid {0}"

    @staticmethod
    def gathers_prefix(match):
        """No plan is chosen for SQLite (FTS5 walks its rowids in date order): see `count`."""
        return True

    def count(self, cursor, kind, match):
        """A `Counted` of the count alone: FTS5 walks its rowids in date order, so that neither the
        kind's size nor its years are needed to choose a plan."""
        table, _, where, params, _ = self._where(kind, match)
        cursor.execute(f"SELECT count(*) FROM {table} WHERE {where}", params)
        return Counted(cursor.fetchone()[0])

    def page(self, cursor, kind, match, newest_first, limit, offset, walk=None):
        table, object_id, where, params, order = self._where(kind, match)
        cursor.execute(
            f"SELECT {object_id} FROM {table} WHERE {where} ORDER BY {order.format('DESC' if newest_first else 'ASC')} "
            f"LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
        return [row[0] for row in cursor.fetchall()]

    def recent_ranked(self, cursor, kind, match, size, walk=None):
        table, object_id, where, params, order = self._where(kind, match)
        if table == ENTRY_TABLE:
            cursor.execute(
                f"SELECT object_id, sort_date, 0.0, 0 FROM {table} WHERE {where} ORDER BY {order.format('DESC')} LIMIT %s",
                [*params, size],
            )
            return [(object_id, datetime.date.fromisoformat(str(day)).toordinal(), rank, whole)
                    for object_id, day, rank, whole in cursor.fetchall()]
        # bm25 scores every phrase of the expression: each word that every match holds (a one-word
        # term of its own group) is added with its exact form, ("=missiles" OR "missil"), which
        # every match meets through the stem, so the records are the same, and those with the form
        # searched for score higher.
        boosts = [f'("{fts_token(EXACT + token.word)}" OR "{fts_token(token.term)}")'
                  for group in match.query.groups if len(group) == 1 and len(group[0].tokens) == 1
                  for token in group[0].tokens if token.word and not token.prefix]
        if boosts:
            table, _, where, params, _ = self._where(kind, match, " AND ".join([f"({self.expression(match)})", *boosts]))
        # Which of the window's records hold a name that is exactly the query: the FTS5 index
        # answers, from the window's oldest row on (the names are terms of the documents).
        whole, whole_params = "0", []
        if match.query.whole:
            whole = f"w.r IN (SELECT rowid FROM {table} WHERE {table} MATCH %s AND rowid >= (SELECT min(r) FROM w))"
            whole_params.append('"' + fts_token(name_term(match.query.whole)) + '"')
        weights = ", ".join(str(weight) for weight in COLUMN_WEIGHTS)
        cursor.execute(
            f"WITH w AS MATERIALIZED (SELECT rowid AS r, -bm25({table}, {weights}) AS rank FROM {table} "
            f"WHERE {where} ORDER BY rowid DESC LIMIT %s) SELECT w.r, w.rank, {whole} FROM w ORDER BY w.r DESC",
            [*params, size, *whole_params],
        )
        return [(rowid & ID_MASK, rowid >> ID_BITS, rank, whole) for rowid, rank, whole in cursor.fetchall()]

    def facet_counts(self, cursor, kind, match, per_year=()):
        table, object_id, where, params, _ = self._where(kind, match)
        charted = " OR ".join([f"j.value = '{ALL}'", *["substr(j.value, 1, instr(j.value, ':') - 1) = %s"] * len(per_year)])
        cursor.execute(
            f"SELECT j.value, CASE WHEN {charted} THEN CAST(strftime('%%Y', e.sort_date) AS INTEGER) END, count(*) "
            f"FROM (SELECT {object_id} AS object_id FROM {table} WHERE {where}) m "
            f"JOIN {ENTRY_TABLE} e ON e.kind = '{kind}' AND e.object_id = m.object_id, "
            f"json_each(json_insert(e.facets, '$[#]', '{ALL}')) j GROUP BY 1, 2",
            [*per_year, *params],
        )
        return cursor.fetchall()
