"""What one comparison answered at once costs the database: one transaction creates the job (already
held by the request: no second one claims it) with its credit, one records the result with the
settlement, and nothing is read twice. The numbers are the budget; a change that needs more
queries has to say why here."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from comparisons.models import Comparison

# API key, job insert, wallet lock, reservation check, spend entry, wallet update, result update,
# settlement (reservation, wallet lock, closing check, entry), webhook endpoints, credits left:
# 14, plus 7 savepoint statements (the test's own transaction turns each transaction into a
# savepoint, and billing nests its own). Before the job was inserted already held: 27.
IMAGE_COMPARE_QUERIES = 21


def test_it_answers_an_image_comparison_within_its_query_budget(alice, images):
    alice.compare(images["astronaut"], images["coffee"])  # the wallet's first use of the day
    with CaptureQueriesContext(connection) as queries:
        response = alice.compare(images["astronaut"], images["astronaut_edited"])
    assert response.status_code == 200, response.content
    statements = [query["sql"].split()[0].upper() for query in queries.captured_queries]
    assert len(statements) <= IMAGE_COMPARE_QUERIES, "\n".join(
        query["sql"][:120] for query in queries.captured_queries
    )
    # the job is read back from the database nowhere: it is inserted, then updated once
    job_reads = [q for q in queries.captured_queries if 'FROM "comparisons_comparison"' in q["sql"]]
    assert job_reads == []
    assert statements.count("INSERT") == 3  # the job, its spend entry, its settlement


def test_a_comparison_answered_at_once_starts_held_by_its_request(alice, images):
    body = alice.compare(images["astronaut"], images["astronaut_edited"]).json()
    job = Comparison.objects.get(id=body["job_id"])
    assert job.status == Comparison.Status.DONE
    assert job.attempts == 1 and job.lease is not None and job.started_at is not None
    assert job.started_at <= job.finished_at
