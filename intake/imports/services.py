"""Writes of the CSV import of requests.

The rule: a file is read and every line given its fate — new, likely duplicate (of an
existing request, by the similar-request title match, or of an earlier line), or error
with the reason — before anything is created. Importing creates the new lines (and the
likely duplicates only when asked) in one transaction, and only when no line is in error:
all or nothing. Undoing removes exactly the requests the batch created, while none of
them has moved on from `new`."""

import contextlib
import datetime as dt

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from prodops.accounts.roles import Role, has_role
from prodops.activity.models import ActivityEvent
from prodops.activity.services import activity_record_many
from prodops.core.errors import EditConflict, NotAllowed, ValidationFailed

from ..models import Request, RequestStatus, Watcher
from ..routing.rules import routing_pick
from ..routing.selectors import routing_rules
from . import rows as reading
from .models import RequestImport, RequestImportRow

# Files up to this many lines are checked inside the request; larger ones by a worker,
# with a progress bar.
INLINE_ROWS = 2_000
CHUNK_ROWS = 1_000
MAX_ROWS = 200_000
MAX_BYTES = 50 * 1024 * 1024
# A title whose words match an existing request's this closely (pg_trgm word similarity)
# is a likely duplicate; stricter than the 0.3 of suggestions while typing, since here it
# decides what is skipped.
DUPLICATE_THRESHOLD = 0.6
# First key of the advisory lock held while a batch is checked (the second is its id).
LOCK_SPACE = 7301


def _may_import(user) -> None:
    if not has_role(user, Role.MEMBER):
        raise NotAllowed("Importing requests needs the team member role or higher.")


@transaction.atomic
def import_upload(*, actor, content: str, filename: str = "") -> RequestImport:
    """Keep an uploaded file, read its header and guess the columns."""
    _may_import(actor)
    if len(content.encode()) > MAX_BYTES:
        raise ValidationFailed(f"The file is over {MAX_BYTES // (1024 * 1024)} MB.", field="file")
    try:
        header, lines = reading.read_table(content)
    except reading.FileRefused as refused:
        raise ValidationFailed(str(refused), field="file") from None
    if not lines:
        raise ValidationFailed("The file has a header but no rows.", field="file")
    if len(lines) > MAX_ROWS:
        raise ValidationFailed(f"The file has more than {MAX_ROWS:,} rows.", field="file")
    return RequestImport.objects.create(
        uploaded_by=actor,
        filename=filename[:200],
        content=content,
        columns=header,
        mapping=reading.guess_mapping(header),
        total_rows=len(lines),
    )


def _locked(batch: RequestImport, expected_version) -> RequestImport:
    locked = RequestImport.objects.select_for_update().get(pk=batch.pk)
    if expected_version not in (None, "") and int(expected_version) != locked.version:
        raise EditConflict()
    return locked


def import_map(
    *,
    batch: RequestImport,
    actor,
    mapping: dict,
    include_duplicates: bool = False,
    expected_version=None,
) -> RequestImport:
    """Set which column holds which field and check every line (a worker does it for a large
    file; the batch shows the progress)."""
    _may_import(actor)
    with transaction.atomic():
        locked = _locked(batch, expected_version)
        if locked.status not in (RequestImport.Status.UPLOADED, RequestImport.Status.PREVIEWED):
            raise ValidationFailed(
                f"This import is {locked.get_status_display().lower()}; it can't be re-mapped.",
                field="mapping",
            )
        try:
            locked.mapping = reading.check_mapping(mapping, locked.columns)
        except reading.FileRefused as refused:
            raise ValidationFailed(str(refused), field="mapping") from None
        locked.include_duplicates = include_duplicates
        locked.status = RequestImport.Status.PREVIEWING
        locked.processed_rows = 0
        locked.version += 1
        locked.save()
        locked.rows.all().delete()
        if locked.total_rows > INLINE_ROWS:
            from .tasks import preview_import

            transaction.on_commit(lambda: preview_import.delay(locked.pk))
    if locked.total_rows <= INLINE_ROWS:
        import_check(batch_id=locked.pk)
        locked.refresh_from_db()
    return locked


# From this many lines on, the check copies the titles it compares against into a temporary
# table with a GIN trigram index, once per batch: a GIN bitmap scan answers the threshold
# query several times faster than the nearest-first GiST walk (measured ~3 ms against ~11 ms a
# line on titles drawn from a small vocabulary), which pays for building the index (~0.3 s
# per 10,000 requests) from a few hundred lines on.
TEMP_INDEX_MIN_LINES = 500
# The temporary table, private to the database session that checks the batch.
TEMP_TITLES = "import_existing_titles"


def _titles_table(lines: int) -> str:
    """The table the duplicate check reads titles from: the requests themselves (through
    their GiST index) for a small file, else a temporary copy of the titles of every request
    not merged away, indexed for the threshold query; `_drop_titles_table` removes it."""
    if lines < TEMP_INDEX_MIN_LINES:
        return "intake_request"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TEMP_TITLES}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {TEMP_TITLES} AS "
            "SELECT id, title, status FROM intake_request WHERE status <> %s",
            [RequestStatus.DUPLICATE],
        )
        cursor.execute(f"CREATE INDEX ON {TEMP_TITLES} USING gin (title gin_trgm_ops)")
        cursor.execute(f"ANALYZE {TEMP_TITLES}")
    return TEMP_TITLES


def _drop_titles_table(table: str) -> None:
    # After a failed statement inside a transaction the table goes with the rollback; the
    # error that mattered is already on its way up.
    if table == TEMP_TITLES:
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TEMP_TITLES}")


def _likely_duplicates(titles: list[str], table: str = "intake_request") -> dict[int, int]:
    """For each title (by index), the nearest existing request whose title matches it as
    closely as DUPLICATE_THRESHOLD (ties: the oldest), in one query for the whole chunk: a
    LATERAL lookup per title over `table`'s trigram index."""
    if not titles:
        return {}
    sql = f"""
        SELECT t.idx, m.id
        FROM unnest(%s::int[], %s::text[]) AS t(idx, q)
        CROSS JOIN LATERAL (
            SELECT r.id FROM {table} r
            WHERE r.title %%> t.q AND r.status <> %s
            ORDER BY t.q <<-> r.title, r.id
            LIMIT 1
        ) m
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
            [str(DUPLICATE_THRESHOLD)],
        )
        if table == TEMP_TITLES:
            # Each lookup is a bitmap scan of the GIN index; the planner, unable to see the
            # titles in advance, may otherwise compare every row with each title.
            cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(sql, [list(range(len(titles))), titles, RequestStatus.DUPLICATE])
        return {idx: pk for idx, pk in cursor.fetchall()}


def import_check(*, batch_id: int) -> None:
    """Give every line of a batch its fate, a chunk at a time, saving progress as it goes."""

    # One checker per batch: a duplicate task waits for nothing and does nothing.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_SPACE, batch_id])
        if not cursor.fetchone()[0]:
            return
    try:
        batch = RequestImport.objects.get(pk=batch_id)
        if batch.status == RequestImport.Status.PREVIEWING:
            _check_lines(batch)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_SPACE, batch_id])


def _check_lines(batch: RequestImport) -> None:
    from prodops.accounts.models import Department, User

    batch_id = batch.pk
    header, lines = reading.read_table(batch.content)
    departments: dict[str, int] = {}
    for pk, name, slug in Department.objects.values_list("pk", "name", "slug"):
        departments[name.lower()] = pk
        departments[slug.lower()] = pk
    people = {
        email.lower(): pk
        for pk, email in User.objects.filter(is_active=True)
        .exclude(email="")
        .values_list("pk", "email")
    }
    seen: dict[str, int] = {}
    counts = {"new": 0, "duplicate": 0, "error": 0}
    RequestImportRow.objects.filter(batch_id=batch_id).delete()
    table = _titles_table(len(lines))
    try:
        for start in range(0, len(lines), CHUNK_ROWS):
            chunk = [
                reading.read_line(
                    start + offset + 2,
                    cells,
                    header=header,
                    mapping=batch.mapping,
                    departments=departments,
                    people=people,
                )
                for offset, cells in enumerate(lines[start : start + CHUNK_ROWS])
            ]
            good = [line for line in chunk if not line.error]
            existing = _likely_duplicates([line.values["title"] for line in good], table)
            made = []
            for index, line in enumerate(good):
                key = reading.title_key(line.values["title"])
                row = RequestImportRow(batch_id=batch_id, line=line.number, values=line.values)
                if index in existing:
                    row.fate, row.duplicate_of_id = RequestImportRow.Fate.DUPLICATE, existing[index]
                    row.message = f"Likely a duplicate of #{existing[index]}."
                elif key in seen:
                    row.fate, row.duplicate_of_line = RequestImportRow.Fate.DUPLICATE, seen[key]
                    row.message = f"Same title as line {seen[key]}."
                else:
                    row.fate = RequestImportRow.Fate.NEW
                    seen[key] = line.number
                made.append(row)
            for line in chunk:
                if line.error:
                    made.append(
                        RequestImportRow(
                            batch_id=batch_id,
                            line=line.number,
                            values=line.values,
                            fate=RequestImportRow.Fate.ERROR,
                            message=line.error[:300],
                        )
                    )
            RequestImportRow.objects.bulk_create(made)
            for row in made:
                counts[row.fate] += 1
            RequestImport.objects.filter(pk=batch_id).update(
                processed_rows=min(start + CHUNK_ROWS, len(lines))
            )
    except Exception as error:
        RequestImport.objects.filter(pk=batch_id).update(
            status=RequestImport.Status.FAILED, failure=f"Checking stopped: {error}"[:500]
        )
        raise
    finally:
        _drop_titles_table(table)
    RequestImport.objects.filter(pk=batch_id).update(
        status=RequestImport.Status.PREVIEWED,
        new_count=counts["new"],
        duplicate_count=counts["duplicate"],
        error_count=counts["error"],
        processed_rows=len(lines),
    )


def import_commit(*, batch: RequestImport, actor, expected_version=None) -> RequestImport:
    """Import a checked batch: all its new lines (and likely duplicates when asked), or
    nothing when any line is in error. A large batch is imported by a worker."""
    _may_import(actor)
    with transaction.atomic():
        locked = _locked(batch, expected_version)
        if locked.status != RequestImport.Status.PREVIEWED:
            raise ValidationFailed(
                f"This import is {locked.get_status_display().lower()}; only a checked one can be imported.",
                field="status",
            )
        if locked.error_count:
            raise ValidationFailed(
                f"{locked.error_count} line(s) have errors; fix the file and upload it again. "
                "Nothing was imported.",
                field="file",
            )
        locked.status = RequestImport.Status.IMPORTING
        locked.version += 1
        locked.save(update_fields=["status", "version"])
        if locked.total_rows > INLINE_ROWS:
            from .tasks import commit_import

            transaction.on_commit(lambda: commit_import.delay(locked.pk, actor.pk))
    if locked.total_rows <= INLINE_ROWS:
        import_create_requests(batch_id=locked.pk, actor_id=actor.pk)
        locked.refresh_from_db()
    return locked


def import_create_requests(*, batch_id: int, actor_id: int) -> int:
    """Create the batch's requests in one transaction; returns how many."""
    from prodops.accounts.models import User

    try:
        with transaction.atomic():
            batch = RequestImport.objects.select_for_update().get(pk=batch_id)
            if batch.status != RequestImport.Status.IMPORTING:
                return 0
            actor = User.objects.get(pk=actor_id)
            fates = [RequestImportRow.Fate.NEW]
            if batch.include_duplicates:
                fates.append(RequestImportRow.Fate.DUPLICATE)
            rows = list(
                RequestImportRow.objects.filter(batch=batch, fate__in=fates).order_by("line")
            )
            people = {
                p.pk: p
                for p in User.objects.filter(
                    pk__in={r.values.get("requester_id") for r in rows} - {None}
                )
            }
            rules = routing_rules()
            requests = []
            for row in rows:
                values = row.values
                requester = people.get(values.get("requester_id"), actor)
                department_id = values.get("department_id", requester.department_id)
                rule = routing_pick(
                    rules, category=Request.Category.OTHER, department_id=department_id
                )
                votes = values.get("votes", 0)
                requests.append(
                    Request(
                        title=values["title"],
                        description=values.get("description", ""),
                        requester=requester,
                        department_id=department_id,
                        source=Request.Source.IMPORT,
                        team_id=rule.team_id if rule else None,
                        vote_count=votes,
                        imported_votes=votes,
                    )
                )
            Request.objects.bulk_create(requests, batch_size=2_000)
            created_at = {
                r.pk: dt.datetime.fromisoformat(row.values["created"])
                for r, row in zip(requests, rows, strict=True)
                if row.values.get("created")
            }
            if created_at:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "UPDATE intake_request r SET created_at = v.at "
                        "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, at) WHERE r.id = v.id",
                        [list(created_at), list(created_at.values())],
                    )
            Watcher.objects.bulk_create(
                [Watcher(request=r, user_id=r.requester_id) for r in requests],
                batch_size=5_000,
                ignore_conflicts=True,
            )
            # The same trail entry (and so the same `request.created` webhook) as a request
            # submitted in the browser, one per imported request.
            activity_record_many(
                actor=actor,
                targets=requests,
                verb="created",
                summaries=[f"Imported from {batch} (line {row.line})" for row in rows],
            )
            # One statement for every row (bulk_update's CASE per row grows with the batch).
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {RequestImportRow._meta.db_table} AS row SET request_id = v.request_id "
                    "FROM unnest(%s::bigint[], %s::bigint[]) AS v(id, request_id) "
                    "WHERE row.id = v.id",
                    [[row.pk for row in rows], [r.pk for r in requests]],
                )
            batch.status = RequestImport.Status.IMPORTED
            batch.imported_count = len(requests)
            batch.imported_at = timezone.now()
            batch.processed_rows = batch.total_rows
            batch.version += 1
            batch.save()
            return len(requests)
    except Exception as error:
        RequestImport.objects.filter(pk=batch_id).update(
            status=RequestImport.Status.FAILED, failure=f"Nothing was imported: {error}"[:500]
        )
        raise


@transaction.atomic
def import_undo(*, batch: RequestImport, actor, expected_version=None) -> int:
    """Remove exactly the requests an import created, while all of them are still new and
    unmerged; returns how many were removed."""
    _may_import(actor)
    locked = _locked(batch, expected_version)
    if locked.status != RequestImport.Status.IMPORTED:
        raise ValidationFailed("Only an imported batch can be undone.", field="status")
    ids = list(
        RequestImportRow.objects.filter(batch=locked, request__isnull=False).values_list(
            "request_id", flat=True
        )
    )
    moved = list(
        Request.objects.filter(pk__in=ids)
        .exclude(status=RequestStatus.NEW)
        .values_list("pk", flat=True)[:5]
    )
    merged_into = list(
        Request.objects.filter(merged_into_id__in=ids).values_list("merged_into_id", flat=True)[:5]
    )
    if moved or merged_into:
        named = ", ".join(f"#{pk}" for pk in (moved + merged_into)[:5])
        raise ValidationFailed(
            f"Some imported requests have been worked on since ({named}); undo would lose that work. "
            "Nothing was removed.",
            field="status",
        )
    from django.contrib.contenttypes.models import ContentType

    ActivityEvent.objects.filter(
        target_type=ContentType.objects.get_for_model(Request), target_id__in=ids
    ).delete()
    Request.objects.filter(pk__in=ids).delete()
    locked.status = RequestImport.Status.UNDONE
    locked.undone_at = timezone.now()
    locked.version += 1
    locked.save()
    return len(ids)
