"""Random JSON-ish bodies, correctly signed, never get a 5xx and never store more than one message."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amends.intake.models import InboundMessage, WebhookSource

from .test_webhooks_support import make_source, post

KEYS = ["update_id", "message", "edited_message", "channel_post", "callback_query", "chat", "id", "from", "text",
        "caption", "photo", "document", "file_id", "date", "is_bot", "type", "object", "event_id", "from_id",
        "peer_id", "attachments", "chat_id", "sender", "name", "email", "phone", "sent_at", "title"]

scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats()
           | st.text(max_size=30) | st.text(st.characters(categories=["Cs", "Cc"]), max_size=3)
           | st.sampled_from(["message_new", "wall_reply_new", "confirmation", "photo", "a:b", "\x00",
                              "2025-05-21T09:42:17+03:00", "0001-01-01T00:00:00+14:00", "9999-12-31"]))
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner,
                                                                max_size=5),
    max_leaves=20,
)
chat = st.fixed_dictionaries({"id": values}, optional={"title": values, "type": values})
telegram = st.fixed_dictionaries({"update_id": values}, optional={
    "message": st.fixed_dictionaries({"chat": chat}, optional={
        k: values for k in ["from", "text", "caption", "photo", "document", "date"]
    }),
    "edited_message": values, "callback_query": values,
})
vk = st.fixed_dictionaries({"type": values, "object": st.fixed_dictionaries({}, optional={
    k: values for k in ["message", "from_id", "peer_id", "text", "attachments", "date", "owner_id"]
}), "event_id": values, "secret": values})
generic = st.fixed_dictionaries({}, optional={k: values for k in ["id", "chat_id", "text", "sender", "sent_at"]})
shaped = st.one_of(values, telegram, vk, generic)
bodies = (shaped.map(lambda v: json.dumps(v).encode())  # lone surrogates arrive escaped, as "\ud800"
          | shaped.map(lambda v: json.dumps(v, ensure_ascii=False).encode("utf-8", "surrogatepass"))
          | st.binary(max_size=100))


@settings(max_examples=40, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["telegram", "vk", "generic"]), body=bodies)
def test_signed_random_bodies_never_get_a_server_error(db, client, kind, body):
    source = WebhookSource.objects.filter(name=f"fuzz-{kind}").first() or make_source(kind, f"fuzz-{kind}")
    before = InboundMessage.objects.count()
    response = post(client, source.name, body, sign_with=source.secret)
    assert response.status_code < 500
    assert InboundMessage.objects.count() - before <= 1
