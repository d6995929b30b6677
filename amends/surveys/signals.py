"""What the surveys announce, for the parts that act on it (follow-ups, norms) without the recording
knowing them. Sent inside the recording's transaction."""

from django.dispatch import Signal

# response (models.Response), invitation (or None: typed in without one)
survey_answered = Signal()

# campaign (models.Campaign): it has invitations waiting to be sent (a campaign started, a survey
# added to the post-resolution campaign). The sending part queues the worker's job on it.
invitations_ready = Signal()
