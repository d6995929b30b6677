"""The real complaints bench/triage.py measures the triage models on, read from ../shared/data
(never copied into the repository), with the CFPB's product and issue names merged into today's.

The CFPB renamed its products and issues over the years, so one complaint subject carries several
names in the database: a model trained on 2019's names is tested on 2023's. Each old name is mapped
to the name the CFPB uses today (PRODUCT_TODAY, ISSUE_TODAY); where one old product was split in
two, its sub-product says which (`product_today`).

Besides the time split, the rows are split the way the acceptance holdout was made (`split_by_key`,
after the data README): by a hash of each row's `split_key`, at random with respect to time."""

import csv
import gzip
import hashlib
import html
import os
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """AMENDS_SHARED_DATA, else the `shared/data` folder beside the checkout (or beside its parent)."""
    if "AMENDS_SHARED_DATA" in os.environ:
        return Path(os.environ["AMENDS_SHARED_DATA"])
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "data").is_dir():
            return base / "shared" / "data"
    return ROOT.parent / "shared" / "data"


CFPB = "cfpb_complaints/cfpb_complaints_dev.csv.gz"
KURSK = "ru_kursk_citizen_appeals/ru_kursk_citizen_appeals_dev.csv.gz"


def folder_of(path: str) -> str:
    """The data set's folder name, which its split hash starts with."""
    return path.split("/", 1)[0]

CREDIT_REPORTING = "Credit reporting or other personal consumer reports"
PAYDAY = "Payday loan, title loan, personal loan, or advance loan"
MONEY = "Money transfer, virtual currency, or money service"
PRODUCT_TODAY = {
    "Credit reporting": CREDIT_REPORTING,
    "Credit reporting, credit repair services, or other personal consumer reports": CREDIT_REPORTING,
    "Bank account or service": "Checking or savings account",
    "Payday loan": PAYDAY,
    "Payday loan, title loan, or personal loan": PAYDAY,
    "Money transfers": MONEY,
    "Virtual currency": MONEY,
}
# Split in 2017 into "Credit card or prepaid card", split again since into the two below.
PREPAID_SUB_PRODUCTS = {"General-purpose prepaid card", "Government benefit card", "Gift card", "Payroll card",
                        "Gift or merchant card", "Student prepaid card", "Mobile wallet"}
VEHICLE_SUB_PRODUCTS = {"Vehicle loan", "Vehicle lease", "Title loan"}

INVESTIGATION = "Problem with a company's investigation into an existing problem"
ISSUE_TODAY = {
    "Incorrect information on credit report": "Incorrect information on your report",
    "Credit reporting company's investigation": INVESTIGATION,
    "Problem with a credit reporting company's investigation into an existing problem": INVESTIGATION,
    "Problem with a company's investigation into an existing issue": INVESTIGATION,
    "Unable to get credit report/credit score": "Unable to get your credit report or credit score",
    "Improper use of my credit report": "Improper use of your report",
    "Credit monitoring or identity protection": "Credit monitoring or identity theft protection services",
    "Identity theft protection or other monitoring services": "Credit monitoring or identity theft protection services",
    "Cont'd attempts collect debt not owed": "Attempts to collect debt not owed",
    "Disclosure verification of debt": "Written notification about debt",
    "Taking/threatening an illegal action": "Took or threatened to take negative or legal action",
    "Improper contact or sharing of info": "Threatened to contact someone or share information improperly",
    "Dealing with my lender or servicer": "Dealing with your lender or servicer",
    "Was approved for a loan, but didn't receive money": "Was approved for a loan, but didn't receive the money",
    "Charged fees or interest I didn't expect": "Charged fees or interest you didn't expect",
    "Trouble using the card": "Trouble using your card",
    "Advertising and marketing": "Advertising and marketing, including promotional offers",
    "Advertising": "Advertising and marketing, including promotional offers",
    "Closing/Cancelling account": "Closing your account",
    "Applying for a mortgage": "Applying for a mortgage or refinancing an existing mortgage",
    "Unauthorized transactions/trans. issues": "Unauthorized transactions or other transaction problem",
    "Other transaction issues": "Other transaction problem",
    "Incorrect/missing disclosures or info": "Confusing or missing disclosures",
    # The mortgage issues of before 2017, each replaced by one of today's.
    "Application, originator, mortgage broker": "Applying for a mortgage or refinancing an existing mortgage",
    "Loan servicing, payments, escrow account": "Trouble during payment process",
    "Settlement process and costs": "Closing on a mortgage",
}


def product_today(product: str, sub_product: str) -> str:
    if product in ("Credit card or prepaid card", "Credit card", "Prepaid card"):
        return "Prepaid card" if sub_product in PREPAID_SUB_PRODUCTS or product == "Prepaid card" else "Credit card"
    if product == "Consumer Loan":
        return "Vehicle loan or lease" if sub_product in VEHICLE_SUB_PRODUCTS else PAYDAY
    return PRODUCT_TODAY.get(product, product)


def issue_today(issue: str) -> str:
    return ISSUE_TODAY.get(issue, issue)


@dataclass(frozen=True)
class Row:
    text: str
    date: str  # ISO; "" where the data has none
    labels: dict[str, str]
    company: str = ""
    key: str = ""  # the data's split_key: identical texts share it


# The holdout took the rows whose key's bucket is below 25; the dev rows hold buckets 25-99, and the
# first 15 of these (20 % of the dev rows) are the test part of the split that mirrors it.
HOLDOUT_BUCKETS = 25
TEST_BUCKETS = range(HOLDOUT_BUCKETS, HOLDOUT_BUCKETS + 15)


def key_hash(folder: str, key: str) -> int:
    """The data README's hash: the first 8 hex digits of sha256("<folder>:" + split_key)."""
    return int(hashlib.sha256(f"{folder}:{key}".encode()).hexdigest()[:8], 16)


def split_by_key(rows: list[Row], folder: str) -> tuple[list[Row], list[Row]]:
    """(training part, test part) as the holdout was split: by the key's bucket (hash mod 100), so at
    random with respect to time. The training part comes in the hash's order, so that the validation
    slices a model is chosen on (its last cards) are random slices too."""
    train, test = [], []
    for row in rows:
        (test if key_hash(folder, row.key) % 100 in TEST_BUCKETS else train).append(row)
    return sorted(train, key=lambda row: key_hash(folder, row.key)), test


def _rows(path: str):
    csv.field_size_limit(10**8)
    with gzip.open(data_dir() / path, "rt", encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def available(path: str) -> bool:
    return (data_dir() / path).is_file()


def cfpb_rows() -> list[Row]:
    """Rows with a narrative, oldest first (ties by Complaint ID), names merged into today's."""
    rows = [
        Row(text=row["Consumer complaint narrative"], date=row["Date received"], company=row["Company"],
            key=row["split_key"], labels={
            "product": product_today(row["Product"], row["Sub-product"]), "issue": issue_today(row["Issue"]),
            "product_original": row["Product"], "issue_original": row["Issue"],
        })
        for row in _rows(CFPB) if row["Consumer complaint narrative"].strip()
    ]
    return sorted(rows, key=lambda row: row.date)


_TAG = re.compile(r"<[^>]+>")


def kursk_rows() -> list[Row]:
    """Appeals with a category, HTML taken off (the data has no dates: they are split by key only)."""
    return [
        Row(text=html.unescape(_TAG.sub(" ", row["text"])), date="", labels={"category": row["category"]},
            key=row["split_key"])
        for row in _rows(KURSK) if row["category"].strip()
    ]
