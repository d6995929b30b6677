"""bench/triage_data.py: the split that mirrors the acceptance holdout, and the CFPB's old names merged
into today's. The checks on the data itself skip when ../shared/data is absent."""

import hashlib
import random

import pytest

from bench import triage_data as data

CFPB_FOLDER = data.folder_of(data.CFPB)


def _rows(count: int) -> list[data.Row]:
    return [data.Row(text=f"text {i}", date=f"2023-01-{i % 28 + 1:02d}", labels={}, key=f"t:{i}")
            for i in range(count)]


def test_the_key_hash_is_the_data_readmes():
    digest = hashlib.sha256(b"cfpb_complaints:t:abc").hexdigest()
    assert data.key_hash("cfpb_complaints", "t:abc") == int(digest[:8], 16)
    assert data.folder_of(data.KURSK) == "ru_kursk_citizen_appeals"


def test_the_split_by_key_tests_a_fifth_of_the_dev_buckets_and_keeps_a_key_on_one_side():
    rows = [row for row in _rows(20_000) if data.key_hash(CFPB_FOLDER, row.key) % 100 >= data.HOLDOUT_BUCKETS]
    rows += rows[:50]  # the same key again (an identical text filed twice)
    train, test = data.split_by_key(rows, CFPB_FOLDER)
    assert len(train) + len(test) == len(rows)
    assert 0.18 < len(test) / len(rows) < 0.22
    assert not {row.key for row in train} & {row.key for row in test}
    assert all(data.key_hash(CFPB_FOLDER, row.key) % 100 in range(25, 40) for row in test)


def test_the_split_by_key_ignores_dates_and_order():
    rows = _rows(500)
    shuffled = random.Random(3).sample(rows, len(rows))
    train, test = data.split_by_key(rows, CFPB_FOLDER)
    assert data.split_by_key(shuffled, CFPB_FOLDER)[0] == train
    # The training part is in the hash's order, not the dates': its last slice holds many dates.
    assert len({row.date for row in train[-len(train) // 5:]}) > 20
    assert train != sorted(train, key=lambda row: row.date)


def test_the_older_mortgage_issues_have_todays_names():
    assert data.issue_today("Settlement process and costs") == "Closing on a mortgage"
    assert data.issue_today("Struggling to pay mortgage") == "Struggling to pay mortgage"


needs_cfpb = pytest.mark.skipif(not data.available(data.CFPB), reason="no CFPB sample under shared/data")


@needs_cfpb
def test_no_dev_row_falls_in_the_holdouts_buckets():
    """The hash is the one the holdout was made with: else a quarter of the dev rows would fall there."""
    rows = data.cfpb_rows()
    assert rows and all(data.key_hash(CFPB_FOLDER, row.key) % 100 >= data.HOLDOUT_BUCKETS for row in rows)


# Old issues split among several of today's, which no single name can stand for.
SPLIT_ISSUES = {"Account opening, closing, or management", "Using a debit or ATM card", "Payoff process",
                "Identity theft / Fraud / Embezzlement", "Delinquent account", "Shopping for a loan or lease"}


@needs_cfpb
def test_every_old_name_in_the_sample_is_merged_into_one_in_use_since_2018():
    rows = data.cfpb_rows()
    recent = [row for row in rows if row.date >= "2018"]
    products = {row.labels["product"] for row in recent}
    issues = {row.labels["issue"] for row in recent}
    old = [row for row in rows if row.date < "2017-04"]  # the CFPB's new taxonomy came in April 2017
    assert old and {row.labels["product"] for row in old} <= products
    assert {row.labels["issue"] for row in old if row.labels["issue_original"] not in SPLIT_ISSUES} <= issues
