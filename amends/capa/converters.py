"""The nonconformity number in the pages' paths: a path that cannot name a record is answered 404
before any query, and the app's other pages (`/capa/suppliers/`, ...) never read as a number."""

# NC-YYYY-NNNN (nonconformities._next_number); a year of over 9,999 records takes more digits.
RECORD_NUMBER_PATTERN = "NC-[0-9]{4}-[0-9]{4,9}"


class RecordNumberConverter:
    """`<record:number>` in a path."""

    regex = RECORD_NUMBER_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
